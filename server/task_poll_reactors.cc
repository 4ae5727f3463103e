#include "server/task_poll_reactors.h"

#include <utility>

#include "server/call_auth.h"

namespace returnpath::engine {
namespace {

grpc::Status HungUp() {
  return grpc::Status(grpc::StatusCode::CANCELLED, "the subscriber hung up");
}

// A task leased for a caller who will not get it goes back to the queue
// (if that fails, its lease simply runs out). Does not wait.
void ReleaseUnserved(TaskQueue& tasks, const v1::Task& task) {
  tasks.ReleaseAsync({task.stream_id(), task.id(), task.lease_owner()},
                     [](absl::StatusOr<v1::Task>) {});
}

// Records the read of a leased task's person before it is served, if the
// caller is still admitted (a subscription outlives its first check), then
// calls `done` (on the sequencer thread, or at once on a refusal); if either
// fails the task goes back and is not served. Does not wait.
void LogBeforeServing(const ServiceDeps& deps, TaskQueue& tasks,
                      const PollSpec& spec, absl::string_view method,
                      const v1::Task& task,
                      absl::AnyInvocable<void(absl::Status)> done) {
  absl::Status admitted = deps.auth->StillAdmitted(spec.principal);
  if (!admitted.ok()) {
    ReleaseUnserved(tasks, task);
    return done(admitted);
  }
  deps.access_log->RecordAsync(
      spec.principal, method, {task.stream_id()},
      [&tasks, task, done = std::move(done)](absl::Status logged) mutable {
        if (!logged.ok()) ReleaseUnserved(tasks, task);
        done(logged);
      });
}

}  // namespace

PollReactor::PollReactor(const ServiceDeps& deps, TaskQueue* tasks,
                         PollSpec spec, v1::PollTasksResponse* response)
    : deps_(deps), tasks_(tasks), spec_(std::move(spec)), response_(response) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<uint64_t> id = tasks_->PollAsync(
      spec_.queue, spec_.worker, spec_.lease, spec_.wait,
      [this](absl::StatusOr<std::optional<v1::Task>> result) {
        {
          absl::MutexLock lock(&mu_);
          answered_ = true;
        }
        if (!result.ok()) return Finish(ToGrpcStatus(result.status()));
        if (!result->has_value()) return Finish(grpc::Status::OK);
        Serve(**std::move(result));
      },
      spec_.filter);
  if (!id.ok()) {
    answered_ = true;
    Finish(ToGrpcStatus(id.status()));
    return;
  }
  poll_id_ = *id;
}

void PollReactor::Serve(v1::Task task) {
  LogBeforeServing(deps_, *tasks_, spec_, "PollTasks", task,
                   [this, task](absl::Status logged) mutable {
                     if (!logged.ok()) return Finish(ToGrpcStatus(logged));
                     *response_->mutable_task() = std::move(task);
                     Finish(grpc::Status::OK);
                   });
}

void PollReactor::OnCancel() {
  uint64_t id;
  {
    absl::MutexLock lock(&mu_);
    if (answered_) return;
    id = poll_id_;
  }
  // The queue answers the poll with CANCELLED, which finishes the call.
  tasks_->CancelPoll(id);
}

SubscribeReactor::SubscribeReactor(const ServiceDeps& deps, TaskQueue* tasks,
                                   PollSpec spec, uint32_t max_tasks)
    : deps_(deps),
      tasks_(tasks),
      spec_(std::move(spec)),
      max_tasks_(max_tasks) {
  PollNext();
}

void SubscribeReactor::End(const grpc::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    finished_ = true;
  }
  Finish(status);
}

void SubscribeReactor::PollNext() {
  grpc::Status end;
  {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    if (hung_up_) {
      end = HungUp();
    } else {
      absl::StatusOr<uint64_t> id = tasks_->PollAsync(
          spec_.queue, spec_.worker, spec_.lease, spec_.wait,
          [this](absl::StatusOr<std::optional<v1::Task>> result) {
            OnPolled(std::move(result));
          },
          spec_.filter);
      if (id.ok()) {
        poll_id_ = *id;
        polling_ = true;
        return;
      }
      end = ToGrpcStatus(id.status());
    }
  }
  End(end);
}

void SubscribeReactor::OnPolled(
    absl::StatusOr<std::optional<v1::Task>> result) {
  bool hung_up;
  {
    absl::MutexLock lock(&mu_);
    polling_ = false;
    hung_up = hung_up_;
  }
  if (!result.ok())
    return End(hung_up ? HungUp() : ToGrpcStatus(result.status()));
  if (!result->has_value()) return PollNext();  // the wait ran out: listen on
  Serve(**std::move(result));
}

void SubscribeReactor::Serve(v1::Task task) {
  LogBeforeServing(deps_, *tasks_, spec_, "SubscribeTasks", task,
                   [this, task](absl::Status logged) mutable {
                     if (!logged.ok()) return End(ToGrpcStatus(logged));
                     Write(std::move(task));
                   });
}

void SubscribeReactor::Write(v1::Task task) {
  bool hung_up;
  {
    absl::MutexLock lock(&mu_);
    hung_up = hung_up_;
  }
  if (hung_up) {
    ReleaseUnserved(*tasks_, task);
    return End(HungUp());
  }
  // If the client hangs up from here on, the write fails and OnWriteDone ends
  // the call (the task's lease then runs out).
  current_ = std::move(task);
  StartWrite(&current_);
}

void SubscribeReactor::OnWriteDone(bool ok) {
  if (!ok) {
    return End(
        grpc::Status(grpc::StatusCode::CANCELLED, "the subscriber went away"));
  }
  bool last;
  {
    absl::MutexLock lock(&mu_);
    last = max_tasks_ != 0 && ++served_ >= max_tasks_;
  }
  if (last) return End(grpc::Status::OK);
  PollNext();
}

// Whoever holds the reactor ends the call: a pending poll's answer (the queue
// answers a cancelled poll), Serve, or the write's OnWriteDone. Ending it here
// would let OnDone delete the reactor under a poll still to be answered.
void SubscribeReactor::OnCancel() {
  uint64_t id;
  {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    hung_up_ = true;
    if (!polling_) return;
    id = poll_id_;
  }
  tasks_->CancelPoll(id);
}

}  // namespace returnpath::engine
