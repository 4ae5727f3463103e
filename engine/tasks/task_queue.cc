#include "engine/task_queue.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "commit/command_context.h"
#include "commit/sequencer.h"
#include "engine/status_macros.h"
#include "store/keys.h"
#include "tasks/task_commands.h"
#include "tasks/task_listing.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::Task;

absl::Status CheckName(absl::string_view field, absl::string_view value) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is empty"));
  }
  if (value.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " contains a NUL byte"));
  }
  return absl::OkStatus();
}

absl::Status CheckRef(const TaskRef& ref) {
  RP_RETURN_IF_ERROR(CheckName("stream id", ref.stream_id));
  RP_RETURN_IF_ERROR(CheckName("task id", ref.task_id));
  return CheckName("worker", ref.worker);
}

// `command` on `ref`'s task, with what it reads first (Command::reads) if
// `commands` takes them: the task, and its stream as an append of a task
// event reads it.
Command OnTask(const CommandQueue& commands, const TaskRef& ref,
               Command command, absl::string_view idempotency_key = "") {
  if (!commands.TakesReads()) return command;
  AppendRequest append;
  append.stream_id = ref.stream_id;
  append.idempotency_key = std::string(idempotency_key);
  command.reads = AppendReads(append, nullptr, /*sealed=*/false);
  command.reads.push_back(
      {Table::kTasks, keys::StreamItem(ref.stream_id, ref.task_id)});
  return command;
}

}  // namespace

TaskQueue::TaskQueue(EventStore* store, CommandQueue* commands, Clock* clock,
                     TaskQueueOptions options)
    : store_(store),
      commands_(commands),
      clock_(clock),
      options_(options),
      wakeup_(std::make_shared<Wakeup>()) {}

absl::StatusOr<std::unique_ptr<TaskQueue>> TaskQueue::Create(
    EventStore* store, Clock* clock, TaskQueueOptions options) {
  if (store == nullptr) return absl::InvalidArgumentError("store is null");
  if (clock == nullptr) return absl::InvalidArgumentError("clock is null");
  if (options.max_attempts < 1) {
    return absl::InvalidArgumentError("max_attempts must be at least 1");
  }
  if (options.retry_base <= absl::ZeroDuration() ||
      options.retry_max < options.retry_base) {
    return absl::InvalidArgumentError(
        "retry_base must be positive and at most retry_max");
  }
  if (options.max_lease <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("max_lease must be positive");
  }
  CommandQueue* commands = CommandQueueOf(*store);
  if (commands == nullptr) {
    return absl::InvalidArgumentError("the store takes no commands");
  }
  // A closed store is refused here rather than at the first call.
  RP_RETURN_IF_ERROR(store->Snapshot().status());
  auto queue = std::unique_ptr<TaskQueue>(
      new TaskQueue(store, commands, clock, options));
  Wakeup::ListenTo(queue->wakeup_, clock, store);
  queue->thread_ = std::thread([raw = queue.get()] { raw->PollLoop(); });
  return queue;
}

TaskQueue::~TaskQueue() { Stop(); }

absl::Status TaskQueue::CheckLease(absl::Duration lease) const {
  if (lease <= absl::ZeroDuration() || lease > options_.max_lease) {
    return absl::InvalidArgumentError(
        absl::StrCat("lease must be positive and at most ",
                     absl::FormatDuration(options_.max_lease), ", not ",
                     absl::FormatDuration(lease)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Task>> TaskQueue::Lease(absl::string_view queue,
                                                     absl::string_view worker,
                                                     absl::Duration lease,
                                                     const TaskFilter& filter) {
  RP_RETURN_IF_ERROR(CheckName("queue", queue));
  RP_RETURN_IF_ERROR(CheckName("worker", worker));
  RP_RETURN_IF_ERROR(CheckLease(lease));
  return RunCommand<std::optional<Task>>(
      *commands_, [q = std::string(queue), w = std::string(worker), lease,
                   options = options_, &filter](CommandContext& ctx) {
        return task_commands::Lease(ctx, q, w, lease, options, filter);
      });
}

void TaskQueue::CompleteAsync(CompleteRequest request,
                              Done<CompleteResult> done) {
  if (absl::Status bad = CheckRef(request.task); !bad.ok()) return done(bad);
  const TaskRef ref = request.task;
  const std::string key = request.idempotency_key;
  Command command = MakeCommand<CompleteResult>(
      [request = std::move(request)](CommandContext& ctx) {
        return task_commands::Complete(ctx, request);
      },
      std::move(done));
  commands_->Submit(OnTask(*commands_, ref, std::move(command), key));
}

void TaskQueue::FailAsync(TaskRef ref, std::string error, Done<Task> done) {
  if (absl::Status bad = CheckRef(ref); !bad.ok()) return done(bad);
  Command command = MakeCommand<Task>(
      [ref, error = std::move(error), options = options_](CommandContext& ctx) {
        return task_commands::Fail(ctx, ref, error, options);
      },
      std::move(done));
  commands_->Submit(OnTask(*commands_, ref, std::move(command)));
}

void TaskQueue::ReleaseAsync(TaskRef ref, Done<Task> done) {
  if (absl::Status bad = CheckRef(ref); !bad.ok()) return done(bad);
  Command command = MakeCommand<Task>(
      [ref](CommandContext& ctx) { return task_commands::Release(ctx, ref); },
      std::move(done));
  commands_->Submit(OnTask(*commands_, ref, std::move(command)));
}

void TaskQueue::ClaimAsync(TaskRef ref, absl::Duration lease,
                           absl::TimeZone zone, Done<Task> done) {
  absl::Status bad = CheckRef(ref);
  if (bad.ok()) bad = CheckLease(lease);
  if (!bad.ok()) return done(bad);
  Command command = MakeCommand<Task>(
      [ref, lease, zone, options = options_](CommandContext& ctx) {
        return task_commands::Claim(ctx, ref, lease, zone, options);
      },
      std::move(done));
  commands_->Submit(OnTask(*commands_, ref, std::move(command)));
}

void TaskQueue::ReassignAsync(TaskRef ref, std::string to_worker,
                              absl::Duration lease, Done<Task> done) {
  absl::Status bad = CheckRef(ref);
  if (bad.ok()) bad = CheckName("to_worker", to_worker);
  if (bad.ok()) bad = CheckLease(lease);
  if (!bad.ok()) return done(bad);
  Command command = MakeCommand<Task>(
      [ref, to = std::move(to_worker), lease](CommandContext& ctx) {
        return task_commands::Reassign(ctx, ref, to, lease);
      },
      std::move(done));
  commands_->Submit(OnTask(*commands_, ref, std::move(command)));
}

void TaskQueue::RequeueAsync(TaskRef ref, std::string reason, Done<Task> done) {
  absl::Status bad = CheckRef(ref);
  if (bad.ok()) bad = CheckName("reason", reason);
  if (!bad.ok()) return done(bad);
  Command command = MakeCommand<Task>(
      [ref, reason = std::move(reason)](CommandContext& ctx) {
        return task_commands::Requeue(ctx, ref, reason);
      },
      std::move(done));
  commands_->Submit(OnTask(*commands_, ref, std::move(command)));
}

void TaskQueue::ExtendLeaseAsync(TaskRef ref, absl::Duration lease,
                                 Done<Task> done) {
  absl::Status bad = CheckRef(ref);
  if (bad.ok()) bad = CheckLease(lease);
  if (!bad.ok()) return done(bad);
  Command command = MakeCommand<Task>(
      [ref, lease](CommandContext& ctx) {
        return task_commands::Extend(ctx, ref, lease);
      },
      std::move(done));
  commands_->Submit(OnTask(*commands_, ref, std::move(command)));
}

absl::StatusOr<CompleteResult> TaskQueue::Complete(
    const CompleteRequest& request) {
  return AwaitAnswer<CompleteResult>([&](Done<CompleteResult> done) {
    CompleteAsync(request, std::move(done));
  });
}

absl::StatusOr<Task> TaskQueue::Fail(const TaskRef& ref,
                                     absl::string_view error) {
  return AwaitAnswer<Task>([&](Done<Task> done) {
    FailAsync(ref, std::string(error), std::move(done));
  });
}

absl::StatusOr<Task> TaskQueue::Release(const TaskRef& ref) {
  return AwaitAnswer<Task>(
      [&](Done<Task> done) { ReleaseAsync(ref, std::move(done)); });
}

absl::StatusOr<Task> TaskQueue::ExtendLease(const TaskRef& ref,
                                            absl::Duration lease) {
  return AwaitAnswer<Task>(
      [&](Done<Task> done) { ExtendLeaseAsync(ref, lease, std::move(done)); });
}

absl::StatusOr<TaskPage> TaskQueue::List(const TaskListQuery& query) {
  RP_RETURN_IF_ERROR(CheckName("queue", query.queue));
  return ListTaskPage(*store_, query);
}

absl::StatusOr<TaskPage> TaskQueue::ListDeadLetters(
    absl::string_view queue, int page_size, absl::string_view page_token) {
  TaskListQuery query;
  query.queue = std::string(queue);
  query.state = returnpath::v1::TASK_STATE_DEAD_LETTER;
  query.page_size = page_size;
  query.page_token = std::string(page_token);
  return List(query);
}

absl::Status TaskQueue::VisitLive(
    absl::string_view queue, const std::function<void(const Task&)>& visit) {
  if (!queue.empty()) RP_RETURN_IF_ERROR(CheckName("queue", queue));
  return VisitLiveTasks(*store_, queue, visit);
}

absl::StatusOr<std::map<std::string, QueueTally>> TaskQueue::Tally(
    absl::Time now) {
  return TallyLiveTasks(*store_, now);
}

absl::StatusOr<std::vector<Task>> TaskQueue::ListHeld(
    const std::function<bool(absl::string_view lease_owner)>& holds,
    size_t limit) {
  return ListHeldTasks(*store_, clock_->Now(), holds, limit);
}

}  // namespace returnpath::engine
