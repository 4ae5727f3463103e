#ifndef RETURNPATH_ENGINE_RPC_UNARY_CALL_H_
#define RETURNPATH_ENGINE_RPC_UNARY_CALL_H_

#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/rpc/executor.h"
#include "engine/rpc/status.h"
#include "grpcpp/grpcpp.h"

namespace returnpath::engine {

// How a unary handler answers: exactly once, from any thread.
using Finish = absl::AnyInvocable<void(absl::Status)>;

// Answers at once with `caller`'s error (the call could not be authenticated);
// otherwise runs `work(caller, finish)` on `executor` so store reads never
// block a reactor. `work` must call `finish` exactly once, possibly later from
// another thread (e.g. after a durable append).
template <typename Caller, typename Work>
grpc::ServerUnaryReactor* RunUnaryAs(Executor& executor,
                                     grpc::CallbackServerContext* ctx,
                                     absl::StatusOr<Caller> caller, Work work) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  executor.Run(
      [reactor, work = std::move(work), caller = *std::move(caller)]() mutable {
        work(caller, Finish([reactor](absl::Status status) {
               reactor->Finish(ToGrpcStatus(status));
             }));
      });
  return reactor;
}

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_RPC_UNARY_CALL_H_
