#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_LEGACY_NAMES_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_LEGACY_NAMES_H_

// Internal to the return pathway: names of tasks and timers written before
// state schema 2. They numbered what an event opened by the event's global
// position ("relocate-14", "escalate-conversation-7", "escalation-8.1",
// "deadline-follow-up-5~6"); names now carry its stream version after a "v"
// ("relocate-v3"), so a transition does not depend on the position. Events
// the engine recorded then (a timer that fired, a task that was completed)
// still name them the old way, and a store migrated to schema 2 replays them.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "workflows/return_pathway/step.h"

namespace returnpath::return_pathway {

// The current name for `name`: itself if it is current, else the same name
// with each position replaced by the version of that event of `in`'s stream
// (looked up through `in.log`). An error if a position names no event of
// the stream.
absl::StatusOr<std::string> CurrentName(absl::string_view name,
                                        const EventInput& in);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_LEGACY_NAMES_H_
