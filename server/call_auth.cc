#include "server/call_auth.h"

#include "absl/strings/strip.h"
#include "engine/status_macros.h"
#include "server/input_bounds.h"

namespace returnpath::engine {

namespace {

absl::StatusOr<Principal> Identify(const Authenticator& auth,
                                   const grpc::ServerContextBase& ctx) {
  std::shared_ptr<const grpc::AuthContext> auth_context = ctx.auth_context();
  if (auth_context != nullptr && auth_context->IsPeerAuthenticated()) {
    for (const grpc::string_ref& cn :
         auth_context->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME)) {
      return auth.ByCertSubject(absl::string_view(cn.data(), cn.size()));
    }
  }
  const auto& metadata = ctx.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::UnauthenticatedError(
        "missing credentials: send `authorization: Bearer <token>` or a client "
        "certificate");
  }
  absl::string_view value(it->second.data(), it->second.size());
  if (!absl::ConsumePrefix(&value, "Bearer ")) {
    return absl::UnauthenticatedError(
        "authorization metadata must be `Bearer <token>`");
  }
  return auth.ByToken(value);
}

}  // namespace

absl::StatusOr<Principal> AuthenticateCall(const Authenticator& auth,
                                           const grpc::ServerContextBase& ctx) {
  absl::StatusOr<Principal> principal = Identify(auth, ctx);
  if (!principal.ok()) return principal;
  const auto& metadata = ctx.client_metadata();
  auto purpose = metadata.find(kPurposeMetadata);
  if (purpose != metadata.end()) {
    absl::string_view value(purpose->second.data(), purpose->second.size());
    RP_RETURN_IF_ERROR(CheckPurpose(value));
    principal->purpose = std::string(value);
  }
  return principal;
}

}  // namespace returnpath::engine
