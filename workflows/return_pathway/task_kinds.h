#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_TASK_KINDS_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_TASK_KINDS_H_

#include "absl/strings/string_view.h"

namespace returnpath::return_pathway {

// Task kinds (engine Task.kind) the return pathway opens.
inline constexpr absl::string_view kTaskReturnConversation =
    "return_conversation";
inline constexpr absl::string_view kTaskRelocation = "relocation";
inline constexpr absl::string_view kTaskChildInformation = "child_information";
inline constexpr absl::string_view kTaskPoliceReferral = "police_referral";
inline constexpr absl::string_view kTaskDeadlineFollowUp = "deadline_follow_up";
inline constexpr absl::string_view kTaskIomFollowUp = "iom_follow_up";
inline constexpr absl::string_view kTaskEscalation = "escalation";
inline constexpr absl::string_view kTaskDisappearance = "disappearance";
inline constexpr absl::string_view kTaskPlaceRelease = "place_release";
inline constexpr absl::string_view kTaskLongStayerReview = "long_stayer_review";

// Timer kinds (engine Timer.kind).
inline constexpr absl::string_view kTimerAppealWindow = "appeal_window";
inline constexpr absl::string_view kTimerDepartureDeadline =
    "departure_deadline";
inline constexpr absl::string_view kTimerEscalation = "escalation";
inline constexpr absl::string_view kTimerLongStayerReview =
    "long_stayer_review";
inline constexpr absl::string_view kTimerIomFollowUp = "iom_follow_up";
inline constexpr absl::string_view kTimerPlaceRelease = "place_release";
// A child joined a guardian who already has decisions the child follows:
// due at once, its firing brings the child up to date (household.h).
inline constexpr absl::string_view kTimerHouseholdCatchUp =
    "household_catch_up";
// A co-guardian took over a household task the holder dropped: due at once,
// its firing tells the other guardians, whose event caused the take-over
// (an answer in that write would be a cycle; household.h).
inline constexpr absl::string_view kTimerHouseholdShare = "household_share";

// Task kinds that need the person present: paused while their whereabouts
// are unknown (with the escalations about them), resumed on reappearance.
inline bool NeedsThePerson(absl::string_view kind) {
  return kind == kTaskReturnConversation || kind == kTaskChildInformation;
}

// Task kinds whose due date staff must meet, so a policy may escalate them.
inline bool IsEscalatableTaskKind(absl::string_view kind) {
  return kind == kTaskReturnConversation || kind == kTaskRelocation ||
         kind == kTaskChildInformation;
}

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_TASK_KINDS_H_
