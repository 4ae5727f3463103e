#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_COMPLIANCE_CHECKER_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_COMPLIANCE_CHECKER_H_

// The auditors' compliance report for the return pathway (issue 15,
// docs/compliance.md): were deadlines and exemptions respected, were duties
// done in time, do the records and the statistics agree with the policy?
// Written apart from the rules that open tasks (workflows/return_pathway's
// machine): it reads the history, the stored tasks and state, and the
// policy, so it can find the workflow's own mistakes.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/history_checker.h"
#include "workflows/return_pathway/policy_set.h"

namespace returnpath::return_pathway {

// Thread-safe.
class ComplianceChecker final : public engine::HistoryChecker {
 public:
  explicit ComplianceChecker(PolicySet policies)
      : policies_(std::move(policies)) {}

  absl::StatusOr<std::vector<engine::Finding>> Check(
      const engine::StreamEvidence& stream, absl::Time now) const override;
  std::vector<engine::Recounted> Recount(
      const engine::StreamEvidence& stream) const override;

 private:
  const PolicySet policies_;
};

// A rule about the people doing the work (a duty done late or not yet
// done: "..._late", "..._overdue"), not about the system.
bool IsStaffRule(absl::string_view rule);

// Loads the policy files in `policy_dir` (as NewReturnPathwayWorkflow does)
// and builds the checker.
absl::StatusOr<std::unique_ptr<engine::HistoryChecker>> NewComplianceChecker(
    const std::string& policy_dir);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_COMPLIANCE_CHECKER_H_
