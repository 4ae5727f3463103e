#include "tasks/task_commands.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "commit/transition_records.h"
#include "engine/status_macros.h"
#include "google/protobuf/any.pb.h"
#include "store/codec.h"
#include "store/keys.h"
#include "store/task_keys.h"

namespace returnpath::engine::task_commands {
namespace {

using returnpath::v1::Task;
using returnpath::v1::TaskState;
using task_keys::TruncateToMicros;

// Most delayed entries one Lease moves back: bounds one command's work.
constexpr size_t kMaxPromotions = 256;

std::string Name(const Task& task) {
  return absl::StrCat("task \"", task.id(), "\" of \"", task.stream_id(), "\"");
}

const char* StateWord(TaskState state) {
  switch (state) {
    case returnpath::v1::TASK_STATE_OPEN:
      return "open";
    case returnpath::v1::TASK_STATE_LEASED:
      return "leased";
    case returnpath::v1::TASK_STATE_COMPLETED:
      return "completed";
    case returnpath::v1::TASK_STATE_CANCELLED:
      return "cancelled";
    case returnpath::v1::TASK_STATE_DEAD_LETTER:
      return "dead-lettered";
    case returnpath::v1::TASK_STATE_PAUSED:
      return "paused by the workflow";
    default:
      return "in an unknown state";
  }
}

void DeleteEntry(CommandContext& ctx, const std::string& key) {
  ctx.DeleteRecord(Table::kTaskReady, key);
}

absl::StatusOr<Task> Find(CommandContext& ctx, const TaskRef& ref) {
  RP_ASSIGN_OR_RETURN(std::optional<Task> task,
                      ctx.GetTask(ref.stream_id, ref.task_id));
  if (!task.has_value()) {
    return absl::NotFoundError(absl::StrCat("task \"", ref.task_id, "\" of \"",
                                            ref.stream_id,
                                            "\" does not exist"));
  }
  return *std::move(task);
}

absl::Status RequireLeasedBy(const Task& task, absl::string_view worker) {
  if (task.state() != returnpath::v1::TASK_STATE_LEASED) {
    return absl::FailedPreconditionError(absl::StrCat(
        Name(task), " is not leased: it is ", StateWord(task.state())));
  }
  if (task.lease_owner() != worker) {
    return absl::FailedPreconditionError(
        absl::StrCat(Name(task), " is leased by \"", task.lease_owner(),
                     "\", not by \"", worker, "\""));
  }
  return absl::OkStatus();
}

// Counts a failed attempt on `next` (a copy of the stored task): the error,
// and DEAD_LETTER (lease dropped) once max_attempts is reached. Returns
// whether it was dead-lettered; if not, the caller makes it servable again.
bool CountFailedAttempt(std::string error, const TaskQueueOptions& options,
                        Task* next) {
  next->set_attempts(next->attempts() + 1);
  next->set_last_error(std::move(error));
  if (next->attempts() < options.max_attempts) return false;
  next->set_state(returnpath::v1::TASK_STATE_DEAD_LETTER);
  next->clear_lease_owner();
  next->clear_lease_expires();
  return true;
}

// `next` (a copy of a LEASED task whose lease ran out) goes back to the
// queue, OPEN from its lease end; it keeps lease_owner, who may still
// complete it. With options.lease_expiry_counts_as_failure the lapse is a
// failed attempt, so a task whose workers keep crashing is dead-lettered
// (and reaches someone) instead of cycling; returns whether it was.
bool LeaseRanOut(const TaskQueueOptions& options, Task* next) {
  if (options.lease_expiry_counts_as_failure &&
      CountFailedAttempt(
          absl::StrCat("the lease of \"", next->lease_owner(), "\" ran out at ",
                       absl::FormatTime(FromTimestamp(next->lease_expires()),
                                        absl::UTCTimeZone()),
                       " before it completed"),
          options, next)) {
    return true;
  }
  next->set_state(returnpath::v1::TASK_STATE_OPEN);
  *next->mutable_visible_time() = next->lease_expires();
  return false;
}

// Moves due delayed entries of `queue` back: expired leases and finished
// retry delays become OPEN tasks with a ready entry. Returns those tasks
// (their ready entries are in the batch, which a scan cannot see).
absl::StatusOr<std::vector<Task>> Promote(CommandContext& ctx,
                                          absl::string_view queue,
                                          const TaskQueueOptions& options) {
  const std::string prefix = task_keys::DelayedPrefix(queue);
  std::string limit = prefix;
  keys::PutTime(&limit, TruncateToMicros(ctx.now()) + absl::Microseconds(1));
  std::vector<std::string> raw;
  RP_RETURN_IF_ERROR(ctx.Scan(Table::kTaskReady, prefix, limit,
                              [&](absl::string_view key, absl::string_view) {
                                raw.emplace_back(key);
                                return raw.size() < kMaxPromotions;
                              }));
  std::vector<Task> promoted;
  for (const std::string& key : raw) {
    absl::Time at;
    std::string stream, id;
    DeleteEntry(ctx, key);
    if (!task_keys::DecodeDelayed(key, &at, &stream, &id)) continue;
    RP_ASSIGN_OR_RETURN(std::optional<Task> task, ctx.GetTask(stream, id));
    if (!task.has_value()) continue;
    if (task->state() == returnpath::v1::TASK_STATE_LEASED &&
        task_keys::SameMicros(FromTimestamp(task->lease_expires()), at)) {
      Task next = *task;
      const bool dead = LeaseRanOut(options, &next);
      RP_RETURN_IF_ERROR(ctx.ReplaceTask(*task, next));
      if (!dead) promoted.push_back(std::move(next));
    } else if (task->state() == returnpath::v1::TASK_STATE_OPEN &&
               task_keys::SameMicros(FromTimestamp(task->visible_time()), at)) {
      RP_RETURN_IF_ERROR(ctx.PutTask(*task));  // writes its ready entry
      promoted.push_back(*std::move(task));
    }
  }
  return promoted;
}

// Whether `filter` allows `task`; a task whose stream is missing is not
// allowed (fail closed).
absl::StatusOr<bool> Allows(CommandContext& ctx, const TaskFilter& filter,
                            const Task& task) {
  if (!filter.allows) return true;
  RP_ASSIGN_OR_RETURN(std::optional<returnpath::v1::StreamRecord> stream,
                      ctx.GetStream(task.stream_id()));
  return stream.has_value() && filter.allows(*stream);
}

// The first task of the stored ready index that is still servable as the
// group sees it and that `filter` allows.
absl::StatusOr<std::optional<Task>> FirstReady(CommandContext& ctx,
                                               absl::string_view queue,
                                               const TaskFilter& filter) {
  const std::string prefix = keys::QueuePrefix(queue);
  std::optional<Task> found;
  absl::Status error;
  RP_RETURN_IF_ERROR(ctx.Scan(
      Table::kTaskReady, prefix, keys::PrefixEnd(prefix),
      [&](absl::string_view key, absl::string_view) {
        std::string q, stream, id;
        if (!keys::DecodeTaskReady(key, &q, &stream, &id)) return true;
        absl::StatusOr<std::optional<Task>> task = ctx.GetTask(stream, id);
        if (!task.ok()) {
          error = task.status();
          return false;
        }
        if (!task->has_value() ||
            (*task)->state() != returnpath::v1::TASK_STATE_OPEN ||
            task_keys::Ready(**task) != key ||
            FromTimestamp((*task)->visible_time()) > ctx.now()) {
          return true;
        }
        absl::StatusOr<bool> allowed = Allows(ctx, filter, **task);
        if (!allowed.ok()) {
          error = allowed.status();
          return false;
        }
        if (!*allowed) return true;
        found = **std::move(task);
        return false;
      }));
  RP_RETURN_IF_ERROR(error);
  return found;
}

// A repeat of the completion that closed `task` is a retry; any other
// outcome or worker is refused, so no one is told their outcome was recorded.
absl::Status SameCompletion(const Task& task, const CompleteRequest& request) {
  if (task.outcome() != request.outcome) {
    return absl::AlreadyExistsError(
        absl::StrCat(Name(task), " was already completed with outcome \"",
                     task.outcome(), "\""));
  }
  if (!task.lease_owner().empty() &&
      task.lease_owner() != request.task.worker) {
    return absl::AlreadyExistsError(
        absl::StrCat(Name(task), " was already completed by another worker"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string CompletionCausation(absl::string_view task_id) {
  return absl::StrCat("task:", task_id);
}

absl::Duration RetryDelay(const TaskQueueOptions& options, int failed_before) {
  absl::Duration delay = options.retry_base;
  for (int i = 0; i < failed_before && delay < options.retry_max; ++i) {
    delay *= 2;
  }
  return std::min(delay, options.retry_max);
}

absl::StatusOr<std::optional<Task>> Lease(CommandContext& ctx,
                                          absl::string_view queue,
                                          absl::string_view worker,
                                          absl::Duration lease,
                                          const TaskQueueOptions& options,
                                          const TaskFilter& filter) {
  // Every due entry moves back, allowed or not: the others are servable to
  // other workers.
  RP_ASSIGN_OR_RETURN(std::vector<Task> promoted, Promote(ctx, queue, options));
  std::vector<Task> candidates;
  for (Task& task : promoted) {
    RP_ASSIGN_OR_RETURN(bool allowed, Allows(ctx, filter, task));
    if (allowed) candidates.push_back(std::move(task));
  }
  RP_ASSIGN_OR_RETURN(std::optional<Task> first,
                      FirstReady(ctx, queue, filter));
  if (first.has_value()) candidates.push_back(*std::move(first));
  if (candidates.empty()) return std::nullopt;
  // Ready keys sort in serving order: priority, due time, stream, id.
  const Task* best = &candidates.front();
  for (const Task& t : candidates) {
    if (task_keys::Ready(t) < task_keys::Ready(*best)) best = &t;
  }
  Task leased = *best;
  leased.set_state(returnpath::v1::TASK_STATE_LEASED);
  leased.set_lease_owner(std::string(worker));
  *leased.mutable_lease_expires() =
      ToTimestamp(TruncateToMicros(ctx.now() + lease));
  RP_RETURN_IF_ERROR(ctx.ReplaceTask(*best, leased));
  return leased;
}

absl::StatusOr<CompleteResult> Complete(CommandContext& ctx,
                                        const CompleteRequest& request) {
  const TaskRef& ref = request.task;
  RP_ASSIGN_OR_RETURN(Task task, Find(ctx, ref));
  switch (task.state()) {
    case returnpath::v1::TASK_STATE_COMPLETED:
      RP_RETURN_IF_ERROR(SameCompletion(task, request));
      return CompleteResult{task.closed_at_position(), /*deduplicated=*/true};
    case returnpath::v1::TASK_STATE_CANCELLED:
      return absl::FailedPreconditionError(absl::StrCat(
          Name(task), " was cancelled at position ", task.closed_at_position(),
          " because it was no longer needed; there is nothing to complete"));
    case returnpath::v1::TASK_STATE_DEAD_LETTER:
      return absl::FailedPreconditionError(
          absl::StrCat(Name(task), " was dead-lettered after ", task.attempts(),
                       " failed attempts and cannot be completed"));
    case returnpath::v1::TASK_STATE_PAUSED:
      return absl::FailedPreconditionError(
          absl::StrCat(Name(task),
                       " is paused by the workflow and cannot be "
                       "completed until it resumes it"));
    default:
      break;
  }
  if (task.lease_owner() != ref.worker) {
    if (task.state() == returnpath::v1::TASK_STATE_LEASED) {
      RP_RETURN_IF_ERROR(RequireLeasedBy(task, ref.worker));
    }
    return absl::FailedPreconditionError(
        absl::StrCat(Name(task), " is not leased by \"", ref.worker,
                     "\"; lease it before completing it"));
  }

  returnpath::v1::TaskCompleted completed;
  completed.set_task_id(task.id());
  completed.set_kind(task.kind());
  completed.set_outcome(request.outcome);
  completed.set_note(request.note);
  completed.set_worker(ref.worker);
  AppendRequest append;
  append.stream_id = task.stream_id();
  append.idempotency_key = request.idempotency_key;
  append.principal = request.principal.empty() ? ref.worker : request.principal;
  append.correlation_id = request.correlation_id;
  append.causation_id = CompletionCausation(task.id());
  ProposedEvent event;
  event.effective_time = ctx.now();
  event.payload.PackFrom(completed);
  append.events.push_back(std::move(event));
  RP_ASSIGN_OR_RETURN(AppendResult appended, ctx.Append(append));
  if (appended.deduplicated) {
    // The task is not completed, so the key's first use was another request
    // (one recorded before requests were fingerprinted, or a replaced task's).
    return CommandContext::KeyUsedForAnotherRequest();
  }

  // The workflow closes the task (the pipeline marks it COMPLETED). If it
  // did not, the engine still does: a completed task is never served again.
  RP_ASSIGN_OR_RETURN(Task after, Find(ctx, ref));
  if (!IsClosedTask(after)) {
    Task closed = after;
    closed.set_state(returnpath::v1::TASK_STATE_COMPLETED);
    closed.set_outcome(request.outcome);
    closed.set_closed_at_position(appended.last_position);
    RP_RETURN_IF_ERROR(ctx.ReplaceTask(after, closed));
  } else {
    ctx.DropTaskEntries(task);  // the lease's delayed entry
  }
  return CompleteResult{appended.last_position, /*deduplicated=*/false};
}

absl::StatusOr<Task> Fail(CommandContext& ctx, const TaskRef& ref,
                          absl::string_view error,
                          const TaskQueueOptions& options) {
  RP_ASSIGN_OR_RETURN(Task task, Find(ctx, ref));
  RP_RETURN_IF_ERROR(RequireLeasedBy(task, ref.worker));
  Task next = task;
  next.clear_lease_owner();
  next.clear_lease_expires();
  if (!CountFailedAttempt(std::string(error), options, &next)) {
    next.set_state(returnpath::v1::TASK_STATE_OPEN);
    *next.mutable_visible_time() = ToTimestamp(
        TruncateToMicros(ctx.now() + RetryDelay(options, task.attempts())));
  }
  RP_RETURN_IF_ERROR(ctx.ReplaceTask(task, next));
  return next;
}

absl::StatusOr<Task> Release(CommandContext& ctx, const TaskRef& ref) {
  RP_ASSIGN_OR_RETURN(Task task, Find(ctx, ref));
  RP_RETURN_IF_ERROR(RequireLeasedBy(task, ref.worker));
  Task next = task;
  next.set_state(returnpath::v1::TASK_STATE_OPEN);
  next.clear_lease_owner();
  next.clear_lease_expires();
  *next.mutable_visible_time() = ToTimestamp(TruncateToMicros(ctx.now()));
  RP_RETURN_IF_ERROR(ctx.ReplaceTask(task, next));
  return next;
}

absl::StatusOr<Task> Claim(CommandContext& ctx, const TaskRef& ref,
                           absl::Duration lease, absl::TimeZone zone,
                           const TaskQueueOptions& options) {
  RP_ASSIGN_OR_RETURN(Task task, Find(ctx, ref));
  Task next = task;
  switch (task.state()) {
    case returnpath::v1::TASK_STATE_OPEN:
      break;
    case returnpath::v1::TASK_STATE_LEASED: {
      const absl::Time lease_end = FromTimestamp(task.lease_expires());
      if (lease_end > ctx.now()) {
        if (task.lease_owner() == ref.worker) break;  // renewed
        return absl::FailedPreconditionError(absl::StrCat(
            Name(task), " is held by \"", task.lease_owner(), "\" until ",
            absl::FormatTime("%Y-%m-%d %H:%M", lease_end, zone), " (",
            zone.name(), ")"));
      }
      if (LeaseRanOut(options, &next)) {
        // Nothing is written: the next Lease of the queue dead-letters it.
        return absl::FailedPreconditionError(
            absl::StrCat(Name(task), " has failed ", next.attempts(),
                         " times and goes to the dead letters"));
      }
      break;
    }
    default:
      return absl::FailedPreconditionError(absl::StrCat(
          Name(task), " cannot be claimed: it is ", StateWord(task.state())));
  }
  next.set_state(returnpath::v1::TASK_STATE_LEASED);
  next.set_lease_owner(ref.worker);
  *next.mutable_lease_expires() =
      ToTimestamp(TruncateToMicros(ctx.now() + lease));
  RP_RETURN_IF_ERROR(ctx.ReplaceTask(task, next));
  return next;
}

absl::StatusOr<Task> Reassign(CommandContext& ctx, const TaskRef& ref,
                              absl::string_view to_worker,
                              absl::Duration lease) {
  RP_ASSIGN_OR_RETURN(Task task, Find(ctx, ref));
  RP_RETURN_IF_ERROR(RequireLeasedBy(task, ref.worker));
  Task next = task;
  next.set_lease_owner(std::string(to_worker));
  *next.mutable_lease_expires() =
      ToTimestamp(TruncateToMicros(ctx.now() + lease));
  returnpath::v1::TaskHandling* handed = next.add_handling();
  *handed->mutable_at() = ToTimestamp(TruncateToMicros(ctx.now()));
  handed->set_action("handed over");
  handed->set_by(ref.worker);
  handed->set_to(std::string(to_worker));
  RP_RETURN_IF_ERROR(ctx.ReplaceTask(task, next));
  return next;
}

absl::StatusOr<Task> Requeue(CommandContext& ctx, const TaskRef& ref,
                             absl::string_view reason) {
  RP_ASSIGN_OR_RETURN(Task task, Find(ctx, ref));
  if (task.state() != returnpath::v1::TASK_STATE_DEAD_LETTER) {
    return absl::FailedPreconditionError(absl::StrCat(
        Name(task), " is not dead-lettered: it is ", StateWord(task.state()),
        "; only a dead letter is requeued"));
  }
  Task next = task;
  next.set_state(returnpath::v1::TASK_STATE_OPEN);
  next.set_attempts(0);
  next.clear_lease_owner();
  next.clear_lease_expires();
  *next.mutable_visible_time() = ToTimestamp(TruncateToMicros(ctx.now()));
  returnpath::v1::TaskHandling* requeued = next.add_handling();
  *requeued->mutable_at() = ToTimestamp(TruncateToMicros(ctx.now()));
  requeued->set_action("requeued");
  requeued->set_by(ref.worker);
  requeued->set_reason(std::string(reason));
  RP_RETURN_IF_ERROR(ctx.ReplaceTask(task, next));
  return next;
}

absl::StatusOr<Task> Extend(CommandContext& ctx, const TaskRef& ref,
                            absl::Duration lease) {
  RP_ASSIGN_OR_RETURN(Task task, Find(ctx, ref));
  RP_RETURN_IF_ERROR(RequireLeasedBy(task, ref.worker));
  Task next = task;
  *next.mutable_lease_expires() =
      ToTimestamp(TruncateToMicros(ctx.now() + lease));
  RP_RETURN_IF_ERROR(ctx.ReplaceTask(task, next));
  return next;
}

}  // namespace returnpath::engine::task_commands
