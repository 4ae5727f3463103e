#ifndef RETURNPATH_SERVER_AUDIT_CALLS_H_
#define RETURNPATH_SERVER_AUDIT_CALLS_H_

// What every AuditService call shares (audit_service.cc, audit_what_if.cc):
// who may call it, how far it reaches, and the two ways it streams (a pull
// source, or a job on the executor).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/rpc/job_channel.h"
#include "engine/rpc/pull_writer.h"
#include "engine/rpc/wake_signal.h"
#include "engine/status_macros.h"
#include "server/person_scope.h"
#include "server/service_deps.h"

namespace returnpath::engine {

inline absl::Status RequireAuditor(const Principal& principal,
                                   absl::string_view action) {
  return RequireRole(principal, {v1::ROLE_AUDITOR}, action);
}

// What an audit call reads: persons the caller names (each checked against
// the scope), or the global log, which names every person.
enum class Reach { kPersonsInScope, kWholeLog };

// The global log is served whole or not at all: it is checked as one hash
// chain, and a person's scope follows their current centre, so a filtered
// log would be unverifiable and would rewrite itself as people move.
inline absl::Status RequireReach(const Principal& principal, Reach reach,
                                 absl::string_view action) {
  if (reach == Reach::kPersonsInScope || CoversEverything(principal))
    return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      principal.name, " may not ", action,
      ": the global log needs an auditor scoped to everything (*); read the "
      "persons in your scope with History, PathwayAsOf and AccessLog"));
}

inline absl::StatusOr<Principal> AuthenticateAuditor(
    const ServiceDeps& deps, grpc::CallbackServerContext* ctx, Reach reach,
    absl::string_view action) {
  absl::StatusOr<Principal> principal = AuthenticateCall(*deps.auth, *ctx);
  if (!principal.ok()) return principal.status();
  RP_RETURN_IF_ERROR(RequireAuditor(*principal, action));
  RP_RETURN_IF_ERROR(RequireReach(*principal, reach, action));
  return principal;
}

// A stream's gate that records, durably, the read of `persons` before the
// pull's messages are written; without the record they are not served.
inline Gate LogBeforeServing(engine::AccessLog* access_log,
                             const Principal& principal,
                             absl::string_view method,
                             std::vector<std::string> persons) {
  return [access_log, principal, method = std::string(method),
          persons = std::move(persons)](
             absl::AnyInvocable<void(absl::Status)> done) mutable {
    access_log->RecordAsync(principal, method, std::move(persons),
                            std::move(done));
  };
}

// Authenticates an auditor, then streams from the source `make` gives for
// them.
template <typename Msg>
grpc::ServerWriteReactor<Msg>* AuditorStream(
    const ServiceDeps& deps, grpc::CallbackServerContext* ctx,
    WakeSignal* signal, Reach reach, absl::string_view action,
    absl::AnyInvocable<
        absl::StatusOr<typename PullWriter<Msg>::Source>(const Principal&)>
        make) {
  absl::StatusOr<Principal> principal =
      AuthenticateAuditor(deps, ctx, reach, action);
  if (!principal.ok()) return PullWriter<Msg>::Failed(principal.status());
  absl::StatusOr<typename PullWriter<Msg>::Source> source = make(*principal);
  if (!source.ok()) return PullWriter<Msg>::Failed(source.status());
  return new PullWriter<Msg>(
      deps.executor, signal,
      [auth = deps.auth, principal = *principal, source = *std::move(source)](
          std::vector<Msg>* out, Gate* gate) mutable -> absl::StatusOr<Pulled> {
        RP_RETURN_IF_ERROR(auth->StillAdmitted(principal));
        return source(out, gate);
      });
}

// Runs `job` on the executor, streaming what it pushes, for an auditor.
template <typename Msg>
grpc::ServerWriteReactor<Msg>* AuditorJob(
    const ServiceDeps& deps, grpc::CallbackServerContext* ctx, Reach reach,
    absl::string_view action,
    absl::AnyInvocable<absl::StatusOr<Msg>(
        const Principal&, const std::shared_ptr<JobChannel<Msg>>&)>
        job) {
  absl::StatusOr<Principal> principal =
      AuthenticateAuditor(deps, ctx, reach, action);
  if (!principal.ok()) return PullWriter<Msg>::Failed(principal.status());
  auto channel = std::make_shared<JobChannel<Msg>>(deps.executor);
  deps.executor->Run([channel, principal = *std::move(principal),
                      job = std::move(job)]() mutable {
    channel->Close(job(principal, channel));
  });
  return new PullWriter<Msg>(
      deps.executor, channel->signal(),
      [channel](std::vector<Msg>* out, Gate*) { return channel->Take(out); });
}

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_AUDIT_CALLS_H_
