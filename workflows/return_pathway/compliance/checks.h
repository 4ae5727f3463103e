#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_CHECKS_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_CHECKS_H_

// Internal to the compliance checker: one function per group of rules
// (docs/compliance.md names each rule). Each appends what it finds.

#include <vector>

#include "engine/history_checker.h"
#include "workflows/return_pathway/compliance/evidence.h"

namespace returnpath::return_pathway::compliance {

using Findings = std::vector<engine::Finding>;

// Police referrals (task_checks.cc): never before the departure deadline
// expired, never while an IOM application was pending, withdrawn when one
// is recorded, one at a time.
void CheckPoliceReferrals(const Evidence& e, Findings* out);
// Relocation (task_checks.cc): no task for a person exempt when it opened;
// done by the departure deadline.
void CheckRelocations(const Evidence& e, Findings* out);
// Return conversations and age-adapted information (duty_checks.cc): a task
// for each duty, due when the policy says, done by then.
void CheckConversations(const Evidence& e, Findings* out);
void CheckChildInformation(const Evidence& e, Findings* out);
// Overdue tasks escalated to the region (duty_checks.cc).
void CheckEscalations(const Evidence& e, Findings* out);
// Records (record_checks.cc): the support tier the state records equals the
// policy's; each event carries the policy version in force at its time.
void CheckSupportTier(const Evidence& e, Findings* out);
void CheckPolicyVersions(const Evidence& e, Findings* out);

}  // namespace returnpath::return_pathway::compliance

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_CHECKS_H_
