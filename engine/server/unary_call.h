#ifndef RETURNPATH_ENGINE_SERVER_UNARY_CALL_H_
#define RETURNPATH_ENGINE_SERVER_UNARY_CALL_H_

#include <utility>

#include "absl/functional/any_invocable.h"
#include "engine/server/call_auth.h"
#include "engine/server/service_deps.h"
#include "grpcpp/grpcpp.h"

namespace returnpath::engine {

// How a unary handler answers: exactly once, from any thread.
using Finish = absl::AnyInvocable<void(absl::Status)>;

// Authenticates the call, then runs `work(principal, finish)` on the executor
// so RocksDB reads never block a reactor. `work` must call `finish` exactly
// once, possibly later from another thread (e.g. after a durable append).
template <typename Work>
grpc::ServerUnaryReactor* RunUnary(const ServiceDeps& deps,
                                   grpc::CallbackServerContext* ctx,
                                   Work work) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<Principal> principal = AuthenticateCall(*deps.auth, *ctx);
  if (!principal.ok()) {
    reactor->Finish(ToGrpcStatus(principal.status()));
    return reactor;
  }
  deps.executor->Run([reactor, work = std::move(work),
                      principal = *std::move(principal)]() mutable {
    work(principal, Finish([reactor](absl::Status status) {
           reactor->Finish(ToGrpcStatus(status));
         }));
  });
  return reactor;
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

#endif  // RETURNPATH_ENGINE_SERVER_UNARY_CALL_H_
