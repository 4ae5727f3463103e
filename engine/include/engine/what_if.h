#ifndef RETURNPATH_ENGINE_WHAT_IF_H_
#define RETURNPATH_ENGINE_WHAT_IF_H_

// What-if: the log folded under two workflows, the one in force and one that
// applies another policy to every event, and what would have differed, side
// by side: the workflow's named facts (Workflow::Facts), the tasks opened
// (kind, queue, due, priority, state) and the statistics. The history is the
// same on both sides: the same events in the same order, corrections
// included; only the policy that governs them changes. Nothing is written.
// Free functions: thread-safe as the store and workflows are.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/event_store.h"
#include "engine/replay.h"
#include "engine/workflow.h"
#include "returnpath/v1/engine.pb.h"

namespace returnpath::engine {

// Another policy, as a caller names it. Opaque to the engine: the
// application's WorkflowForPolicy reads it.
struct PolicyChoice {
  std::string version;  // a stored version, by name; or
  std::string text;     // the text of a policy
  std::string source;   // where the text came from (a file name), for errors
};

// The workflow under `choice`, as if that policy had been in force for every
// event; INVALID_ARGUMENT or NOT_FOUND naming the field when it cannot be.
using WorkflowForPolicy =
    std::function<absl::StatusOr<std::unique_ptr<const Workflow>>(
        const PolicyChoice& choice)>;

// One way a stream's two folds differ. `what` is a fact's name or "task
// <kind>"; `current` and `alternative` say it as text, empty for none.
struct WhatIfDifference {
  std::string what;
  std::string current;
  std::string alternative;
  // For a task: the task under each side (nullopt: not opened there).
  std::optional<returnpath::v1::Task> current_task;
  std::optional<returnpath::v1::Task> alternative_task;
};

struct StreamWhatIf {
  std::string stream_id;
  std::vector<WhatIfDifference> differences;  // empty: none
};

// `stream_id`'s events at or before `position`, folded under each workflow;
// then each fold fires the timers it leaves due by `now`, as the timer loop
// would have (the log holds only the firings of the workflow in force).
// NOT_FOUND if the stream has no such event.
absl::StatusOr<StreamWhatIf> WhatIfStream(EventStore& store,
                                          const Workflow& current,
                                          const Workflow& alternative,
                                          absl::string_view stream_id,
                                          uint64_t position, absl::Time now);

struct WhatIfOptions {
  absl::Time now = absl::InfinitePast();  // as WhatIfStream's
  ReplayProgress progress;                // optional: events folded
  // Optional: each stream that differs, as it is found.
  std::function<void(const StreamWhatIf&)> on_difference;
};

struct StatisticsDifference {
  std::string category;
  std::string month;
  std::string group;
  uint64_t current = 0;
  uint64_t alternative = 0;
};

struct WhatIfReport {
  uint64_t streams = 0;    // streams compared
  uint64_t differing = 0;  // streams with at least one difference
  uint64_t events = 0;     // events folded (on the current side)
  std::map<std::string, uint64_t> streams_by_what;  // streams differing in it
  std::vector<StatisticsDifference> statistics;  // rows that differ, in order
};

// WhatIfStream for every stream of one snapshot, then the statistics of the
// whole log under each workflow, compared row by row.
absl::StatusOr<WhatIfReport> WhatIfEveryStream(EventStore& store,
                                               const Workflow& current,
                                               const Workflow& alternative,
                                               const WhatIfOptions& options);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_WHAT_IF_H_
