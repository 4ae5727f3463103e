#include "workflows/return_pathway/compliance/compliance_checker.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "returnpath/v1/pathway.pb.h"
#include "workflows/return_pathway/compliance/checks.h"
#include "workflows/return_pathway/compliance/evidence.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

std::string DepartureCategory(v1::DepartureKind kind) {
  switch (kind) {
    case v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY:
      return "assisted_return";
    case v1::DEPARTURE_KIND_FORCED:
      return "forced_return";
    case v1::DEPARTURE_KIND_DUBLIN_TRANSFER:
      return "dublin_transfer";
    default:
      return "";
  }
}

// What a fact counts by its kind alone.
std::string CategoryOf(const google::protobuf::Any& payload) {
  v1::AppealDecided decided;
  if (payload.Is<v1::Disappeared>()) return "disappeared";
  if (payload.Is<v1::Reappeared>()) return "reappeared";
  if (payload.Is<v1::IomApplicationSubmitted>()) return "iom_application";
  if (payload.Is<v1::ResidencePermitGranted>()) return "permit_granted";
  if (payload.UnpackTo(&decided) &&
      decided.outcome() == v1::APPEAL_OUTCOME_GRANTED) {
    return "permit_granted";
  }
  return "";
}

}  // namespace

bool IsStaffRule(absl::string_view rule) {
  return absl::EndsWith(rule, "_late") || absl::EndsWith(rule, "_overdue");
}

absl::StatusOr<std::vector<engine::Finding>> ComplianceChecker::Check(
    const engine::StreamEvidence& stream, absl::Time now) const {
  const compliance::Evidence evidence(stream, policies_, now);
  compliance::Findings found;
  compliance::CheckPoliceReferrals(evidence, &found);
  compliance::CheckRelocations(evidence, &found);
  compliance::CheckConversations(evidence, &found);
  compliance::CheckChildInformation(evidence, &found);
  compliance::CheckEscalations(evidence, &found);
  compliance::CheckSupportTier(evidence, &found);
  compliance::CheckPolicyVersions(evidence, &found);
  for (engine::Finding& f : found) {
    f.by_system = !IsStaffRule(f.rule);
    std::sort(f.positions.begin(), f.positions.end());
    f.positions.erase(std::unique(f.positions.begin(), f.positions.end()),
                      f.positions.end());
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const engine::Finding& a, const engine::Finding& b) {
                     return a.at < b.at;
                   });
  return found;
}

std::vector<engine::Recounted> ComplianceChecker::Recount(
    const engine::StreamEvidence& stream) const {
  const std::vector<compliance::Fact> history =
      compliance::KnownHistory(stream.events, policies_);
  // Only what the log holds: an appeal window counts as closed once an
  // event at or after its end was recorded (its timer's, at the latest).
  const absl::Time until =
      history.empty() ? absl::InfinitePast() : history.back().effective;
  const compliance::PersonFacts facts =
      compliance::ReadFacts(history, policies_, until);
  std::vector<engine::Recounted> out;
  const std::string& group = facts.nationality;
  for (const compliance::Fact& f : history) {
    std::string category = CategoryOf(f.payload);
    if (!category.empty())
      out.push_back({std::move(category), group, f.effective});
  }
  for (const compliance::Decision& d : facts.final_rejections) {
    if (d.counted) out.push_back({"final_rejection", group, d.at});
  }
  for (const auto& [at, kind] : facts.departures) {
    std::string category = DepartureCategory(kind);
    if (!category.empty()) out.push_back({std::move(category), group, at});
  }
  return out;
}

absl::StatusOr<std::unique_ptr<engine::HistoryChecker>> NewComplianceChecker(
    const std::string& policy_dir) {
  absl::StatusOr<PolicySet> policies = PolicySet::LoadDirectory(policy_dir);
  if (!policies.ok()) return policies.status();
  return std::make_unique<ComplianceChecker>(*std::move(policies));
}

}  // namespace returnpath::return_pathway
