#ifndef RETURNPATH_SERVER_TASK_POLL_REACTORS_H_
#define RETURNPATH_SERVER_TASK_POLL_REACTORS_H_

#include <string>

#include "absl/synchronization/mutex.h"
#include "engine/task_queue.h"
#include "grpcpp/grpcpp.h"
#include "returnpath/v1/services.pb.h"
#include "server/auth.h"
#include "server/service_deps.h"

namespace returnpath::engine {

// What a long poll asks of the queue, and for whom.
struct PollSpec {
  std::string queue;
  std::string worker;
  absl::Duration lease;
  absl::Duration wait;
  TaskFilter filter;    // the tasks whose person the caller may see
  Principal principal;  // whose reads the access log records
};

// One long poll: answers with a leased task or none after the wait. A leased
// task is a read of its person: it is served once its access-log record is
// durable (waited for by callback, holding no thread); if that fails the task
// goes back. A client that hangs up cancels the poll (a task leased for it
// meanwhile goes back). Deletes itself when done.
class PollReactor final : public grpc::ServerUnaryReactor {
 public:
  PollReactor(const ServiceDeps& deps, TaskQueue* tasks, PollSpec spec,
              v1::PollTasksResponse* response);
  void OnCancel() override;
  void OnDone() override { delete this; }

 private:
  void Serve(v1::Task task);

  const ServiceDeps deps_;
  TaskQueue* const tasks_;
  const PollSpec spec_;
  v1::PollTasksResponse* const response_;
  absl::Mutex mu_;
  uint64_t poll_id_ ABSL_GUARDED_BY(mu_) = 0;
  bool answered_ ABSL_GUARDED_BY(mu_) = false;
};

// A task subscription: polls again and again, writing each leased task
// (access-logged first, as above), until the client hangs up or `max_tasks`
// (0: no limit) were served. Deletes itself when done.
class SubscribeReactor final : public grpc::ServerWriteReactor<v1::Task> {
 public:
  SubscribeReactor(const ServiceDeps& deps, TaskQueue* tasks, PollSpec spec,
                   uint32_t max_tasks);
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override { delete this; }

 private:
  void PollNext();
  void OnPolled(absl::StatusOr<std::optional<v1::Task>> result);
  // Logs the read of `task`'s person, then writes it (Write).
  void Serve(v1::Task task);
  void Write(v1::Task task);
  // Finishes the call with `status` unless it is finished. The last touch of
  // the reactor by its caller: OnDone may delete it at once.
  void End(const grpc::Status& status) ABSL_LOCKS_EXCLUDED(mu_);

  const ServiceDeps deps_;
  TaskQueue* const tasks_;
  const PollSpec spec_;
  const uint32_t max_tasks_;
  v1::Task current_;
  absl::Mutex mu_;
  uint64_t poll_id_ ABSL_GUARDED_BY(mu_) = 0;
  uint32_t served_ ABSL_GUARDED_BY(mu_) = 0;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // A poll is waiting in the queue: its answer still calls this reactor.
  bool polling_ ABSL_GUARDED_BY(mu_) = false;
  bool hung_up_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_TASK_POLL_REACTORS_H_
