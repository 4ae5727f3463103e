#include "workflows/return_pathway/what_if.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/status_macros.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/policy_set.h"
#include "workflows/return_pathway/return_pathway_workflow.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using Fact = engine::Workflow::Fact;

std::string DayText(const v1::Date& date) {
  return IsSet(date) ? FormatDay(StoredDay(date)) : "";
}

std::string DeadlineText(const v1::Deadline& deadline) {
  std::string text = DayText(deadline.date());
  if (!text.empty() && deadline.suspended())
    absl::StrAppend(&text, " (suspended)");
  return text;
}

absl::StatusOr<std::unique_ptr<const engine::Workflow>> Governed(
    v1::Policy policy, absl::string_view source) {
  RP_ASSIGN_OR_RETURN(PolicySet one,
                      PolicySet::Throughout(std::move(policy), source));
  return std::make_unique<const ReturnPathwayWorkflow>(std::move(one));
}

}  // namespace

absl::StatusOr<std::vector<Fact>> ReturnPathwayWorkflow::Facts(
    absl::string_view bytes) const {
  RP_ASSIGN_OR_RETURN(const v1::PathwayState state, DecodePathwayState(bytes));
  const v1::IomApplicationRecord& iom = state.iom();
  const bool tiered = iom.tier_rank() > 0;
  return std::vector<Fact>{
      {"stage",
       std::string(absl::StripPrefix(v1::Stage_Name(state.stage()), "STAGE_"))},
      {"appeal_window", DeadlineText(state.appeal_window())},
      {"departure_deadline", DeadlineText(state.departure_deadline())},
      {"support_tier", tiered ? absl::StrCat(iom.tier_rank()) : ""},
      {"support_nok", tiered ? absl::StrCat(iom.support_nok()) : ""},
  };
}

engine::WorkflowForPolicy WorkflowForPolicyIn(std::string policy_dir) {
  return
      [policy_dir = std::move(policy_dir)](const engine::PolicyChoice& choice)
          -> absl::StatusOr<std::unique_ptr<const engine::Workflow>> {
        if (!choice.text.empty()) {
          const std::string source =
              choice.source.empty() ? "policy_text" : choice.source;
          RP_ASSIGN_OR_RETURN(v1::Policy policy,
                              ParsePolicyText(choice.text, source));
          return Governed(std::move(policy), source);
        }
        if (choice.version.empty()) {
          return absl::InvalidArgumentError(
              "policy: give a stored version or a policy's text");
        }
        RP_ASSIGN_OR_RETURN(const PolicySet stored,
                            PolicySet::LoadDirectory(policy_dir));
        absl::StatusOr<const v1::Policy*> found = stored.Find(choice.version);
        if (!found.ok()) {
          return absl::NotFoundError(
              absl::StrCat("policy: no stored version named ", choice.version,
                           " in ", policy_dir));
        }
        return Governed(**found, absl::StrCat(policy_dir, "/", choice.version));
      };
}

}  // namespace returnpath::return_pathway
