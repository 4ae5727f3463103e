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
#include "workflows/return_pathway/machine.h"
#include "workflows/return_pathway/policy_set.h"
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
// A co-guardian opened or closed a household task, or relocated the family.
absl::Status OnTasksShared(const returnpath::v1::HouseholdTasksShared& e,
                           Step& st);

// The household's other guardians as this guardian knows them, sorted: the
// guardians of the children it knows, the guardians who joined it and those
// it named at registration.
std::vector<std::string> CoGuardians(const returnpath::v1::PathwayState& s);
// Whether `member` named `guardian` among its guardians at registration.
bool NamesGuardian(const returnpath::v1::HouseholdMemberJoined& member,
                   absl::string_view guardian);
// Whether the guardian knows of a member or co-guardian of its household.
bool InHousehold(const returnpath::v1::PathwayState& s);
// Whether `person_id` is one of CoGuardians(s).
bool IsCoGuardian(const returnpath::v1::PathwayState& s,
                  absl::string_view person_id);

// Whether a co-guardian holds the household's open task of `kind` (and, if
// not empty, `rule`): then this guardian opens none of its own.
bool CoGuardianHolds(const returnpath::v1::PathwayState& s,
                     absl::string_view kind, absl::string_view rule);

// The event types that still apply after the pathway ended (a child or
// co-guardian whose own pathway ended does not hold back a guardian's event).
bool AppliesAfterEnd(absl::string_view type_name);

// The guardian's household members who follow them on `day`: children who
// named the guardian, under 18 that day without a case of their own, sorted
// by id.
std::vector<const returnpath::v1::HouseholdMemberJoined*> FollowingChildren(
    const returnpath::v1::PathwayState& guardian, absl::CivilDay day);

// Whether `person_id` joined `guardian`'s household as a following child
// (such a child gets its age-adapted information in its own history).
bool IsFollowingChild(const returnpath::v1::PathwayState& guardian,
                      absl::string_view person_id);

// The household's children who move with the family on `day` (under 18
// without a case of their own, whichever guardian they follow), sorted.
std::vector<std::string> ChildrenWhoMove(const returnpath::v1::PathwayState& s,
                                         absl::CivilDay day);
// Who a relocation task moves: "P-1", or "household H-1: G-1, G-2, C-1"
// (the guardians sorted, then every child who moves, sorted).
std::string RelocatedPersons(const returnpath::v1::PathwayState& s,
                             absl::CivilDay day);
// Who a return conversation is with: "P-1", or "household H-1 (guardians
// G-1, G-2)" when children follow the person or it has co-guardians.
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
  std::vector<returnpath::v1::HouseholdTask> tasks;  // its household tasks
  int conversations_held = 0;
  size_t co_guardians = 0;
  std::vector<returnpath::v1::PathwayTimer> catch_up_timers;  // armed
  std::vector<std::string> share_timers;  // armed household_share timer ids
};
HouseholdBefore HouseholdSnapshot(const returnpath::v1::PathwayState& s);

// The related events a live event appends: a child's registration tells
// its guardians; a guardian's decision is followed by its children (and a
// catch-up timer brings a child who joined late up to date); a change to the
// household's tasks or residence is shared with the co-guardians.
std::vector<returnpath::engine::RelatedEvent> HouseholdEvents(
    const HouseholdBefore& before, const returnpath::v1::PathwayState& after,
    const EventInput& in);

// A refold of a guardian's history (a correction, a retraction, a fact
// recorded late) from `before` into `applied`: its related events become
// what the children followed and now follow differently (a
// GuardianFollowsCorrected each) or only now (a follow at its own time),
// and the household tasks shared with co-guardians.
absl::Status AddRefoldedHouseholdEvents(
    const returnpath::v1::PathwayState& before, const EventInput& in,
    const PolicySet& policies, Applied* applied);
// The child's side: its follows the guardian's correction names are
// corrected or retracted and its history refolded.
absl::StatusOr<Applied> ApplyFollowsCorrected(
    const returnpath::v1::PathwayState& state, const EventInput& in,
    const PolicySet& policies);

// The household catch-up timer `in` fires (nullptr if none), and the
// follows it appends for its child: the guardian's first rejection (its
// appeal window), final rejection (deadline and stage as they stand) and
// relocation, as the guardian has them now, but for a decision the child
// followed already (one the guardian recorded after the child joined).
const returnpath::v1::PathwayTimer* CatchUpTimer(const HouseholdBefore& before,
                                                 const EventInput& in);
void CatchUp(const returnpath::v1::PathwayState& after,
             const returnpath::v1::PathwayTimer& timer, const EventInput& in,
             std::vector<returnpath::engine::RelatedEvent>* out);

// Between household.cc and household_share.cc: the household tasks
// (relocation, return conversation) `s` holds open; whether the person moved
// into (another) return centre; moving with the family to `to`; the
// HouseholdTasksShared each co-guardian gets when the guardian's household
// tasks or residence changed, or always if `announce` (this guardian took
// over a task the holder dropped, and its share timer fired).
std::vector<returnpath::v1::HouseholdTask> HouseholdTasksOf(
    const returnpath::v1::PathwayState& s);
bool Relocated(const returnpath::v1::Residence& was,
               const returnpath::v1::Residence& now);
void RelocateWith(const returnpath::v1::Residence& to, Step& st);
void ShareTasks(const HouseholdBefore& before,
                const returnpath::v1::PathwayState& after, const EventInput& in,
                bool announce,
                std::vector<returnpath::engine::RelatedEvent>* out);
// A related event for `stream` effective at `in`'s time.
returnpath::engine::RelatedEvent To(const std::string& stream,
                                    const google::protobuf::Message& payload,
                                    const EventInput& in);
// A member's join, from their own registration, to the co-guardians it did
// not name (a child of this guardian alone, a guardian who named only it).
void PassOnMember(const returnpath::v1::HouseholdMemberJoined& joined,
                  const returnpath::v1::PathwayState& after,
                  const EventInput& in,
                  std::vector<returnpath::engine::RelatedEvent>* out);
// What a co-guardian this guardian learnt of is told by the guardian's
// catch-up timer for it: the guardian's own children first, then the other
// members it knows, and the household tasks it holds.
void TellCoGuardian(const returnpath::v1::PathwayState& after,
                    const std::string& co_guardian, const EventInput& in,
                    std::vector<returnpath::engine::RelatedEvent>* out);
// Whether a household_share timer armed before `in` is no longer armed
// after it (it fired, on time or overdue before another event).
bool ShareTimerFired(const HouseholdBefore& before,
                     const returnpath::v1::PathwayState& after);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_HOUSEHOLD_H_
