#ifndef RETURNPATH_SERVER_CALL_AUTH_H_
#define RETURNPATH_SERVER_CALL_AUTH_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/rpc/status.h"
#include "grpcpp/grpcpp.h"
#include "server/auth.h"

namespace returnpath::engine {

// Metadata a caller may send to say why it reads (shown in the access log).
inline constexpr char kPurposeMetadata[] = "purpose";

// The principal behind a call: the client certificate's subject under mutual
// TLS, otherwise the `authorization: Bearer <token>` metadata; with the
// call's purpose (INVALID_ARGUMENT if the purpose is too long or not text).
absl::StatusOr<Principal> AuthenticateCall(const Authenticator& auth,
                                           const grpc::ServerContextBase& ctx);

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_CALL_AUTH_H_
