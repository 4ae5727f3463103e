#include "engine/server/task_poll_reactors.h"

#include "engine/server/call_auth.h"

namespace returnpath::engine {

PollReactor::PollReactor(TaskQueue* tasks, PollSpec spec,
                         v1::PollTasksResponse* response)
    : tasks_(tasks), response_(response) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<uint64_t> id =
      tasks_->PollAsync(spec.queue, spec.worker, spec.lease, spec.wait,
                        [this](absl::StatusOr<std::optional<v1::Task>> result) {
                          {
                            absl::MutexLock lock(&mu_);
                            answered_ = true;
                          }
                          if (!result.ok())
                            return Finish(ToGrpcStatus(result.status()));
                          if (result->has_value())
                            *response_->mutable_task() = **std::move(result);
                          Finish(grpc::Status::OK);
                        });
  if (!id.ok()) {
    answered_ = true;
    Finish(ToGrpcStatus(id.status()));
    return;
  }
  poll_id_ = *id;
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

SubscribeReactor::SubscribeReactor(TaskQueue* tasks, PollSpec spec)
    : tasks_(tasks), spec_(std::move(spec)) {
  PollNext();
}

void SubscribeReactor::PollNext() {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  absl::StatusOr<uint64_t> id =
      tasks_->PollAsync(spec_.queue, spec_.worker, spec_.lease, spec_.wait,
                        [this](absl::StatusOr<std::optional<v1::Task>> result) {
                          OnPolled(std::move(result));
                        });
  if (!id.ok()) {
    finished_ = true;
    Finish(ToGrpcStatus(id.status()));
    return;
  }
  poll_id_ = *id;
}

void SubscribeReactor::OnPolled(
    absl::StatusOr<std::optional<v1::Task>> result) {
  {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    if (!result.ok()) {
      finished_ = true;
      Finish(ToGrpcStatus(result.status()));
      return;
    }
  }
  if (!result->has_value())
    return PollNext();  // the wait ran out: keep listening
  current_ = **std::move(result);
  StartWrite(&current_);
}

void SubscribeReactor::OnWriteDone(bool ok) {
  if (ok) return PollNext();
  absl::MutexLock lock(&mu_);
  if (!finished_) {
    finished_ = true;
    Finish(
        grpc::Status(grpc::StatusCode::CANCELLED, "the subscriber went away"));
  }
}

void SubscribeReactor::OnCancel() {
  uint64_t id;
  {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    finished_ = true;
    id = poll_id_;
    Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the subscriber hung up"));
  }
  tasks_->CancelPoll(id);
}

}  // namespace returnpath::engine
