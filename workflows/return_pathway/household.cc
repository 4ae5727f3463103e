// Households: children follow their guardians; see household.h.

#include "workflows/return_pathway/household.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/status_macros.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/rules.h"
#include "workflows/return_pathway/task_kinds.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

constexpr absl::string_view kJoinAction = "add a child to the household";
constexpr absl::string_view kFollowAction = "follow a guardian's decision";

bool Same(const google::protobuf::Message& a,
          const google::protobuf::Message& b) {
  return a.SerializeAsString() == b.SerializeAsString();
}

bool IsDeparted(v1::Stage stage) {
  return stage == v1::STAGE_DEPARTED_VOLUNTARY ||
         stage == v1::STAGE_DEPARTED_FORCED ||
         stage == v1::STAGE_DEPARTED_DUBLIN;
}

// What of a guardian's event its children follow; UNSPECIFIED: nothing.
v1::FollowedDecision Followed(const HouseholdBefore& before,
                              const v1::PathwayState& after) {
  if (IsDeparted(after.stage()) && !IsTerminal(before.stage)) {
    return v1::FOLLOWED_DECISION_DEPARTURE;
  }
  if (IsSet(after.final_rejection().notified_on()) &&
      !Same(before.final_rejection, after.final_rejection())) {
    return v1::FOLLOWED_DECISION_FINAL_REJECTION;
  }
  if (after.stage() == v1::STAGE_FIRST_REJECTION &&
      before.stage != v1::STAGE_FIRST_REJECTION) {
    return v1::FOLLOWED_DECISION_FIRST_REJECTION;
  }
  if (!IsTerminal(after.stage()) &&
      !Same(before.departure_deadline, after.departure_deadline())) {
    return v1::FOLLOWED_DECISION_DEPARTURE_DEADLINE;
  }
  if (Relocated(before.residence, after.residence())) {
    return v1::FOLLOWED_DECISION_RELOCATION;
  }
  return v1::FOLLOWED_DECISION_UNSPECIFIED;
}

// The guardian's deadline as the child's, caused by the child's own event.
v1::Deadline ChildsDeadline(const v1::Deadline& deadline, const Step& st) {
  v1::Deadline out = deadline;
  out.clear_caused_by_versions();
  for (uint64_t p : st.in().versions) out.add_caused_by_versions(p);
  return out;
}

void OpenChildInformation(const v1::GuardianDecisionFollowed& e,
                          absl::CivilDay day, Step& st) {
  const v1::ChildInformationRule& rule = st.policy().child_information();
  const int age = AgeOn(StoredDay(st.s().person().date_of_birth()), day);
  if (age < rule.min_age() || age >= rule.adult_age() ||
      st.HasOpenTaskOfKind(kTaskChildInformation)) {
    return;
  }
  const absl::CivilDay due = day + rule.due_days();
  TaskDraft draft;
  draft.key = st.Key("child-info");
  draft.kind = kTaskChildInformation;
  draft.queue = st.AdvisersQueue();
  draft.title = absl::StrCat(
      "Age-adapted return information for ", st.s().person_id(), " (aged ", age,
      ") after the final rejection of guardian ", e.guardian_id(), " notified ",
      FormatDay(day), "; due ", FormatDay(due));
  draft.due = OsloEndOfDay(due);
  draft.priority = rule.priority();
  draft.rule = "child_information";
  draft.caused_by = st.in().versions;
  st.OpenTask(std::move(draft));
}

void FollowFinalRejection(const v1::GuardianDecisionFollowed& e, Step& st) {
  v1::PathwayState& s = st.s();
  // The child's rejection became final (counted like anyone's), unless a
  // second guardian's decision finds it final already.
  st.derived_final_rejection = !IsAfterFinalRejection(s.stage());
  const absl::CivilDay day = StoredDay(e.final_rejection().notified_on());
  v1::FinalRejectionRecord& record = *s.mutable_final_rejection();
  record = e.final_rejection();
  record.clear_caused_by_versions();
  for (uint64_t p : st.in().versions) record.add_caused_by_versions(p);
  record.set_derived_at_version(0);
  // Exemptions stay the child's own.
  record.set_relocation_exemption(RelocationExemptionOn(st, day));
  *s.mutable_departure_deadline() = ChildsDeadline(e.departure_deadline(), st);
  if (!IsSet(s.first_departure_deadline())) {
    *s.mutable_first_departure_deadline() = e.departure_deadline().date();
  }
  if (s.appeal().pending()) s.mutable_appeal()->set_pending(false);
  s.set_stage(e.stage());
  s.clear_reopened_on();
  OpenChildInformation(e, day, st);
}

// A child of the household who follows its guardians on `day` (whichever
// guardians those are).
bool FollowsOn(const v1::HouseholdMemberJoined& m, absl::CivilDay day) {
  return m.role() == v1::HOUSEHOLD_ROLE_CHILD && !m.own_case() &&
         AgeOn(StoredDay(m.date_of_birth()), day) < kAdultAge;
}

// The guardian's facts after its event, as a child follows them.
v1::GuardianDecisionFollowed FollowedFacts(const v1::PathwayState& after,
                                           v1::FollowedDecision decision,
                                           const EventInput& in) {
  v1::GuardianDecisionFollowed followed;
  followed.set_guardian_id(after.person_id());
  followed.set_guardian_version(in.version);
  followed.set_decision(decision);
  followed.set_stage(after.stage());
  *followed.mutable_appeal_window() = after.appeal_window();
  *followed.mutable_final_rejection() = after.final_rejection();
  *followed.mutable_departure_deadline() = after.departure_deadline();
  *followed.mutable_residence() = after.residence();
  *followed.mutable_departure() = after.departure();
  return followed;
}

}  // namespace

returnpath::engine::RelatedEvent To(const std::string& stream,
                                    const google::protobuf::Message& payload,
                                    const EventInput& in) {
  returnpath::engine::RelatedEvent related;
  related.stream_id = stream;
  related.effective_time = in.effective;
  related.payload.PackFrom(payload);
  return related;
}

absl::Status CheckHouseholdRegistration(const v1::PersonRegistered& e) {
  if (!v1::HouseholdRole_IsValid(e.household_role())) {
    return absl::InvalidArgumentError(
        "household_role: must be GUARDIAN, CHILD or unspecified");
  }
  if (e.household_role() != v1::HOUSEHOLD_ROLE_CHILD) {
    if (e.household_role() != v1::HOUSEHOLD_ROLE_GUARDIAN &&
        e.guardian_ids_size() > 0) {
      return absl::InvalidArgumentError(
          "guardian_ids: only a child (its guardians) or a guardian (the "
          "household's guardians registered before it) names guardians");
    }
    if (e.own_case()) {
      return absl::InvalidArgumentError(
          "own_case: only a person registered as a child may have a case of "
          "their own apart from their guardians");
    }
    if (e.guardian_ids_size() == 0) return absl::OkStatus();
  }
  if (e.guardian_ids_size() > kMaxGuardians) {
    return absl::InvalidArgumentError(absl::StrCat(
        "guardian_ids: at most ", kMaxGuardians, " guardians per child"));
  }
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < e.guardian_ids_size(); ++i) {
    const std::string field = absl::StrCat("guardian_ids[", i, "]");
    RP_RETURN_IF_ERROR(CheckName(e.guardian_ids(i), field));
    if (e.guardian_ids(i) == e.person_id()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": a person cannot be their own guardian"));
    }
    if (!seen.insert(e.guardian_ids(i)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": \"", e.guardian_ids(i), "\" is listed twice"));
    }
  }
  return absl::OkStatus();
}

absl::Status OnMemberJoined(const v1::HouseholdMemberJoined& e, Step& st) {
  v1::PathwayState& s = st.s();
  // A member joins by their own registration; a co-guardian passes the
  // news on (a child of theirs alone, a guardian who named them).
  const std::string& sender = st.in().caused_by_stream;
  const std::vector<std::string> known = CoGuardians(s);
  if (st.in().recording && sender != e.person_id() &&
      !NamesGuardian(e, sender) &&
      !std::binary_search(known.begin(), known.end(), sender)) {
    return Refuse(kJoinAction,
                  "a member joins a household only by their own registration "
                  "or through a co-guardian");
  }
  if (e.person_id() == s.person_id()) {
    return absl::InvalidArgumentError("person_id: the guardian itself");
  }
  if (s.person().household_role() != v1::HOUSEHOLD_ROLE_GUARDIAN) {
    return Refuse(kJoinAction, absl::StrCat(s.person_id(),
                                            " is not registered as a "
                                            "guardian"));
  }
  if (e.household_id() != s.person().household_id()) {
    return Refuse(kJoinAction, absl::StrCat(s.person_id(), " is in household ",
                                            s.person().household_id(), ", not ",
                                            e.household_id()));
  }
  if (e.reception_centre() != s.residence().reception_centre()) {
    return Refuse(kJoinAction, absl::StrCat(s.person_id(), " lives at ",
                                            s.residence().reception_centre(),
                                            ", not ", e.reception_centre()));
  }
  if (e.role() != v1::HOUSEHOLD_ROLE_CHILD &&
      e.role() != v1::HOUSEHOLD_ROLE_GUARDIAN) {
    return absl::InvalidArgumentError(
        "role: only a child or a guardian joins a guardian");
  }
  auto* members = s.mutable_household();
  auto it = std::find_if(members->begin(), members->end(),
                         [&](const v1::HouseholdMemberJoined& m) {
                           return m.person_id() == e.person_id();
                         });
  if (it != members->end()) {
    *it = e;
    return absl::OkStatus();
  }
  if (members->size() >= kMaxHouseholdChildren) {
    return Refuse(
        kJoinAction,
        absl::StrCat(s.person_id(), " already has ", kMaxHouseholdChildren,
                     " children in the household, the most allowed"));
  }
  *members->Add() = e;
  std::sort(members->begin(), members->end(),
            [](const v1::HouseholdMemberJoined& a,
               const v1::HouseholdMemberJoined& b) {
              return a.person_id() < b.person_id();
            });
  const std::vector<std::string> co_guardians = CoGuardians(s);
  if (co_guardians.size() >= static_cast<size_t>(kMaxGuardians)) {
    return Refuse(kJoinAction,
                  absl::StrCat("the household would have more than ",
                               kMaxGuardians, " guardians"));
  }
  // The child's registration cannot be answered in its own write (the
  // engine refuses the cycle child -> guardian -> child): a timer due at
  // once fires in the guardian's history and brings the child up to date
  // with what the guardian has by then. Armed whatever the guardian has now,
  // since a refold applies the members who joined before every decision.
  auto arm_catch_up = [&](const std::string& person) {
    st.ArmTimer(absl::StrCat("household-catch-up-", person),
                kTimerHouseholdCatchUp, st.in().effective, person,
                st.in().versions);
  };
  if (FollowsOn(e, st.today()) && NamesGuardian(e, s.person_id())) {
    arm_catch_up(e.person_id());
  }
  // A co-guardian this guardian did not know: told, the same way, who is in
  // the household as this guardian knows it and what household tasks it
  // holds (in this write it might not know this guardian yet).
  for (const std::string& g : co_guardians) {
    if (!std::binary_search(known.begin(), known.end(), g)) arm_catch_up(g);
  }
  return absl::OkStatus();
}

absl::Status OnGuardianFollowed(const v1::GuardianDecisionFollowed& e,
                                Step& st) {
  v1::PathwayState& s = st.s();
  if (st.in().recording && (e.guardian_id().empty() ||
                            st.in().caused_by_stream != e.guardian_id())) {
    return Refuse(kFollowAction,
                  "it is recorded only with the guardian's own event");
  }
  // A child whose pathway ended does not hold the family back.
  if (IsTerminal(s.stage())) return absl::OkStatus();
  const auto& guardians = s.person().guardian_ids();
  if (s.person().household_role() != v1::HOUSEHOLD_ROLE_CHILD ||
      s.person().own_case() ||
      std::find(guardians.begin(), guardians.end(), e.guardian_id()) ==
          guardians.end()) {
    return Refuse(
        kFollowAction,
        absl::StrCat(s.person_id(), " does not follow ", e.guardian_id(),
                     " without a case of their own"));
  }
  switch (e.decision()) {
    case v1::FOLLOWED_DECISION_FIRST_REJECTION:
      *s.mutable_appeal_window() = ChildsDeadline(e.appeal_window(), st);
      if (s.stage() == v1::STAGE_ASYLUM_PENDING ||
          s.stage() == v1::STAGE_CASE_REOPENED) {
        s.set_stage(v1::STAGE_FIRST_REJECTION);
        s.clear_reopened_on();
      }
      return absl::OkStatus();
    case v1::FOLLOWED_DECISION_FINAL_REJECTION:
      FollowFinalRejection(e, st);
      return absl::OkStatus();
    case v1::FOLLOWED_DECISION_DEPARTURE_DEADLINE:
      *s.mutable_departure_deadline() =
          ChildsDeadline(e.departure_deadline(), st);
      if (!IsTerminal(e.stage())) s.set_stage(e.stage());
      return absl::OkStatus();
    case v1::FOLLOWED_DECISION_RELOCATION:
      RelocateWith(e.residence(), st);
      return absl::OkStatus();
    case v1::FOLLOWED_DECISION_DEPARTURE:
      if (!IsDeparted(e.stage())) {
        return absl::InvalidArgumentError("stage: not a departure");
      }
      *s.mutable_departure() = e.departure();
      EndPathway(st, e.stage());
      st.departed_with_guardian = true;
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError("decision: not a followed decision");
  }
}

bool Relocated(const v1::Residence& was, const v1::Residence& now) {
  return now.at_return_centre() &&
         (!was.at_return_centre() ||
          was.reception_centre() != now.reception_centre());
}

void RelocateWith(const v1::Residence& to, Step& st) {
  v1::Residence& residence = *st.s().mutable_residence();
  residence.set_reception_centre(to.reception_centre());
  residence.set_region(to.region());
  residence.set_at_return_centre(true);
  residence.set_place_released(false);
  st.s().mutable_person()->set_reception_centre(residence.reception_centre());
  st.s().mutable_person()->set_region(residence.region());
  st.CloseTasksOfKind(kTaskRelocation);
}

bool AppliesAfterEnd(absl::string_view type_name) {
  return type_name == v1::GuardianDecisionFollowed::descriptor()->full_name() ||
         type_name == v1::HouseholdTasksShared::descriptor()->full_name();
}

std::vector<const v1::HouseholdMemberJoined*> FollowingChildren(
    const v1::PathwayState& guardian, absl::CivilDay day) {
  std::vector<const v1::HouseholdMemberJoined*> out;
  for (const v1::HouseholdMemberJoined& m : guardian.household()) {
    if (FollowsOn(m, day) && NamesGuardian(m, guardian.person_id())) {
      out.push_back(&m);
    }
  }
  return out;
}

bool IsFollowingChild(const v1::PathwayState& guardian,
                      absl::string_view person_id) {
  for (const v1::HouseholdMemberJoined& m : guardian.household()) {
    if (m.person_id() == person_id) {
      return m.role() == v1::HOUSEHOLD_ROLE_CHILD && !m.own_case();
    }
  }
  return false;
}

std::vector<std::string> ChildrenWhoMove(const v1::PathwayState& s,
                                         absl::CivilDay day) {
  std::vector<std::string> out;
  for (const v1::HouseholdMemberJoined& m : s.household()) {
    if (FollowsOn(m, day)) out.push_back(m.person_id());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string RelocatedPersons(const v1::PathwayState& s, absl::CivilDay day) {
  const std::vector<std::string> children = ChildrenWhoMove(s, day);
  std::vector<std::string> names = CoGuardians(s);
  if (children.empty() && names.empty()) return s.person_id();
  names.push_back(s.person_id());
  std::sort(names.begin(), names.end());
  names.insert(names.end(), children.begin(), children.end());
  return absl::StrCat("household ", s.person().household_id(), ": ",
                      absl::StrJoin(names, ", "));
}

std::string ConversationPersons(const v1::PathwayState& s, absl::CivilDay day) {
  std::vector<std::string> guardians = CoGuardians(s);
  if (ChildrenWhoMove(s, day).empty() && guardians.empty()) {
    return s.person_id();
  }
  guardians.push_back(s.person_id());
  std::sort(guardians.begin(), guardians.end());
  return absl::StrCat("household ", s.person().household_id(),
                      guardians.size() == 1 ? " (guardian " : " (guardians ",
                      absl::StrJoin(guardians, ", "), ")");
}

void RecordRelocationByTask(const v1::TaskCompleted& e,
                            absl::string_view closed_kind, Step& st) {
  if (closed_kind != kTaskRelocation || e.outcome() != "relocated") return;
  v1::Residence& residence = *st.s().mutable_residence();
  if (!residence.relocation_ordered_to().empty()) {
    residence.set_reception_centre(residence.relocation_ordered_to());
    st.s().mutable_person()->set_reception_centre(residence.reception_centre());
  }
  residence.set_at_return_centre(true);
  residence.set_place_released(false);
}

HouseholdBefore HouseholdSnapshot(const v1::PathwayState& s) {
  HouseholdBefore out;
  out.stage = s.stage();
  out.final_rejection = s.final_rejection();
  out.departure_deadline = s.departure_deadline();
  out.residence = s.residence();
  if (!InHousehold(s)) return out;
  out.tasks = HouseholdTasksOf(s);
  out.conversations_held = s.return_conversations_held();
  out.co_guardians = CoGuardians(s).size();
  for (const v1::PathwayTimer& t : s.armed_timers()) {
    if (t.kind() == kTimerHouseholdCatchUp) out.catch_up_timers.push_back(t);
    if (t.kind() == kTimerHouseholdShare) out.share_timers.push_back(t.id());
  }
  return out;
}

std::vector<returnpath::engine::RelatedEvent> HouseholdEvents(
    const HouseholdBefore& before, const v1::PathwayState& after,
    const EventInput& in) {
  std::vector<returnpath::engine::RelatedEvent> out;
  const v1::PersonRegistered& person = after.person();
  if (in.payload.Is<v1::PersonRegistered>()) {
    v1::HouseholdMemberJoined joined;
    joined.set_person_id(person.person_id());
    joined.set_household_id(person.household_id());
    *joined.mutable_date_of_birth() = person.date_of_birth();
    joined.set_role(person.household_role());
    joined.set_own_case(person.own_case());
    joined.set_reception_centre(person.reception_centre());
    *joined.mutable_guardian_ids() = person.guardian_ids();
    for (const std::string& guardian : person.guardian_ids()) {
      out.push_back(To(guardian, joined, in));
    }
    return out;
  }
  if (!InHousehold(after)) return out;
  v1::HouseholdMemberJoined joined;
  if (in.payload.UnpackTo(&joined)) {
    // News of a member from their own registration goes on to the
    // co-guardians it did not reach; new co-guardians are told through the
    // catch-up timer the join armed, not here.
    if (in.caused_by_stream == joined.person_id()) {
      PassOnMember(joined, after, in, &out);
    }
    return out;
  }
  // Told by a co-guardian (the holder): the holder's children heard from
  // the holder, and an answer to the holder would be a cycle.
  v1::HouseholdTasksShared shared;
  const bool told = in.payload.UnpackTo(&shared);
  auto heard_from_holder = [&](const v1::HouseholdMemberJoined& child) {
    return told &&
           std::count(child.guardian_ids().begin(), child.guardian_ids().end(),
                      shared.holder_id()) > 0;
  };
  if (const v1::PathwayTimer* timer = CatchUpTimer(before, in)) {
    CatchUp(after, *timer, in, &out);
    return out;
  }
  // A co-guardian's catch-up that fired overdue under this event (the
  // guardian's own: under another stream's event it waits) tells it here.
  for (const v1::PathwayTimer& t : before.catch_up_timers) {
    const bool fired = std::none_of(
        after.armed_timers().begin(), after.armed_timers().end(),
        [&](const v1::PathwayTimer& a) { return a.id() == t.id(); });
    if (fired && IsCoGuardian(after, t.payload())) {
      TellCoGuardian(after, t.payload(), in, &out);
    }
  }
  const v1::FollowedDecision decision = Followed(before, after);
  if (decision != v1::FOLLOWED_DECISION_UNSPECIFIED) {
    const v1::GuardianDecisionFollowed followed =
        FollowedFacts(after, decision, in);
    for (const v1::HouseholdMemberJoined* child :
         FollowingChildren(after, OsloDate(in.effective))) {
      if (!heard_from_holder(*child)) {
        out.push_back(To(child->person_id(), followed, in));
      }
    }
  }
  if (!told) {
    ShareTasks(before, after, in, ShareTimerFired(before, after), &out);
  }
  return out;
}

void CatchUp(const v1::PathwayState& after, const v1::PathwayTimer& timer,
             const EventInput& in,
             std::vector<returnpath::engine::RelatedEvent>* out) {
  const std::string& child = timer.payload();
  if (IsCoGuardian(after, child)) {
    TellCoGuardian(after, child, in, out);
    return;
  }
  bool follows = false;
  for (const v1::HouseholdMemberJoined* m :
       FollowingChildren(after, OsloDate(in.effective))) {
    follows = follows || m->person_id() == child;
  }
  if (!follows) return;
  // The child joined at the event that armed the timer; what the guardian
  // decided after it reached the child then. A decision is the event that
  // made it (its first cause): a later correction of a decision taken before
  // the child joined reaches the child through this catch-up, corrected.
  const uint64_t joined_at = *std::max_element(
      timer.caused_by_versions().begin(), timer.caused_by_versions().end());
  auto followed_live =
      [&](const google::protobuf::RepeatedField<uint64_t>& by) {
        return !by.empty() && by[0] > joined_at;
      };
  if (after.has_appeal_window() &&
      !followed_live(after.appeal_window().caused_by_versions())) {
    out->push_back(To(
        child, FollowedFacts(after, v1::FOLLOWED_DECISION_FIRST_REJECTION, in),
        in));
  }
  if (IsSet(after.final_rejection().notified_on()) &&
      !followed_live(after.final_rejection().caused_by_versions())) {
    out->push_back(To(
        child, FollowedFacts(after, v1::FOLLOWED_DECISION_FINAL_REJECTION, in),
        in));
  }
  if (after.residence().at_return_centre()) {
    out->push_back(To(
        child, FollowedFacts(after, v1::FOLLOWED_DECISION_RELOCATION, in), in));
  }
}

const v1::PathwayTimer* CatchUpTimer(const HouseholdBefore& before,
                                     const EventInput& in) {
  v1::TimerFired fired;
  if (!in.payload.UnpackTo(&fired) || fired.kind() != kTimerHouseholdCatchUp) {
    return nullptr;
  }
  for (const v1::PathwayTimer& t : before.catch_up_timers) {
    if (t.id() == fired.timer_id() && !t.caused_by_versions().empty()) {
      return &t;
    }
  }
  return nullptr;
}

}  // namespace returnpath::return_pathway
