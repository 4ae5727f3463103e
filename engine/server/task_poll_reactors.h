#ifndef RETURNPATH_ENGINE_SERVER_TASK_POLL_REACTORS_H_
#define RETURNPATH_ENGINE_SERVER_TASK_POLL_REACTORS_H_

#include <string>

#include "absl/synchronization/mutex.h"
#include "engine/task_queue.h"
#include "grpcpp/grpcpp.h"
#include "returnpath/v1/services.pb.h"

namespace returnpath::engine {

// What a long poll asks of the queue.
struct PollSpec {
  std::string queue;
  std::string worker;
  absl::Duration lease;
  absl::Duration wait;
};

// One long poll: answers with a leased task or none after the wait. A client
// that hangs up cancels the poll (a task leased for it meanwhile goes back).
// Deletes itself when done.
class PollReactor final : public grpc::ServerUnaryReactor {
 public:
  PollReactor(TaskQueue* tasks, PollSpec spec, v1::PollTasksResponse* response);
  void OnCancel() override;
  void OnDone() override { delete this; }

 private:
  TaskQueue* const tasks_;
  v1::PollTasksResponse* const response_;
  absl::Mutex mu_;
  uint64_t poll_id_ ABSL_GUARDED_BY(mu_) = 0;
  bool answered_ ABSL_GUARDED_BY(mu_) = false;
};

// A task subscription: polls again and again, writing each leased task,
// until the client hangs up. Deletes itself when done.
class SubscribeReactor final : public grpc::ServerWriteReactor<v1::Task> {
 public:
  SubscribeReactor(TaskQueue* tasks, PollSpec spec);
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override { delete this; }

 private:
  void PollNext();
  void OnPolled(absl::StatusOr<std::optional<v1::Task>> result);

  TaskQueue* const tasks_;
  const PollSpec spec_;
  v1::Task current_;
  absl::Mutex mu_;
  uint64_t poll_id_ ABSL_GUARDED_BY(mu_) = 0;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_SERVER_TASK_POLL_REACTORS_H_
