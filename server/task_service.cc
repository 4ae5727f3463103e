#include "server/task_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/rpc/unary_call.h"
#include "engine/status_macros.h"
#include "server/input_bounds.h"
#include "server/person_scope.h"
#include "server/queue_summary.h"
#include "server/task_listing.h"
#include "server/task_poll_reactors.h"

namespace returnpath::engine {
namespace {

// A lease long enough for a conversation to be booked, short enough that a
// crashed worker's task comes back within the hour.
constexpr absl::Duration kDefaultLease = absl::Minutes(5);
// The longest a long poll is held open; clients poll again after it.
constexpr absl::Duration kMaxWait = absl::Seconds(60);

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

absl::Status RequireTaskRole(const Principal& principal,
                             absl::string_view action) {
  return RequireRole(principal,
                     {v1::ROLE_RECEPTION, v1::ROLE_ADVISER, v1::ROLE_POLICE},
                     action);
}

absl::Status RequireQueue(const Principal& principal, const std::string& queue,
                          absl::string_view action) {
  if (queue.empty()) return absl::InvalidArgumentError("queue is required");
  return RequireScope(principal, {absl::StrCat("queue/", queue)},
                      absl::StrCat(action, " in queue ", queue));
}

// Leases are held in the caller's name: "<principal>" or
// "<principal>/<worker>".
std::string WorkerName(const Principal& principal, const std::string& worker) {
  return worker.empty() ? principal.name
                        : absl::StrCat(principal.name, "/", worker);
}

// The tasks the principal may lease: those of persons in its scope. The name
// is the scopes: filters with the same scopes allow the same tasks.
TaskFilter PersonsInScope(const Principal& principal) {
  return TaskFilter{absl::StrJoin(principal.scopes, "\n"),
                    [principal](const v1::StreamRecord& person) {
                      return CoversPerson(principal, person);
                    }};
}

// A lease asked for in a request: unset is the default, negative is refused.
absl::StatusOr<absl::Duration> RequestedLease(
    const google::protobuf::Duration& lease) {
  const absl::Duration asked = FromProto(lease);
  if (asked < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("lease must not be negative");
  }
  return asked == absl::ZeroDuration() ? kDefaultLease : asked;
}

absl::StatusOr<PollSpec> MakePollSpec(const Principal& principal,
                                      const absl::Status& bounds,
                                      const std::string& queue,
                                      const std::string& worker,
                                      const google::protobuf::Duration& lease,
                                      const google::protobuf::Duration* wait) {
  RP_RETURN_IF_ERROR(RequireTaskRole(principal, "take tasks"));
  RP_RETURN_IF_ERROR(bounds);
  RP_RETURN_IF_ERROR(RequireQueue(principal, queue, "take tasks"));
  RP_ASSIGN_OR_RETURN(const absl::Duration leased, RequestedLease(lease));
  PollSpec spec{queue,    WorkerName(principal, worker), leased,
                kMaxWait, PersonsInScope(principal),     principal};
  if (wait != nullptr) {
    spec.wait = FromProto(*wait);
    if (spec.wait < absl::ZeroDuration()) {
      return absl::InvalidArgumentError("wait must not be negative");
    }
    spec.wait = std::min(spec.wait, kMaxWait);
  }
  return spec;
}

// A task reference checked against the caller, with what was read for it.
struct ResolvedTask {
  TaskRef ref;
  v1::Task task;
  v1::StreamRecord person;
};

// Checks the reference and that the caller may see the task: both its queue
// and its person in scope. A task outside either is answered as missing.
absl::StatusOr<ResolvedTask> ResolveTask(const ServiceDeps& deps,
                                         const Principal& principal,
                                         const absl::Status& bounds,
                                         const v1::TaskRef& ref,
                                         absl::string_view action) {
  RP_RETURN_IF_ERROR(RequireTaskRole(principal, action));
  RP_RETURN_IF_ERROR(bounds);  // before any message names an id
  if (ref.person_id().empty())
    return absl::InvalidArgumentError("task.person_id is required");
  if (ref.task_id().empty())
    return absl::InvalidArgumentError("task.task_id is required");
  const absl::Status missing = NoSuchTask(ref.person_id(), ref.task_id());
  absl::StatusOr<v1::StreamRecord> person =
      ReadablePerson(*deps.store, principal, ref.person_id());
  if (absl::IsNotFound(person.status())) return missing;
  RP_RETURN_IF_ERROR(person.status());
  absl::StatusOr<v1::Task> task =
      deps.store->GetTask(ref.person_id(), ref.task_id());
  if (absl::IsNotFound(task.status())) return missing;
  RP_RETURN_IF_ERROR(task.status());
  if (!ScopeCovers(principal, absl::StrCat("queue/", task->queue()))) {
    return missing;
  }
  return ResolvedTask{
      TaskRef{ref.person_id(), ref.task_id(),
              WorkerName(principal, ref.worker())},
      *std::move(task), *std::move(person)};
}

absl::StatusOr<TaskRef> Resolve(const ServiceDeps& deps,
                                const Principal& principal,
                                const absl::Status& bounds,
                                const v1::TaskRef& ref,
                                absl::string_view action) {
  RP_ASSIGN_OR_RETURN(ResolvedTask resolved,
                      ResolveTask(deps, principal, bounds, ref, action));
  return std::move(resolved.ref);
}

// The zone people read lease ends in: the one the workflow dates facts in.
absl::TimeZone PeoplesZone(const ServiceDeps& deps) {
  absl::TimeZone zone = absl::UTCTimeZone();
  if (deps.workflow != nullptr) {
    absl::LoadTimeZone(deps.workflow->StatisticsTimeZone(), &zone);
  }
  return zone;
}

// The colleague a task is handed to: a current principal with a task role,
// the task's queue and its person in scope. Unknown and not allowed read
// alike (no oracle for principal names).
absl::StatusOr<Principal> Colleague(const ServiceDeps& deps,
                                    const std::string& name,
                                    const ResolvedTask& resolved) {
  if (name.empty()) {
    return absl::InvalidArgumentError(
        "to_principal is required: the colleague who takes the task over");
  }
  absl::StatusOr<Principal> colleague = deps.auth->ByName(name);
  if (!colleague.ok() || !RequireTaskRole(*colleague, "take tasks").ok() ||
      !ScopeCovers(*colleague,
                   absl::StrCat("queue/", resolved.task.queue())) ||
      !CoversPerson(*colleague, resolved.person)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot hand the task over to \"", name,
        "\": a task is handed over only to a current principal with a task "
        "role whose scopes cover queue/",
        resolved.task.queue(), " and the task's person"));
  }
  return colleague;
}

// A task served back to the caller is a read of its person: once the task
// call is durable its read is logged, and the task is served only once that
// entry is durable too (LogThenServe). Runs on the sequencer thread.
TaskQueue::Done<v1::Task> ServeTaskWhenLogged(const ServiceDeps& deps,
                                              Principal principal,
                                              absl::string_view method,
                                              v1::Task* response,
                                              Finish finish) {
  return [&deps, principal = std::move(principal),
          method = std::string(method), response,
          finish = std::move(finish)](absl::StatusOr<v1::Task> task) mutable {
    if (!task.ok()) return finish(task.status());
    std::string person = task->stream_id();
    LogThenServe(
        deps, principal, method, {std::move(person)},
        [response, task = *std::move(task)]() mutable {
          *response = std::move(task);
          return absl::OkStatus();
        },
        std::move(finish));
  };
}

}  // namespace

template <typename Request>
grpc::ServerUnaryReactor* TaskService::ActOnTask(
    grpc::CallbackServerContext* ctx, const Request* request,
    v1::Task* response, absl::string_view action, absl::string_view read_name,
    absl::AnyInvocable<void(TaskRef, TaskQueue::Done<v1::Task>)> act) {
  return RunUnary(
      deps_, ctx,
      [this, request, response, action, read_name, act = std::move(act)](
          const Principal& principal, Finish finish) mutable {
        absl::StatusOr<TaskRef> ref = Resolve(
            deps_, principal, CheckBounds(*request), request->task(), action);
        if (!ref.ok()) return finish(ref.status());
        act(*std::move(ref), ServeTaskWhenLogged(deps_, principal, read_name,
                                                 response, std::move(finish)));
      });
}

grpc::ServerUnaryReactor* TaskService::Poll(grpc::CallbackServerContext* ctx,
                                            const v1::PollTasksRequest* request,
                                            v1::PollTasksResponse* response) {
  absl::StatusOr<Principal> principal = AuthenticateCall(*deps_.auth, *ctx);
  absl::StatusOr<PollSpec> spec =
      principal.ok()
          ? MakePollSpec(*principal, CheckBounds(*request), request->queue(),
                         request->worker(), request->lease(), &request->wait())
          : absl::StatusOr<PollSpec>(principal.status());
  if (!spec.ok()) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(ToGrpcStatus(spec.status()));
    return reactor;
  }
  return new PollReactor(deps_, tasks_, *std::move(spec), response);
}

grpc::ServerWriteReactor<v1::Task>* TaskService::Subscribe(
    grpc::CallbackServerContext* ctx,
    const v1::SubscribeTasksRequest* request) {
  absl::StatusOr<Principal> principal = AuthenticateCall(*deps_.auth, *ctx);
  absl::StatusOr<PollSpec> spec =
      principal.ok()
          ? MakePollSpec(*principal, CheckBounds(*request), request->queue(),
                         request->worker(), request->lease(), nullptr)
          : absl::StatusOr<PollSpec>(principal.status());
  if (!spec.ok()) {
    class Failed final : public grpc::ServerWriteReactor<v1::Task> {
     public:
      explicit Failed(const absl::Status& status) {
        Finish(ToGrpcStatus(status));
      }
      void OnDone() override { delete this; }
    };
    return new Failed(spec.status());
  }
  return new SubscribeReactor(deps_, tasks_, *std::move(spec),
                              request->max_tasks());
}

grpc::ServerUnaryReactor* TaskService::Complete(
    grpc::CallbackServerContext* ctx, const v1::CompleteTaskRequest* request,
    v1::CompleteTaskResponse* response) {
  return RunUnary(deps_, ctx,
                  [this, request, response](const Principal& principal,
                                            Finish finish) {
                    absl::StatusOr<TaskRef> ref =
                        Resolve(deps_, principal, CheckBounds(*request),
                                request->task(), "complete a task");
                    if (!ref.ok()) return finish(ref.status());
                    if (request->outcome().empty()) {
                      return finish(absl::InvalidArgumentError(
                          "outcome is required: what came of the task, e.g. "
                          "\"held\" or \"relocated\""));
                    }
                    tasks_->CompleteAsync(
                        CompleteRequest{*std::move(ref), request->outcome(),
                                        request->note(),
                                        request->idempotency_key(),
                                        principal.name, ""},
                        [response, finish = std::move(finish)](
                            absl::StatusOr<CompleteResult> result) mutable {
                          if (!result.ok()) return finish(result.status());
                          response->set_position(result->position);
                          response->set_deduplicated(result->deduplicated);
                          finish(absl::OkStatus());
                        });
                  });
}

grpc::ServerUnaryReactor* TaskService::Fail(grpc::CallbackServerContext* ctx,
                                            const v1::FailTaskRequest* request,
                                            v1::Task* response) {
  return ActOnTask(
      ctx, request, response, "fail a task", "FailTask",
      [this, request](TaskRef ref, TaskQueue::Done<v1::Task> done) {
        if (request->error().empty()) {
          return done(absl::InvalidArgumentError(
              "error is required: why the task could not be done"));
        }
        tasks_->FailAsync(std::move(ref), request->error(), std::move(done));
      });
}

grpc::ServerUnaryReactor* TaskService::Release(
    grpc::CallbackServerContext* ctx, const v1::ReleaseTaskRequest* request,
    v1::Task* response) {
  return ActOnTask(
      ctx, request, response, "release a task", "ReleaseTask",
      [this](TaskRef ref, TaskQueue::Done<v1::Task> done) {
        tasks_->ReleaseAsync(std::move(ref), std::move(done));
      });
}

grpc::ServerUnaryReactor* TaskService::ExtendLease(
    grpc::CallbackServerContext* ctx, const v1::ExtendLeaseRequest* request,
    v1::Task* response) {
  return ActOnTask(
      ctx, request, response, "extend a lease", "ExtendLease",
      [this, request](TaskRef ref, TaskQueue::Done<v1::Task> done) {
        const absl::Duration lease = FromProto(request->lease());
        if (lease <= absl::ZeroDuration()) {
          return done(absl::InvalidArgumentError("lease must be positive"));
        }
        tasks_->ExtendLeaseAsync(std::move(ref), lease, std::move(done));
      });
}

grpc::ServerUnaryReactor* TaskService::ListTasks(
    grpc::CallbackServerContext* ctx, const v1::ListTasksRequest* request,
    v1::ListTasksResponse* response) {
  return ListInState(ctx, request, response, "ListTasks", "list tasks",
                     request->state());
}

grpc::ServerUnaryReactor* TaskService::ListDeadLetters(
    grpc::CallbackServerContext* ctx, const v1::ListTasksRequest* request,
    v1::ListTasksResponse* response) {
  return ListInState(ctx, request, response, "ListDeadLetters",
                     "list dead letters", v1::TASK_STATE_DEAD_LETTER);
}

grpc::ServerUnaryReactor* TaskService::ListInState(
    grpc::CallbackServerContext* ctx, const v1::ListTasksRequest* request,
    v1::ListTasksResponse* response, const char* method, const char* action,
    v1::TaskState state) {
  return RunUnary(deps_, ctx,
                  [this, request, response, method, action, state](
                      const Principal& principal, Finish finish) {
                    absl::Status allowed = RequireTaskRole(principal, action);
                    if (allowed.ok()) allowed = CheckBounds(*request);
                    if (allowed.ok()) {
                      allowed =
                          RequireQueue(principal, request->queue(), action);
                    }
                    if (!allowed.ok()) return finish(allowed);
                    ServeTasksInScope(deps_, *tasks_, principal, method,
                                      *request, state, response,
                                      std::move(finish));
                  });
}

grpc::ServerUnaryReactor* TaskService::Claim(
    grpc::CallbackServerContext* ctx, const v1::ClaimTaskRequest* request,
    v1::Task* response) {
  return ActOnTask(
      ctx, request, response, "claim a task", "ClaimTask",
      [this, request](TaskRef ref, TaskQueue::Done<v1::Task> done) {
        absl::StatusOr<absl::Duration> lease = RequestedLease(request->lease());
        if (!lease.ok()) return done(lease.status());
        tasks_->ClaimAsync(std::move(ref), *lease, PeoplesZone(deps_),
                           std::move(done));
      });
}

grpc::ServerUnaryReactor* TaskService::ListMine(
    grpc::CallbackServerContext* ctx, const v1::ListMineRequest* request,
    v1::ListMineResponse* response) {
  return RunUnary(deps_, ctx,
                  [this, request, response](const Principal& principal,
                                            Finish finish) {
                    absl::Status allowed =
                        RequireTaskRole(principal, "list their tasks");
                    if (allowed.ok()) allowed = CheckBounds(*request);
                    if (!allowed.ok()) return finish(allowed);
                    ServeHeldTasks(deps_, *tasks_, principal, response,
                                   std::move(finish));
                  });
}

grpc::ServerUnaryReactor* TaskService::Reassign(
    grpc::CallbackServerContext* ctx, const v1::ReassignTaskRequest* request,
    v1::Task* response) {
  return RunUnary(
      deps_, ctx,
      [this, request, response](const Principal& principal, Finish finish) {
        absl::StatusOr<ResolvedTask> resolved =
            ResolveTask(deps_, principal, CheckBounds(*request),
                        request->task(), "hand a task over");
        if (!resolved.ok()) return finish(resolved.status());
        absl::StatusOr<Principal> colleague =
            Colleague(deps_, request->to_principal(), *resolved);
        if (!colleague.ok()) return finish(colleague.status());
        absl::StatusOr<absl::Duration> lease = RequestedLease(request->lease());
        if (!lease.ok()) return finish(lease.status());
        tasks_->ReassignAsync(
            std::move(resolved->ref),
            WorkerName(*colleague, request->to_worker()), *lease,
            ServeTaskWhenLogged(deps_, principal, "ReassignTask", response,
                                std::move(finish)));
      });
}

grpc::ServerUnaryReactor* TaskService::Requeue(
    grpc::CallbackServerContext* ctx, const v1::RequeueTaskRequest* request,
    v1::Task* response) {
  return ActOnTask(
      ctx, request, response, "requeue a task", "RequeueTask",
      [this, request](TaskRef ref, TaskQueue::Done<v1::Task> done) {
        if (request->reason().empty()) {
          return done(absl::InvalidArgumentError(
              "reason is required: why the task is worth another try"));
        }
        tasks_->RequeueAsync(std::move(ref), request->reason(),
                             std::move(done));
      });
}

grpc::ServerUnaryReactor* TaskService::QueueSummary(
    grpc::CallbackServerContext* ctx, const v1::QueueSummaryRequest* request,
    v1::QueueSummaryResponse* response) {
  return RunUnarySync(
      deps_, ctx, [this, request, response](const Principal& principal) {
        const char* action = "count tasks";
        RP_RETURN_IF_ERROR(RequireTaskRole(principal, action));
        RP_RETURN_IF_ERROR(CheckBounds(*request));
        // Every queue in scope, or one named queue checked as ListTasks does.
        if (!request->queue().empty()) {
          RP_RETURN_IF_ERROR(RequireQueue(principal, request->queue(), action));
        }
        RP_ASSIGN_OR_RETURN(
            *response, SummarizeQueues(deps_, *tasks_, principal, *request));
        return absl::OkStatus();
      });
}

}  // namespace returnpath::engine
