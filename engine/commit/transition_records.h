#ifndef RETURNPATH_ENGINE_COMMIT_TRANSITION_RECORDS_H_
#define RETURNPATH_ENGINE_COMMIT_TRANSITION_RECORDS_H_

// The Timer and Task records a workflow's TimerSpec / TaskSpec become when
// `event` applies them: one definition shared by the write path and replay,
// so rebuilding from the log reproduces exactly what was stored.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/workflow.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/event.pb.h"

namespace returnpath::engine {

returnpath::v1::Timer TimerFromSpec(absl::string_view stream,
                                    const TimerSpec& spec,
                                    const returnpath::v1::EventEnvelope& event);

// COMPLETED or CANCELLED: nothing changes it any more. Every other state
// (OPEN, LEASED, DEAD_LETTER, PAUSED) is a task the workflow may still
// update or close.
bool IsClosedTask(const returnpath::v1::Task& task);

// An OPEN task (PAUSED if the spec says so) with its provenance: rule, policy
// version, causing positions.
returnpath::v1::Task TaskFromSpec(absl::string_view stream,
                                  const TaskSpec& spec,
                                  const returnpath::v1::EventEnvelope& event);

// Changes `task` in place as `spec` says (Transition::tasks_to_update) and,
// if anything changed, appends a TaskChange naming `event` ("queue a -> b"
// when it moves, "paused", "resumed"). Only what the log decides: the queue's
// own entries and a lease are the caller's (CommandContext::UpdateTask).
// INTERNAL, and `task` untouched, if `task` is null or closed (COMPLETED,
// CANCELLED) or `spec` names another kind.
absl::Status UpdateTaskFromSpec(const TaskSpec& spec,
                                const returnpath::v1::EventEnvelope& event,
                                returnpath::v1::Task* task);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_COMMIT_TRANSITION_RECORDS_H_
