#ifndef RETURNPATH_SERVER_SERVICE_DEPS_H_
#define RETURNPATH_SERVER_SERVICE_DEPS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/strings/string_view.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/history_checker.h"
#include "engine/rpc/executor.h"
#include "engine/rpc/unary_call.h"
#include "engine/what_if.h"
#include "engine/workflow.h"
#include "grpcpp/grpcpp.h"
#include "server/access_log.h"
#include "server/auth.h"
#include "server/call_auth.h"

namespace returnpath::engine {

// What the gRPC services share. Nothing here is owned; all of it must outlive
// the services.
struct ServiceDeps {
  EventStore* store = nullptr;
  const Workflow* workflow = nullptr;
  const Authenticator* auth = nullptr;
  Executor* executor = nullptr;  // runs the blocking part of each call
  Clock* clock = nullptr;
  AccessLog* access_log = nullptr;  // every read of a person's data is logged
  // The compliance report's checker (AuditService.Compliance). Null in a
  // server that does not offer the report (some tests build one so): the
  // call is refused as not offered. returnpathd always sets it.
  const HistoryChecker* checker = nullptr;
  // The workflow under another policy, for AuditService.WhatIf (a copy of
  // the application's function). Without one, as without a checker.
  WorkflowForPolicy workflow_for_policy;
};

// Authenticates the call, then runs `work(principal, finish)` on the
// executor (engine/rpc/unary_call.h).
template <typename Work>
grpc::ServerUnaryReactor* RunUnary(const ServiceDeps& deps,
                                   grpc::CallbackServerContext* ctx,
                                   Work work) {
  return RunUnaryAs(*deps.executor, ctx, AuthenticateCall(*deps.auth, *ctx),
                    std::move(work));
}

// As RunUnary for work that answers synchronously with a status.
template <typename Work>
grpc::ServerUnaryReactor* RunUnarySync(const ServiceDeps& deps,
                                       grpc::CallbackServerContext* ctx,
                                       Work work) {
  return RunUnary(deps, ctx,
                  [work = std::move(work)](const Principal& principal,
                                           Finish finish) mutable {
                    finish(work(principal));
                  });
}

// Serves a read of persons' data only once its access-log entry is durable:
// logs that `principal` read `persons` through `method` without waiting, and
// when the entry is durable runs `serve` (which moves what was read into the
// response) on the executor and finishes with its status. If the entry
// cannot be written, finishes with that error and `serve` never runs. The
// log's callback runs on the sequencer thread, so it only finishes or hands
// on: no reaction waits for the write.
inline void LogThenServe(const ServiceDeps& deps, const Principal& principal,
                         absl::string_view method,
                         std::vector<std::string> persons,
                         absl::AnyInvocable<absl::Status()> serve,
                         Finish finish) {
  deps.access_log->RecordAsync(
      principal, method, std::move(persons),
      [executor = deps.executor, serve = std::move(serve),
       finish = std::move(finish)](absl::Status logged) mutable {
        if (!logged.ok()) return finish(logged);
        executor->Run([serve = std::move(serve),
                       finish = std::move(finish)]() mutable {
          finish(serve());
        });
      });
}

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_SERVICE_DEPS_H_
