#ifndef RETURNPATH_ENGINE_SERVER_CALL_AUTH_H_
#define RETURNPATH_ENGINE_SERVER_CALL_AUTH_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/server/auth.h"
#include "grpcpp/grpcpp.h"

namespace returnpath::engine {

// The principal behind a call: the client certificate's subject under mutual
// TLS, otherwise the `authorization: Bearer <token>` metadata.
absl::StatusOr<Principal> AuthenticateCall(
    const Authenticator& auth, const grpc::CallbackServerContext& ctx);

// absl and gRPC share code numbers; this keeps the message and the code.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_SERVER_CALL_AUTH_H_
