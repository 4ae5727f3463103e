#ifndef RETURNPATH_SERVER_TASK_SERVICE_H_
#define RETURNPATH_SERVER_TASK_SERVICE_H_

#include "engine/rpc/request_decoding.h"
#include "engine/task_queue.h"
#include "returnpath/v1/services.grpc.pb.h"
#include "server/service_deps.h"

namespace returnpath::engine {

// The advisers' and police liaison's service: long-poll and subscribe to a
// queue, claim a chosen task, complete, fail, release, extend and hand over
// leased tasks, list queues, dead letters and the caller's own tasks, and
// requeue dead letters, and count a queue's open, leased, overdue and
// dead-lettered tasks. A caller works only queues its scopes name
// ("queue/<q>"), and leases in its own name. Thread-safe; `deps` and `tasks`
// outlive it.
class TaskService final : public v1::TaskService::CallbackService {
 public:
  TaskService(ServiceDeps deps, TaskQueue* tasks)
      : deps_(deps), tasks_(tasks) {
    DecodeGuards(this, "returnpath.v1.TaskService")
        .Method("Poll", &TaskService::Poll)
        .Method("Subscribe", &TaskService::Subscribe)
        .Method("Complete", &TaskService::Complete)
        .Method("Fail", &TaskService::Fail)
        .Method("Release", &TaskService::Release)
        .Method("ExtendLease", &TaskService::ExtendLease)
        .Method("ListTasks", &TaskService::ListTasks)
        .Method("ListDeadLetters", &TaskService::ListDeadLetters)
        .Method("Claim", &TaskService::Claim)
        .Method("ListMine", &TaskService::ListMine)
        .Method("Reassign", &TaskService::Reassign)
        .Method("Requeue", &TaskService::Requeue)
        .Method("QueueSummary", &TaskService::QueueSummary);
  }

  grpc::ServerUnaryReactor* Poll(grpc::CallbackServerContext* ctx,
                                 const v1::PollTasksRequest* request,
                                 v1::PollTasksResponse* response) override;
  grpc::ServerWriteReactor<v1::Task>* Subscribe(
      grpc::CallbackServerContext* ctx,
      const v1::SubscribeTasksRequest* request) override;
  grpc::ServerUnaryReactor* Complete(
      grpc::CallbackServerContext* ctx, const v1::CompleteTaskRequest* request,
      v1::CompleteTaskResponse* response) override;
  grpc::ServerUnaryReactor* Fail(grpc::CallbackServerContext* ctx,
                                 const v1::FailTaskRequest* request,
                                 v1::Task* response) override;
  grpc::ServerUnaryReactor* Release(grpc::CallbackServerContext* ctx,
                                    const v1::ReleaseTaskRequest* request,
                                    v1::Task* response) override;
  grpc::ServerUnaryReactor* ExtendLease(grpc::CallbackServerContext* ctx,
                                        const v1::ExtendLeaseRequest* request,
                                        v1::Task* response) override;
  grpc::ServerUnaryReactor* ListTasks(grpc::CallbackServerContext* ctx,
                                      const v1::ListTasksRequest* request,
                                      v1::ListTasksResponse* response) override;
  grpc::ServerUnaryReactor* ListDeadLetters(
      grpc::CallbackServerContext* ctx, const v1::ListTasksRequest* request,
      v1::ListTasksResponse* response) override;
  grpc::ServerUnaryReactor* Claim(grpc::CallbackServerContext* ctx,
                                  const v1::ClaimTaskRequest* request,
                                  v1::Task* response) override;
  grpc::ServerUnaryReactor* ListMine(grpc::CallbackServerContext* ctx,
                                     const v1::ListMineRequest* request,
                                     v1::ListMineResponse* response) override;
  grpc::ServerUnaryReactor* Reassign(grpc::CallbackServerContext* ctx,
                                     const v1::ReassignTaskRequest* request,
                                     v1::Task* response) override;
  grpc::ServerUnaryReactor* Requeue(grpc::CallbackServerContext* ctx,
                                    const v1::RequeueTaskRequest* request,
                                    v1::Task* response) override;
  grpc::ServerUnaryReactor* QueueSummary(
      grpc::CallbackServerContext* ctx, const v1::QueueSummaryRequest* request,
      v1::QueueSummaryResponse* response) override;

 private:
  // Fail, Release, ExtendLease, Claim and Requeue: the task the request
  // names, resolved in the caller's scope (`action` names the refusal), is
  // handed to `act` with the answer that logs its read (as `read_name`)
  // before serving it. `act` answers that callback itself, also to refuse.
  template <typename Request>
  grpc::ServerUnaryReactor* ActOnTask(
      grpc::CallbackServerContext* ctx, const Request* request,
      v1::Task* response, absl::string_view action,
      absl::string_view read_name,
      absl::AnyInvocable<void(TaskRef, TaskQueue::Done<v1::Task>)> act);

  // ListTasks and ListDeadLetters: the same checks, one state listed.
  grpc::ServerUnaryReactor* ListInState(grpc::CallbackServerContext* ctx,
                                        const v1::ListTasksRequest* request,
                                        v1::ListTasksResponse* response,
                                        const char* method, const char* action,
                                        v1::TaskState state);

  const ServiceDeps deps_;
  TaskQueue* const tasks_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_TASK_SERVICE_H_
