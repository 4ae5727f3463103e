#ifndef RETURNPATH_SERVER_SERVICE_DEPS_H_
#define RETURNPATH_SERVER_SERVICE_DEPS_H_

#include <utility>

#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/rpc/executor.h"
#include "engine/rpc/unary_call.h"
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

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_SERVICE_DEPS_H_
