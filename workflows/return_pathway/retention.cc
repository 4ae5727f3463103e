// ReturnPathwayWorkflow::RetentionDue: when a person's data may be erased
// under the retention policy (engine/retention.h runs it).

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/status_macros.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/return_pathway_workflow.h"

namespace returnpath::return_pathway {

absl::StatusOr<std::optional<engine::Workflow::Retention>>
ReturnPathwayWorkflow::RetentionDue(absl::string_view bytes) const {
  RP_ASSIGN_OR_RETURN(const v1::PathwayState state, DecodePathwayState(bytes));
  if (!IsSet(state.terminal_on())) return std::nullopt;
  const absl::CivilDay ended = StoredDay(state.terminal_on());
  RP_ASSIGN_OR_RETURN(const v1::Policy* policy,
                      policies_.InForceAt(OsloStartOfDay(ended)));
  const int years = policy->retention().erase_after_years();
  if (years <= 0) return std::nullopt;
  // 29 February ends on 1 March of a common year.
  const absl::CivilDay due(ended.year() + years, ended.month(), ended.day());
  Retention retention;
  retention.due = OsloStartOfDay(due);
  retention.rule =
      absl::StrCat("erase ", years, " years after the pathway ended (",
                   absl::AsciiStrToLower(absl::StripPrefix(
                       v1::Stage_Name(state.stage()), "STAGE_")),
                   " on ", absl::FormatCivilTime(ended), ")");
  retention.policy_version = policy->version();
  return retention;
}

}  // namespace returnpath::return_pathway
