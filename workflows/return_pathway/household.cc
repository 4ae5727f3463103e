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
  const v1::Residence& was = before.residence;
  const v1::Residence& now = after.residence();
  if (now.at_return_centre() &&
      (!was.at_return_centre() ||
       was.reception_centre() != now.reception_centre())) {
    return v1::FOLLOWED_DECISION_RELOCATION;
  }
  return v1::FOLLOWED_DECISION_UNSPECIFIED;
}

// The guardian's deadline as the child's, caused by the child's own event.
v1::Deadline ChildsDeadline(const v1::Deadline& deadline, const Step& st) {
  v1::Deadline out = deadline;
  out.clear_caused_by_positions();
  for (uint64_t p : st.in().positions) out.add_caused_by_positions(p);
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
  draft.caused_by = st.in().positions;
  st.OpenTask(std::move(draft));
}

void FollowFinalRejection(const v1::GuardianDecisionFollowed& e, Step& st) {
  v1::PathwayState& s = st.s();
  const absl::CivilDay day = StoredDay(e.final_rejection().notified_on());
  v1::FinalRejectionRecord& record = *s.mutable_final_rejection();
  record = e.final_rejection();
  record.clear_caused_by_positions();
  for (uint64_t p : st.in().positions) record.add_caused_by_positions(p);
  record.set_derived_at_position(0);
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

void FollowRelocation(const v1::GuardianDecisionFollowed& e, Step& st) {
  v1::Residence& residence = *st.s().mutable_residence();
  residence.set_reception_centre(e.residence().reception_centre());
  residence.set_region(e.residence().region());
  residence.set_at_return_centre(true);
  residence.set_place_released(false);
  st.s().mutable_person()->set_reception_centre(residence.reception_centre());
  st.s().mutable_person()->set_region(residence.region());
  st.CloseTasksOfKind(kTaskRelocation);
}

}  // namespace

absl::Status CheckHouseholdRegistration(const v1::PersonRegistered& e) {
  if (!v1::HouseholdRole_IsValid(e.household_role())) {
    return absl::InvalidArgumentError(
        "household_role: must be GUARDIAN, CHILD or unspecified");
  }
  if (e.household_role() != v1::HOUSEHOLD_ROLE_CHILD) {
    if (e.guardian_ids_size() > 0) {
      return absl::InvalidArgumentError(
          "guardian_ids: only a person registered as a child names guardians");
    }
    if (e.own_case()) {
      return absl::InvalidArgumentError(
          "own_case: only a person registered as a child may have a case of "
          "their own apart from their guardians");
    }
    return absl::OkStatus();
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
          absl::StrCat(field, ": a child cannot be their own guardian"));
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
  if (st.in().recording && st.in().caused_by_stream != e.person_id()) {
    return Refuse(kJoinAction,
                  "a child joins a household only by their own registration");
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
  if (e.role() != v1::HOUSEHOLD_ROLE_CHILD) {
    return absl::InvalidArgumentError("role: only a child joins a guardian");
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
      FollowRelocation(e, st);
      return absl::OkStatus();
    case v1::FOLLOWED_DECISION_DEPARTURE:
      if (!IsDeparted(e.stage())) {
        return absl::InvalidArgumentError("stage: not a departure");
      }
      *s.mutable_departure() = e.departure();
      EndPathway(st, e.stage());
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError("decision: not a followed decision");
  }
}

bool AppliesAfterEnd(absl::string_view type_name) {
  return type_name == v1::GuardianDecisionFollowed::descriptor()->full_name();
}

std::vector<const v1::HouseholdMemberJoined*> FollowingChildren(
    const v1::PathwayState& guardian, absl::CivilDay day) {
  std::vector<const v1::HouseholdMemberJoined*> out;
  for (const v1::HouseholdMemberJoined& m : guardian.household()) {
    if (m.role() == v1::HOUSEHOLD_ROLE_CHILD && !m.own_case() &&
        AgeOn(StoredDay(m.date_of_birth()), day) < kAdultAge) {
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

std::string RelocatedPersons(const v1::PathwayState& s, absl::CivilDay day) {
  const auto children = FollowingChildren(s, day);
  if (children.empty()) return s.person_id();
  std::vector<std::string> names = {s.person_id()};
  for (const v1::HouseholdMemberJoined* m : children) {
    names.push_back(m->person_id());
  }
  return absl::StrCat("household ", s.person().household_id(), ": ",
                      absl::StrJoin(names, ", "));
}

std::string ConversationPersons(const v1::PathwayState& s, absl::CivilDay day) {
  if (FollowingChildren(s, day).empty()) return s.person_id();
  return absl::StrCat("household ", s.person().household_id(), " (guardian ",
                      s.person_id(), ")");
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
    for (const std::string& guardian : person.guardian_ids()) {
      returnpath::engine::RelatedEvent related;
      related.stream_id = guardian;
      related.effective_time = in.effective;
      related.payload.PackFrom(joined);
      out.push_back(std::move(related));
    }
    return out;
  }
  if (after.household().empty()) return out;
  const v1::FollowedDecision decision = Followed(before, after);
  if (decision == v1::FOLLOWED_DECISION_UNSPECIFIED) return out;
  v1::GuardianDecisionFollowed followed;
  followed.set_guardian_id(after.person_id());
  followed.set_decision(decision);
  followed.set_stage(after.stage());
  *followed.mutable_appeal_window() = after.appeal_window();
  *followed.mutable_final_rejection() = after.final_rejection();
  *followed.mutable_departure_deadline() = after.departure_deadline();
  *followed.mutable_residence() = after.residence();
  *followed.mutable_departure() = after.departure();
  for (const v1::HouseholdMemberJoined* child :
       FollowingChildren(after, OsloDate(in.effective))) {
    returnpath::engine::RelatedEvent related;
    related.stream_id = child->person_id();
    related.effective_time = in.effective;
    related.payload.PackFrom(followed);
    out.push_back(std::move(related));
  }
  return out;
}

}  // namespace returnpath::return_pathway
