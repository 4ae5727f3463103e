#ifndef RETURNPATH_ENGINE_COMMIT_TRANSITION_RECORDS_H_
#define RETURNPATH_ENGINE_COMMIT_TRANSITION_RECORDS_H_

// The Timer and Task records a workflow's TimerSpec / TaskSpec become when
// `event` applies them: one definition shared by the write path and replay,
// so rebuilding from the log reproduces exactly what was stored.

#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
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

// The positions of `spec.caused_by_versions`: `event`'s own version is its
// position, `position_of` gives those of the stream's earlier events.
absl::StatusOr<std::vector<uint64_t>> CausedByPositions(
    const TaskSpec& spec, const returnpath::v1::EventEnvelope& event,
    absl::FunctionRef<absl::StatusOr<uint64_t>(uint64_t version)> position_of);

// An OPEN task (PAUSED if the spec says so) with its provenance: rule, policy
// version, `caused_by` (CausedByPositions).
returnpath::v1::Task TaskFromSpec(absl::string_view stream,
                                  const TaskSpec& spec,
                                  const returnpath::v1::EventEnvelope& event,
                                  absl::Span<const uint64_t> caused_by);

// Changes `task` in place as `spec` says (Transition::tasks_to_update) and,
// if anything changed, appends a TaskChange naming `event` ("queue a -> b"
// when it moves, "paused", "resumed"). Only what the log decides: the queue's
// own entries and a lease are the caller's (CommandContext::UpdateTask).
// INTERNAL, and `task` untouched, if `task` is null or closed (COMPLETED,
// CANCELLED) or `spec` names another kind.
absl::Status UpdateTaskFromSpec(const TaskSpec& spec,
                                const returnpath::v1::EventEnvelope& event,
                                absl::Span<const uint64_t> caused_by,
                                returnpath::v1::Task* task);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_COMMIT_TRANSITION_RECORDS_H_
