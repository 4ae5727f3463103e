// AuditService.WhatIf: a person's history, or everyone's, refolded under
// another policy (engine/what_if.h; docs/what-if.md). Nothing is written but
// the access records of the persons it names.

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "engine/what_if.h"
#include "server/auditor_calls.h"
#include "server/audit_service.h"
#include "server/input_bounds.h"
#include "server/person_scope.h"

namespace returnpath::engine {
namespace {

// A policy file of the deployment is a few KiB.
constexpr size_t kMaxPolicyTextBytes = 256 * 1024;

using Channel = std::shared_ptr<JobChannel<v1::WhatIfResponse>>;

absl::Status CheckRequest(const v1::WhatIfRequest& request) {
  if (request.all() == !request.person_id().empty()) {
    return absl::InvalidArgumentError(
        "person_id: give one person, or all for everyone");
  }
  if (!request.all())
    RP_RETURN_IF_ERROR(CheckId("person_id", request.person_id()));
  if (request.policy_case() == v1::WhatIfRequest::POLICY_NOT_SET) {
    return absl::InvalidArgumentError(
        "policy: give a stored version (policy_version) or a policy's text "
        "(policy_text)");
  }
  RP_RETURN_IF_ERROR(CheckId("policy_version", request.policy_version()));
  RP_RETURN_IF_ERROR(
      CheckLength("policy_source", request.policy_source(), kMaxKeyBytes));
  return CheckLength("policy_text", request.policy_text(), kMaxPolicyTextBytes);
}

v1::WhatIfPerson ToProto(StreamWhatIf compared) {
  v1::WhatIfPerson out;
  out.set_person_id(std::move(compared.stream_id));
  for (WhatIfDifference& d : compared.differences) {
    v1::WhatIfDifference* to = out.add_differences();
    to->set_what(std::move(d.what));
    to->set_current(std::move(d.current));
    to->set_alternative(std::move(d.alternative));
    if (d.current_task)
      *to->mutable_current_task() = std::move(*d.current_task);
    if (d.alternative_task) {
      *to->mutable_alternative_task() = std::move(*d.alternative_task);
    }
  }
  return out;
}

// The person's differences, sent once the read of them is durably logged
// (fail closed: without the record nothing is sent).
void SendWhenLogged(AccessLog* access_log, const Principal& principal,
                    const Channel& channel, StreamWhatIf compared) {
  v1::WhatIfResponse message;
  *message.mutable_person() = ToProto(std::move(compared));
  const std::string person = message.person().person_id();
  channel->Hold();
  access_log->RecordAsync(
      principal, "WhatIf", {person},
      [channel, message = std::move(message)](absl::Status logged) mutable {
        channel->Release(std::move(logged), std::move(message));
      });
}

v1::WhatIfResponse Summary(const WhatIfReport& report,
                           const Workflow& alternative) {
  v1::WhatIfResponse message;
  v1::WhatIfSummary* summary = message.mutable_summary();
  absl::StatusOr<std::string> version =
      alternative.PolicyVersionAt(absl::UnixEpoch());
  if (version.ok()) summary->set_policy_version(*version);
  summary->set_persons_checked(report.streams);
  summary->set_persons_differing(report.differing);
  summary->set_events(report.events);
  for (const auto& [what, persons] : report.streams_by_what) {
    v1::WhatIfKindCount* count = summary->add_by_kind();
    count->set_what(what);
    count->set_persons(persons);
  }
  for (const StatisticsDifference& row : report.statistics) {
    v1::WhatIfStatisticsRow* out = summary->add_statistics();
    out->set_category(row.category);
    out->set_month(row.month);
    out->set_group(row.group);
    out->set_current(row.current);
    out->set_alternative(row.alternative);
  }
  return message;
}

absl::StatusOr<v1::WhatIfResponse> OnePerson(const ServiceDeps& deps,
                                             const Workflow& alternative,
                                             const Principal& principal,
                                             const std::string& person,
                                             const Channel& channel) {
  RP_RETURN_IF_ERROR(ReadablePerson(*deps.store, principal, person).status());
  absl::StatusOr<StreamWhatIf> compared =
      WhatIfStream(*deps.store, *deps.workflow, alternative, person,
                   deps.store->LastPosition(), deps.clock->Now());
  if (absl::IsNotFound(compared.status())) return NoSuchPerson(person);
  RP_RETURN_IF_ERROR(compared.status());
  WhatIfReport report;
  report.streams = 1;
  if (!compared->differences.empty()) {
    report.differing = 1;
    for (const WhatIfDifference& d : compared->differences) {
      report.streams_by_what[d.what] = 1;
    }
  }
  SendWhenLogged(deps.access_log, principal, channel, *std::move(compared));
  return Summary(report, alternative);
}

absl::StatusOr<v1::WhatIfResponse> Everyone(const ServiceDeps& deps,
                                            const Workflow& alternative,
                                            const Principal& principal,
                                            const Channel& channel) {
  WhatIfOptions options;
  options.now = deps.clock->Now();
  options.progress = [&channel](uint64_t done, uint64_t total) {
    v1::WhatIfResponse message;
    message.mutable_progress()->set_events_done(done);
    message.mutable_progress()->set_events_total(total);
    channel->Push(std::move(message));
  };
  options.on_difference = [&deps, &principal,
                           &channel](const StreamWhatIf& compared) {
    SendWhenLogged(deps.access_log, principal, channel, compared);
  };
  RP_ASSIGN_OR_RETURN(
      WhatIfReport report,
      WhatIfEveryStream(*deps.store, *deps.workflow, alternative, options));
  return Summary(report, alternative);
}

}  // namespace

grpc::ServerWriteReactor<v1::WhatIfResponse>* AuditService::WhatIf(
    grpc::CallbackServerContext* ctx, const v1::WhatIfRequest* request) {
  // The job may outlive the call's request: it keeps a copy.
  return AuditorJob<v1::WhatIfResponse>(
      deps_, ctx, request->all() ? Reach::kWholeLog : Reach::kPersonsInScope,
      request->all() ? "run a what-if over everyone" : "run a what-if",
      [deps = deps_, request = *request](
          const Principal& principal,
          const Channel& channel) -> absl::StatusOr<v1::WhatIfResponse> {
        RP_RETURN_IF_ERROR(CheckRequest(request));
        if (!deps.workflow_for_policy) {
          return absl::UnimplementedError(
              "this daemon was started without what-if");
        }
        PolicyChoice choice;
        choice.version = request.policy_version();
        choice.text = request.policy_text();
        choice.source = request.policy_source();
        RP_ASSIGN_OR_RETURN(std::unique_ptr<const Workflow> alternative,
                            deps.workflow_for_policy(choice));
        if (request.all()) {
          return Everyone(deps, *alternative, principal, channel);
        }
        return OnePerson(deps, *alternative, principal, request.person_id(),
                         channel);
      });
}

}  // namespace returnpath::engine
