#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_FINALIZE_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_FINALIZE_H_

// Internal to the return pathway: turning a new state into the engine's
// Transition (timer and task differences, index keys, state bytes).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/workflow.h"
#include "returnpath/v1/pathway_state.pb.h"

namespace returnpath::return_pathway {

struct DiffOptions {
  uint64_t version = 0;  // of the event being applied
  // A refold recomputed the state from history: a task it opens (one that was
  // not open under its key just before) gets the fresh id "<key>~v<version>",
  // so no engine id is reused; one open before and after keeps its id.
  bool refold = false;
  std::string fired_timer_id;     // the engine already removed this timer
  std::string completed_task_id;  // the engine already completed this task
  // Closed tasks the event carried out: (key, outcome); completed, not
  // cancelled.
  std::vector<std::pair<std::string, std::string>> task_outcomes;
  bool encode_state = true;  // false: Transition::next_state is left empty
};

// Gives `after`'s tasks their engine ids (an unchanged task keeps its id and
// record; one open under the same key and kind before and after, live or
// across a refold, whose queue, priority, title, due or rule changed keeps
// its id and lease and is updated in place), sorts tasks and timers by id,
// and returns what changed from `before` plus the index keys and the
// serialized `after`.
returnpath::engine::Transition Finish(
    const returnpath::v1::PathwayState& before,
    returnpath::v1::PathwayState& after, const DiffOptions& options);

// "stage/<STAGE>", "centre/<centre>", "region/<REGION>", "due/<YYYY-MM-DD>"
// (the next legal deadline), "overlay/whereabouts_unknown"; sorted. A person
// whose place was released has "scope/centre/<centre>" instead of the centre
// key; one whose pathway ended has "scope/centre/..." and "scope/region/...":
// still in the scope of the staff they left, no longer listed there.
std::vector<std::string> IndexKeys(const returnpath::v1::PathwayState& s);

// Deterministic bytes: the same state always gives the same bytes.
std::string SerializeState(const returnpath::v1::PathwayState& s);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_FINALIZE_H_
