#include "server/auditor_calls.h"

#include "absl/strings/str_cat.h"
#include "server/person_scope.h"

namespace returnpath::engine {

absl::Status RequireAuditor(const Principal& principal,
                            absl::string_view action) {
  return RequireRole(principal, {v1::ROLE_AUDITOR}, action);
}

absl::Status RequireReach(const Principal& principal, Reach reach,
                          absl::string_view action) {
  if (reach == Reach::kPersonsInScope || CoversEverything(principal))
    return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      principal.name, " may not ", action,
      ": the global log needs an auditor scoped to everything (*); read the "
      "persons in your scope with History, PathwayAsOf and AccessLog"));
}

absl::StatusOr<Principal> AuthenticateAuditor(const ServiceDeps& deps,
                                              grpc::CallbackServerContext* ctx,
                                              Reach reach,
                                              absl::string_view action,
                                              Readers readers) {
  absl::StatusOr<Principal> principal = AuthenticateCall(*deps.auth, *ctx);
  if (!principal.ok()) return principal.status();
  RP_RETURN_IF_ERROR(readers == Readers::kAuditors
                         ? RequireAuditor(*principal, action)
                         : RequireRole(*principal,
                                       {v1::ROLE_AUDITOR, v1::ROLE_RECEPTION,
                                        v1::ROLE_ADVISER, v1::ROLE_POLICE},
                                       action));
  RP_RETURN_IF_ERROR(RequireReach(*principal, reach, action));
  return principal;
}

Gate LogBeforeServing(engine::AccessLog* access_log, const Principal& principal,
                      absl::string_view method,
                      std::vector<std::string> persons) {
  return [access_log, principal, method = std::string(method),
          persons = std::move(persons)](
             absl::AnyInvocable<void(absl::Status)> done) mutable {
    access_log->RecordAsync(principal, method, std::move(persons),
                            std::move(done));
  };
}

}  // namespace returnpath::engine
