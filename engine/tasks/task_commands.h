#ifndef RETURNPATH_ENGINE_TASKS_TASK_COMMANDS_H_
#define RETURNPATH_ENGINE_TASKS_TASK_COMMANDS_H_

// Engine-internal: the task queue's command bodies. Each runs on the
// sequencer inside one Command (see sequencer.h), reads through the context
// and keeps the queue's entries (task_keys.h) in step with the task record.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "commit/command_context.h"
#include "engine/task_queue.h"
#include "returnpath/v1/engine.pb.h"

namespace returnpath::engine::task_commands {

// Leases the first servable task of `queue` that `filter` allows, if any.
// Expired leases found on the way go back to the queue; with
// options.lease_expiry_counts_as_failure they count as failed attempts
// (dead-lettered at options.max_attempts), whoever they belong to.
absl::StatusOr<std::optional<returnpath::v1::Task>> Lease(
    CommandContext& ctx, absl::string_view queue, absl::string_view worker,
    absl::Duration lease, const TaskQueueOptions& options,
    const TaskFilter& filter);

absl::StatusOr<CompleteResult> Complete(CommandContext& ctx,
                                        const CompleteRequest& request);

absl::StatusOr<returnpath::v1::Task> Fail(CommandContext& ctx,
                                          const TaskRef& ref,
                                          absl::string_view error,
                                          const TaskQueueOptions& options);

absl::StatusOr<returnpath::v1::Task> Release(CommandContext& ctx,
                                             const TaskRef& ref);

absl::StatusOr<returnpath::v1::Task> Claim(CommandContext& ctx,
                                           const TaskRef& ref,
                                           absl::Duration lease,
                                           absl::TimeZone zone,
                                           const TaskQueueOptions& options);

absl::StatusOr<returnpath::v1::Task> Reassign(CommandContext& ctx,
                                              const TaskRef& ref,
                                              absl::string_view to_worker,
                                              absl::Duration lease);

absl::StatusOr<returnpath::v1::Task> Requeue(CommandContext& ctx,
                                             const TaskRef& ref,
                                             absl::string_view reason);

absl::StatusOr<returnpath::v1::Task> Extend(CommandContext& ctx,
                                            const TaskRef& ref,
                                            absl::Duration lease);

// The causation_id of the TaskCompleted event Complete records: "task:<id>".
// Replay applies the same closing rule to events that carry it.
std::string CompletionCausation(absl::string_view task_id);

// retry_base * 2^failed_before, capped at retry_max.
absl::Duration RetryDelay(const TaskQueueOptions& options, int failed_before);

}  // namespace returnpath::engine::task_commands

#endif  // RETURNPATH_ENGINE_TASKS_TASK_COMMANDS_H_
