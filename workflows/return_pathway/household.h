#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_HOUSEHOLD_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_HOUSEHOLD_H_

// Internal to the return pathway: households (docs/households.md). Children
// under 18 without a case of their own follow their guardians' decisions;
// the family moves together and holds its return conversations together.
//
// How a guardian knows its children: a child's registration names its
// guardians (PersonRegistered.guardian_ids), and the same write appends a
// HouseholdMemberJoined to each guardian's history (an engine related event).
// A guardian's event that a child follows appends a GuardianDecisionFollowed
// to each such child's history, in the same write, caused by it.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "engine/workflow.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/household.pb.h"
#include "returnpath/v1/pathway.pb.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "workflows/return_pathway/step.h"

namespace returnpath::return_pathway {

// At most this many guardians per child and children per guardian: the
// bound on one command's related streams (Workflow::MaxRelatedStreams).
inline constexpr int kMaxGuardians = 4;
inline constexpr int kMaxHouseholdChildren = 24;
inline constexpr int kAdultAge = 18;

// The household fields of a registration: role, guardians, own case.
absl::Status CheckHouseholdRegistration(
    const returnpath::v1::PersonRegistered& e);

// Rules (dispatch.cc): a child joined this guardian's household; this child
// follows a guardian's decision.
absl::Status OnMemberJoined(const returnpath::v1::HouseholdMemberJoined& e,
                            Step& st);
absl::Status OnGuardianFollowed(
    const returnpath::v1::GuardianDecisionFollowed& e, Step& st);

// The one event type that still applies after the pathway ended (a child
// whose own pathway ended does not hold back the guardian's event).
bool AppliesAfterEnd(absl::string_view type_name);

// The guardian's household members who follow them on `day`: children under
// 18 that day without a case of their own, sorted by id.
std::vector<const returnpath::v1::HouseholdMemberJoined*> FollowingChildren(
    const returnpath::v1::PathwayState& guardian, absl::CivilDay day);

// Whether `person_id` joined `guardian`'s household as a following child
// (such a child gets its age-adapted information in its own history).
bool IsFollowingChild(const returnpath::v1::PathwayState& guardian,
                      absl::string_view person_id);

// Who a relocation task moves: "P-1", or "household H-1: P-1, C-1, C-2".
std::string RelocatedPersons(const returnpath::v1::PathwayState& s,
                             absl::CivilDay day);
// Who a return conversation is with: "P-1", or "household H-1 (guardian
// P-1)" when children follow the person.
std::string ConversationPersons(const returnpath::v1::PathwayState& s,
                                absl::CivilDay day);

// A relocation task completed with outcome "relocated" records the person's
// relocation (to the centre the relocation was ordered to, if any).
void RecordRelocationByTask(const returnpath::v1::TaskCompleted& e,
                            absl::string_view closed_kind, Step& st);

// What a guardian's live event changed, for the children who follow.
struct HouseholdBefore {
  returnpath::v1::Stage stage = returnpath::v1::STAGE_UNSPECIFIED;
  returnpath::v1::FinalRejectionRecord final_rejection;
  returnpath::v1::Deadline departure_deadline;
  returnpath::v1::Residence residence;
};
HouseholdBefore HouseholdSnapshot(const returnpath::v1::PathwayState& s);

// The related events a live event appends: a child's registration tells
// its guardians; a guardian's decision is followed by its children.
std::vector<returnpath::engine::RelatedEvent> HouseholdEvents(
    const HouseholdBefore& before, const returnpath::v1::PathwayState& after,
    const EventInput& in);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_HOUSEHOLD_H_
