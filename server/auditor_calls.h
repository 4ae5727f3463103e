#ifndef RETURNPATH_SERVER_AUDITOR_CALLS_H_
#define RETURNPATH_SERVER_AUDITOR_CALLS_H_

// What the AuditService's methods share: who may call, what they reach, and
// the shapes of their streams (a pull from a source, or a job on the
// executor).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/rpc/job_channel.h"
#include "engine/rpc/pull_writer.h"
#include "engine/rpc/wake_signal.h"
#include "engine/status_macros.h"
#include "grpcpp/grpcpp.h"
#include "server/service_deps.h"

namespace returnpath::engine {

absl::Status RequireAuditor(const Principal& principal,
                            absl::string_view action);

// What an audit call reads: persons the caller names (each checked against
// the scope), or the global log, which names every person.
enum class Reach { kPersonsInScope, kWholeLog };

// The global log is served whole or not at all: it is checked as one hash
// chain, and a person's scope follows their current centre, so a filtered
// log would be unverifiable and would rewrite itself as people move.
absl::Status RequireReach(const Principal& principal, Reach reach,
                          absl::string_view action);

// Who may make an audit call: auditors, or also the staff working with the
// person (reception, advisers, police), for a person's history: the timeline
// of the console's resident page.
enum class Readers { kAuditors, kAuditorsAndStaff };

absl::StatusOr<Principal> AuthenticateAuditor(
    const ServiceDeps& deps, grpc::CallbackServerContext* ctx, Reach reach,
    absl::string_view action, Readers readers = Readers::kAuditors);

// A stream's gate that records, durably, the read of `persons` before the
// pull's messages are written; without the record they are not served.
Gate LogBeforeServing(engine::AccessLog* access_log, const Principal& principal,
                      absl::string_view method,
                      std::vector<std::string> persons);

// Authenticates an auditor (or, with kAuditorsAndStaff, staff), then streams
// from the source `make` gives for them.
template <typename Msg>
grpc::ServerWriteReactor<Msg>* AuditorStream(
    const ServiceDeps& deps, grpc::CallbackServerContext* ctx,
    WakeSignal* signal, Reach reach, absl::string_view action,
    absl::AnyInvocable<
        absl::StatusOr<typename PullWriter<Msg>::Source>(const Principal&)>
        make,
    Readers readers = Readers::kAuditors) {
  absl::StatusOr<Principal> principal =
      AuthenticateAuditor(deps, ctx, reach, action, readers);
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

// Streams what a job pushes to `channel`, for an auditor.
template <typename Msg>
grpc::ServerWriteReactor<Msg>* JobStream(
    const ServiceDeps& deps, const std::shared_ptr<JobChannel<Msg>>& channel) {
  return new PullWriter<Msg>(
      deps.executor, channel->signal(),
      [channel](std::vector<Msg>* out, Gate*) { return channel->Take(out); });
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
  return JobStream(deps, channel);
}

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_AUDITOR_CALLS_H_
