#ifndef RETURNPATH_SERVER_CALL_AUTH_H_
#define RETURNPATH_SERVER_CALL_AUTH_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/rpc/status.h"
#include "grpcpp/grpcpp.h"
#include "server/auth.h"

namespace returnpath::engine {

// The principal behind a call: the client certificate's subject under mutual
// TLS, otherwise the `authorization: Bearer <token>` metadata.
absl::StatusOr<Principal> AuthenticateCall(const Authenticator& auth,
                                           const grpc::ServerContextBase& ctx);

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_CALL_AUTH_H_
