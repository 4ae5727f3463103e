// AuditService.Compliance: the compliance report over the history alone
// (engine/history_check.h runs the application's checker; docs/compliance.md).

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/history_check.h"
#include "engine/proto_time.h"
#include "server/audit_service.h"
#include "server/auditor_calls.h"
#include "server/input_bounds.h"
#include "server/person_scope.h"

namespace returnpath::engine {
namespace {

using Msg = v1::ComplianceResponse;
using Channel = std::shared_ptr<JobChannel<Msg>>;

constexpr char kMethod[] = "Compliance";

Msg FindingMessage(Finding finding) {
  Msg msg;
  v1::ComplianceFinding& out = *msg.mutable_finding();
  out.set_person_id(std::move(finding.stream_id));
  out.set_rule(std::move(finding.rule));
  out.set_policy_version(std::move(finding.policy_version));
  for (uint64_t p : finding.positions) out.add_positions(p);
  for (std::string& d : finding.dates) out.add_dates(std::move(d));
  if (finding.at != absl::InfinitePast()) {
    *out.mutable_at() = ToTimestamp(finding.at);
  }
  out.set_days_late(finding.days_late);
  out.set_message(std::move(finding.message));
  out.set_by_system(finding.by_system);
  return msg;
}

// The request's range; INVALID_ARGUMENT if it is empty.
absl::Status ReadRange(const v1::ComplianceRequest& request,
                       HistoryCheckOptions* options) {
  if (request.has_from()) options->from = FromTimestamp(request.from());
  if (request.has_to()) options->to = FromTimestamp(request.to());
  if (options->from >= options->to) {
    return absl::InvalidArgumentError("from must be before to");
  }
  return absl::OkStatus();
}

// Runs the check and returns its summary. Over everyone, the findings of a
// person are sent once their access record is durable (a finding tells
// about the person); for one person that record was written before.
absl::StatusOr<Msg> RunCheck(const ServiceDeps& deps,
                             const Principal& principal,
                             HistoryCheckOptions options,
                             const Channel& channel) {
  const bool log_each = !options.stream_id.has_value();
  std::map<std::string, uint64_t> by_rule;
  options.now = deps.clock->Now();
  options.progress = [&channel](uint64_t done, uint64_t total) {
    Msg msg;
    msg.mutable_progress()->set_done(done);
    msg.mutable_progress()->set_total(total);
    channel->Push(std::move(msg));
  };
  options.on_findings = [&](std::vector<Finding> found) {
    const std::string person = found.front().stream_id;
    std::vector<Msg> msgs;
    for (Finding& f : found) {
      ++by_rule[f.rule];
      msgs.push_back(FindingMessage(std::move(f)));
    }
    if (!log_each || person.empty()) {
      for (Msg& msg : msgs) channel->Push(std::move(msg));
      return;
    }
    channel->Hold();
    deps.access_log->RecordAsync(
        principal, kMethod, {person},
        [channel, msgs = std::move(msgs)](absl::Status logged) mutable {
          channel->Release(std::move(logged), std::move(msgs));
        });
  };
  absl::StatusOr<HistoryCheckReport> report =
      CheckHistories(*deps.store, *deps.workflow, *deps.checker, options);
  if (absl::IsNotFound(report.status()) && !log_each) {
    return NoSuchPerson(*options.stream_id);
  }
  if (!report.ok()) return report.status();
  Msg msg;
  v1::ComplianceSummary& summary = *msg.mutable_summary();
  summary.set_persons(report->streams);
  summary.set_events(report->events);
  summary.set_findings(report->findings);
  summary.set_statistics_compared(report->statistics_compared);
  for (const auto& [rule, count] : by_rule) {
    v1::ComplianceRuleCount& c = *summary.add_by_rule();
    c.set_rule(rule);
    c.set_findings(count);
  }
  return msg;
}

}  // namespace

grpc::ServerWriteReactor<v1::ComplianceResponse>* AuditService::Compliance(
    grpc::CallbackServerContext* ctx, const v1::ComplianceRequest* request) {
  const bool everyone = request->person_id().empty();
  absl::StatusOr<Principal> principal = AuthenticateAuditor(
      deps_, ctx, everyone ? Reach::kWholeLog : Reach::kPersonsInScope,
      everyone ? "run a compliance check over everyone"
               : "run a compliance check");
  if (!principal.ok()) return PullWriter<Msg>::Failed(principal.status());
  auto channel = std::make_shared<JobChannel<Msg>>(deps_.executor);
  deps_.executor->Run([deps = deps_, principal = *std::move(principal),
                       request = *request, channel, everyone]() mutable {
    HistoryCheckOptions options;
    absl::Status checked =
        deps.checker == nullptr
            ? absl::UnimplementedError(
                  "this server has no compliance checker configured")
            : CheckBounds(request);
    if (checked.ok()) checked = ReadRange(request, &options);
    if (checked.ok() && !everyone) {
      checked =
          ReadablePerson(*deps.store, principal, request.person_id()).status();
      options.stream_id = request.person_id();
    }
    if (!checked.ok()) return channel->Close(checked);
    if (everyone) {
      return channel->Close(RunCheck(deps, principal, options, channel));
    }
    // The report on one person is a read of them: logged before it runs.
    deps.access_log->RecordAsync(
        principal, kMethod, {request.person_id()},
        [deps, principal, options = std::move(options),
         channel](absl::Status logged) mutable {
          if (!logged.ok()) return channel->Close(logged);
          deps.executor->Run([deps, principal, options = std::move(options),
                              channel]() mutable {
            channel->Close(
                RunCheck(deps, principal, std::move(options), channel));
          });
        });
  });
  return JobStream(deps_, channel);
}

}  // namespace returnpath::engine
