// The legal decisions: registration, rejections, appeals, departure
// deadlines, reopened cases, permits.

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/household.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/names.h"
#include "workflows/return_pathway/rules.h"
#include "workflows/return_pathway/task_kinds.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

std::string Day(const v1::Date& date) { return FormatDay(StoredDay(date)); }

void OpenConversation(Step& st, absl::CivilDay from, const v1::DayRule& rule,
                      absl::string_view rule_name, absl::string_view after,
                      const std::vector<uint64_t>& caused_by) {
  // One per household: a co-guardian may hold it.
  if (CoGuardianHolds(st.s(), kTaskReturnConversation, rule_name)) return;
  const absl::CivilDay due = DueDay(from, rule);
  TaskDraft draft;
  draft.key = st.Key("conversation");
  draft.kind = kTaskReturnConversation;
  draft.queue = st.AdvisersQueue();
  draft.title =
      absl::StrCat("Return conversation with ",
                   ConversationPersons(st.s(), from), " after the ", after,
                   " notified ", FormatDay(from), "; due ", FormatDay(due));
  draft.due = OsloEndOfDay(due);
  draft.priority = rule.priority();
  draft.rule = std::string(rule_name);
  draft.caused_by = caused_by;
  st.OpenTask(std::move(draft));
}

// The departure deadline's length: `requested`, or the policy's default if 0.
absl::StatusOr<int32_t> DeadlineDays(const Step& st, int32_t requested,
                                     absl::string_view field) {
  const v1::DepartureDeadlineRule& rule = st.policy().departure_deadline();
  const int32_t days = requested == 0 ? rule.default_days() : requested;
  if (days < rule.min_days() || days > rule.max_days()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": ", days, " days is outside the ", rule.min_days(), "-",
        rule.max_days(), " days policy ", st.policy().version(), " allows"));
  }
  return days;
}

void ArmDepartureDeadline(Step& st, const std::vector<uint64_t>& caused_by) {
  st.CancelTimersOfKind(kTimerDepartureDeadline);
  st.ArmTimer(st.Key("departure-deadline"), kTimerDepartureDeadline,
              OsloEndOfDay(StoredDay(st.s().departure_deadline().date())), "",
              caused_by);
}

void ArmReview(Step& st, absl::CivilDay from,
               const std::vector<uint64_t>& caused_by) {
  st.CancelTimersOfKind(kTimerLongStayerReview);
  st.ArmTimer(
      st.Key("review"), kTimerLongStayerReview,
      OsloEndOfDay(from + st.policy().long_stayer_review().interval_days()), "",
      caused_by);
}

void StageAfterDeadlineSet(Step& st) {
  st.s().set_stage(st.s().iom().pending() ? v1::STAGE_RETURN_PREPARATION
                                          : v1::STAGE_FINAL_REJECTION);
  st.s().clear_reopened_on();
}

}  // namespace

absl::Status OnRegistered(const v1::PersonRegistered& e, Step& st) {
  if (e.person_id() != st.in().stream_id) {
    return absl::InvalidArgumentError(absl::StrCat(
        "person_id: \"", e.person_id(),
        "\" differs from the stream's person \"", st.in().stream_id, "\""));
  }
  RP_RETURN_IF_ERROR(CheckName(e.person_id(), "person_id"));
  RP_RETURN_IF_ERROR(CheckName(e.household_id(), "household_id"));
  RP_RETURN_IF_ERROR(CheckHouseholdRegistration(e));
  RP_ASSIGN_OR_RETURN(const absl::CivilDay born,
                      DayOf(e.date_of_birth(), "date_of_birth"));
  if (born > st.today()) {
    return absl::InvalidArgumentError(
        absl::StrCat("date_of_birth: ", FormatDay(born),
                     " is after the registration on ", FormatDay(st.today())));
  }
  if (!IsCountryCode(e.nationality())) {
    return absl::InvalidArgumentError(
        absl::StrCat("nationality: \"", e.nationality(),
                     "\" is not an ISO 3166 alpha-2 code"));
  }
  RP_RETURN_IF_ERROR(CheckName(e.reception_centre(), "reception_centre"));
  if (e.region() == v1::REGION_UNSPECIFIED || !v1::Region_IsValid(e.region())) {
    return absl::InvalidArgumentError(
        "region: must be one of UDI's six regions");
  }
  absl::flat_hash_set<std::string> members;
  for (int i = 0; i < e.household_members_size(); ++i) {
    const v1::HouseholdMember& m = e.household_members(i);
    const std::string field = absl::StrCat("household_members[", i, "]");
    RP_RETURN_IF_ERROR(
        CheckName(m.person_id(), absl::StrCat(field, ".person_id")));
    if (m.person_id() == e.person_id() ||
        !members.insert(m.person_id()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".person_id: \"", m.person_id(), "\" is listed twice"));
    }
    RP_RETURN_IF_ERROR(
        DayOf(m.date_of_birth(), absl::StrCat(field, ".date_of_birth"))
            .status());
  }
  v1::PathwayState& s = st.s();
  s.set_person_id(e.person_id());
  *s.mutable_person() = e;
  s.mutable_residence()->set_reception_centre(e.reception_centre());
  s.mutable_residence()->set_region(e.region());
  s.set_stage(v1::STAGE_ASYLUM_PENDING);
  return absl::OkStatus();
}

absl::Status OnFirstRejection(const v1::FirstRejection& e, Step& st) {
  constexpr absl::string_view kAction = "record a first rejection";
  v1::PathwayState& s = st.s();
  if (s.stage() != v1::STAGE_ASYLUM_PENDING &&
      s.stage() != v1::STAGE_CASE_REOPENED) {
    return Refuse(kAction, DescribeStage(s));
  }
  RP_ASSIGN_OR_RETURN(const absl::CivilDay day,
                      EventDay(st, e.notified_on(), "notified_on"));
  const v1::DayRule& window = st.policy().appeal_window();
  *s.mutable_appeal_window() =
      MakeDeadline(day, window.days(), window.legal_calendar(), "appeal_window",
                   st, st.in().versions);
  s.clear_appeal();
  st.ArmTimer(st.Key("appeal-window"), kTimerAppealWindow,
              OsloEndOfDay(StoredDay(s.appeal_window().date())), "",
              st.in().versions);
  OpenConversation(st, day, st.policy().conversation_after_first_rejection(),
                   "conversation_after_first_rejection", "first rejection",
                   st.in().versions);
  s.set_stage(v1::STAGE_FIRST_REJECTION);
  s.clear_reopened_on();
  return absl::OkStatus();
}

absl::Status OnAppealLodged(const v1::AppealLodged& e, Step& st) {
  constexpr absl::string_view kAction = "record an appeal";
  v1::PathwayState& s = st.s();
  RP_ASSIGN_OR_RETURN(const absl::CivilDay day,
                      EventDay(st, e.lodged_on(), "lodged_on"));
  const bool window_matters =
      s.stage() == v1::STAGE_FIRST_REJECTION ||
      (IsAfterFinalRejection(s.stage()) &&
       s.final_rejection().basis() == v1::FINAL_REJECTION_BASIS_NOT_APPEALED);
  if (window_matters && day > StoredDay(s.appeal_window().date())) {
    return Refuse(kAction, absl::StrCat("the appeal window closed on ",
                                        Day(s.appeal_window().date())));
  }
  if (s.stage() == v1::STAGE_FIRST_REJECTION &&
      day < StoredDay(s.appeal_window().counted_from())) {
    return Refuse(kAction,
                  absl::StrCat("it is dated before the first rejection "
                               "was notified on ",
                               Day(s.appeal_window().counted_from())));
  }
  if (s.stage() != v1::STAGE_FIRST_REJECTION) {
    if (s.appeal().pending()) {
      return Refuse(kAction, absl::StrCat("an appeal lodged on ",
                                          Day(s.appeal().lodged_on()),
                                          " is already pending"));
    }
    return Refuse(kAction, DescribeStage(s));
  }
  st.CancelTimersOfKind(kTimerAppealWindow);
  s.mutable_appeal_window()->set_met(true);
  v1::AppealRecord& appeal = *s.mutable_appeal();
  *appeal.mutable_lodged_on() = ToDate(day);
  appeal.set_deferred_implementation(e.deferred_implementation());
  appeal.set_pending(true);
  if (e.deferred_implementation()) {
    s.set_stage(v1::STAGE_APPEAL_PENDING);
    return absl::OkStatus();
  }
  return ApplyFinalRejection(
      st, day, 0, v1::FINAL_REJECTION_BASIS_NO_DEFERRED_IMPLEMENTATION,
      st.in().versions, 0);
}

absl::Status OnAppealWaived(const v1::AppealWaived& e, Step& st) {
  constexpr absl::string_view kAction = "record a waived appeal";
  v1::PathwayState& s = st.s();
  if (s.stage() != v1::STAGE_FIRST_REJECTION) {
    return Refuse(kAction, absl::StrCat("no first rejection awaits an appeal; ",
                                        DescribeStage(s)));
  }
  RP_ASSIGN_OR_RETURN(const absl::CivilDay day,
                      EventDay(st, e.waived_on(), "waived_on"));
  if (day < StoredDay(s.appeal_window().counted_from())) {
    return Refuse(kAction,
                  absl::StrCat("it is dated before the first rejection "
                               "was notified on ",
                               Day(s.appeal_window().counted_from())));
  }
  if (day > StoredDay(s.appeal_window().date())) {
    return Refuse(kAction, absl::StrCat("the appeal window closed on ",
                                        Day(s.appeal_window().date())));
  }
  st.CancelTimersOfKind(kTimerAppealWindow);
  s.mutable_appeal_window()->set_met(true);
  return ApplyFinalRejection(
      st, day, 0, v1::FINAL_REJECTION_BASIS_APPEAL_WAIVED, st.in().versions, 0);
}

absl::Status OnAppealDecided(const v1::AppealDecided& e, Step& st) {
  constexpr absl::string_view kAction = "record an appeal decision";
  v1::PathwayState& s = st.s();
  if (!s.appeal().pending()) {
    return Refuse(kAction,
                  absl::StrCat("no appeal is pending; ", DescribeStage(s)));
  }
  if (e.outcome() != v1::APPEAL_OUTCOME_GRANTED &&
      e.outcome() != v1::APPEAL_OUTCOME_REJECTED) {
    return absl::InvalidArgumentError("outcome: must be GRANTED or REJECTED");
  }
  RP_ASSIGN_OR_RETURN(const absl::CivilDay day,
                      EventDay(st, e.notified_on(), "notified_on"));
  v1::AppealRecord& appeal = *s.mutable_appeal();
  appeal.set_pending(false);
  appeal.set_outcome(e.outcome());
  *appeal.mutable_decided_on() = ToDate(day);
  if (e.outcome() == v1::APPEAL_OUTCOME_GRANTED) {
    EndPathway(st, v1::STAGE_PERMIT_GRANTED);
    return absl::OkStatus();
  }
  if (s.stage() == v1::STAGE_APPEAL_PENDING) {
    st.derived_final_rejection = true;
    return ApplyFinalRejection(st, day, e.departure_deadline_days(),
                               v1::FINAL_REJECTION_BASIS_REJECTED_BY_UNE,
                               st.in().versions, 0);
  }
  if (e.departure_deadline_days() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "departure_deadline_days: the departure deadline has run since ",
        Day(s.final_rejection().notified_on()),
        " (the appeal had no deferred implementation); record a new departure "
        "deadline to change it"));
  }
  return absl::OkStatus();
}

absl::Status OnFinalRejection(const v1::FinalRejection& e, Step& st) {
  constexpr absl::string_view kAction = "record a final rejection";
  v1::PathwayState& s = st.s();
  v1::FinalRejectionBasis basis = e.basis();
  switch (s.stage()) {
    case v1::STAGE_ASYLUM_PENDING:
      break;
    case v1::STAGE_FIRST_REJECTION:
      // Final only once the window closed unused (footnote 1), or at once
      // when the person waives the appeal (AppealWaived). Checked when
      // recorded: stores may hold ones accepted before this rule.
      if (st.in().recording &&
          st.today() <= StoredDay(s.appeal_window().date())) {
        return Refuse(kAction, absl::StrCat("the appeal window is open until ",
                                            Day(s.appeal_window().date()),
                                            " and no appeal is recorded"));
      }
      if (basis == v1::FINAL_REJECTION_BASIS_UNSPECIFIED) {
        basis = v1::FINAL_REJECTION_BASIS_NOT_APPEALED;
      }
      st.CancelTimersOfKind(kTimerAppealWindow);
      break;
    case v1::STAGE_APPEAL_PENDING:
      if (basis == v1::FINAL_REJECTION_BASIS_UNSPECIFIED) {
        basis = v1::FINAL_REJECTION_BASIS_REJECTED_BY_UNE;
      }
      s.mutable_appeal()->set_pending(false);
      s.mutable_appeal()->set_outcome(v1::APPEAL_OUTCOME_REJECTED);
      *s.mutable_appeal()->mutable_decided_on() = ToDate(st.today());
      break;
    case v1::STAGE_CASE_REOPENED:
      if (basis == v1::FINAL_REJECTION_BASIS_UNSPECIFIED) {
        basis = v1::FINAL_REJECTION_BASIS_NEW_DECISION;
      }
      break;
    default:
      if (IsAfterFinalRejection(s.stage())) {
        return Refuse(
            kAction,
            absl::StrCat("a final rejection notified on ",
                         Day(s.final_rejection().notified_on()),
                         " is already recorded",
                         s.appeal().pending()
                             ? "; an appeal is pending: record its decision"
                             : ""));
      }
      return Refuse(kAction, DescribeStage(s));
  }
  if (!v1::FinalRejectionBasis_IsValid(basis)) {
    return absl::InvalidArgumentError("basis: not a known basis");
  }
  RP_ASSIGN_OR_RETURN(const absl::CivilDay day,
                      EventDay(st, e.notified_on(), "notified_on"));
  return ApplyFinalRejection(st, day, e.departure_deadline_days(), basis,
                             st.in().versions, 0);
}

absl::Status ApplyFinalRejection(Step& st, absl::CivilDay day, int32_t days,
                                 v1::FinalRejectionBasis basis,
                                 std::vector<uint64_t> caused_by,
                                 uint64_t derived_at_version) {
  RP_ASSIGN_OR_RETURN(const int32_t deadline_days,
                      DeadlineDays(st, days, "departure_deadline_days"));
  v1::PathwayState& s = st.s();
  const v1::Policy& policy = st.policy();
  CloseOverstayTasks(st);
  *s.mutable_departure_deadline() = MakeDeadline(
      day, deadline_days, policy.departure_deadline().legal_calendar(),
      "departure_deadline", st, caused_by);
  const absl::CivilDay deadline = StoredDay(s.departure_deadline().date());
  if (!IsSet(s.first_departure_deadline())) {
    *s.mutable_first_departure_deadline() = ToDate(deadline);
  }
  v1::FinalRejectionRecord& record = *s.mutable_final_rejection();
  record.Clear();
  *record.mutable_notified_on() = ToDate(day);
  record.set_basis(basis);
  for (uint64_t p : caused_by) record.add_caused_by_versions(p);
  record.set_relocation_exemption(RelocationExemptionOn(st, day));
  record.set_derived_at_version(derived_at_version);
  ArmDepartureDeadline(st, caused_by);

  if (!record.relocation_exemption().empty())
    st.CloseTasksOfKind(kTaskRelocation);
  if (record.relocation_exemption().empty() &&
      !s.residence().at_return_centre() &&
      !st.HasOpenTaskOfKind(kTaskRelocation)) {
    OpenRelocation(st, day, deadline, caused_by);
  }
  OpenConversation(st, day, policy.conversation_after_final_rejection(),
                   "conversation_after_final_rejection", "final rejection",
                   caused_by);
  const v1::ChildInformationRule& child = policy.child_information();
  for (const v1::HouseholdMember& m : s.person().household_members()) {
    const int age = AgeOn(StoredDay(m.date_of_birth()), day);
    if (age < child.min_age() || age >= child.adult_age()) continue;
    // A child who follows gets it in their own history, once.
    if (IsFollowingChild(s, m.person_id())) continue;
    const absl::CivilDay due = day + child.due_days();
    TaskDraft draft;
    draft.key = absl::StrCat(st.Key("child-info"), "-", m.person_id());
    draft.kind = kTaskChildInformation;
    draft.queue = st.AdvisersQueue();
    draft.title = absl::StrCat(
        "Age-adapted return information for ", m.person_id(), " (aged ", age,
        ") in the household of ", s.person_id(), "; due ", FormatDay(due));
    draft.due = OsloEndOfDay(due);
    draft.priority = child.priority();
    draft.rule = "child_information";
    draft.caused_by = caused_by;
    st.OpenTask(std::move(draft));
  }
  ArmReview(st, day, caused_by);
  StageAfterDeadlineSet(st);
  return absl::OkStatus();
}

void OpenRelocation(Step& st, absl::CivilDay day, absl::CivilDay deadline,
                    std::vector<uint64_t> caused_by) {
  // One per household: a co-guardian may hold it.
  if (CoGuardianHolds(st.s(), kTaskRelocation, "")) return;
  const v1::RelocationRule& rel = st.policy().relocation();
  // §3.3.6: recently rejected first, long-stayers phased in. A final
  // rejection already old when recorded is not overdue at once.
  const absl::CivilDay recorded = OsloDate(st.in().recorded);
  const bool phased_in = recorded - day > rel.phase_in_after_days();
  const absl::CivilDay due =
      phased_in
          ? recorded + rel.phase_in_due_days()
          : std::max(st.today(),
                     std::min(day + rel.due_days(),
                              deadline -
                                  rel.min_days_before_departure_deadline()));
  const v1::PathwayState& s = st.s();
  TaskDraft draft;
  draft.key = st.Key("relocate");
  draft.kind = kTaskRelocation;
  draft.queue = st.ReceptionQueue();
  draft.title = absl::StrCat(
      "Relocate ", RelocatedPersons(s, day), " from ",
      s.residence().reception_centre(), " to a return centre by ",
      FormatDay(due), phased_in ? " (long-stayer phased in: final rejection notified "
                : " (final rejection notified ",
      FormatDay(day), ", departure deadline ", FormatDay(deadline), ")");
  draft.due = OsloEndOfDay(due);
  // Newest final rejection first: one step earlier per later day.
  draft.priority =
      phased_in ? rel.phase_in_priority()
                : rel.priority() -
                      static_cast<int32_t>(day - absl::CivilDay(2000, 1, 1));
  draft.rule = phased_in ? "relocation_phase_in" : "relocation";
  draft.caused_by = std::move(caused_by);
  st.OpenTask(std::move(draft));
}

void OpenRelocationIfDue(Step& st) {
  const v1::PathwayState& s = st.s();
  const v1::FinalRejectionRecord& rejection = s.final_rejection();
  if (!IsAfterFinalRejection(s.stage()) || !IsSet(rejection.notified_on()) ||
      !CurrentRelocationExemption(st).empty() ||
      s.residence().at_return_centre() ||
      st.HasOpenTaskOfKind(kTaskRelocation)) {
    return;
  }
  std::vector<uint64_t> caused_by(rejection.caused_by_versions().begin(),
                                  rejection.caused_by_versions().end());
  caused_by.push_back(st.in().version);
  OpenRelocation(st, StoredDay(rejection.notified_on()),
                 StoredDay(s.departure_deadline().date()),
                 std::move(caused_by));
}

void OpenConversationIfDue(Step& st, absl::string_view rule_name) {
  const v1::PathwayState& s = st.s();
  for (const v1::PathwayTask& t : s.open_tasks()) {
    if (t.kind() == kTaskReturnConversation && t.rule() == rule_name) return;
  }
  // The decision the conversation follows, if it is still the person's.
  const bool final = rule_name == "conversation_after_final_rejection";
  const bool first = rule_name == "conversation_after_first_rejection";
  if (final && IsAfterFinalRejection(s.stage()) &&
      IsSet(s.final_rejection().notified_on())) {
    std::vector<uint64_t> caused_by(
        s.final_rejection().caused_by_versions().begin(),
        s.final_rejection().caused_by_versions().end());
    caused_by.push_back(st.in().version);
    OpenConversation(st, StoredDay(s.final_rejection().notified_on()),
                     st.policy().conversation_after_final_rejection(),
                     rule_name, "final rejection", caused_by);
  } else if (first && (s.stage() == v1::STAGE_FIRST_REJECTION ||
                       s.stage() == v1::STAGE_APPEAL_PENDING)) {
    std::vector<uint64_t> caused_by(
        s.appeal_window().caused_by_versions().begin(),
        s.appeal_window().caused_by_versions().end());
    caused_by.push_back(st.in().version);
    OpenConversation(st, StoredDay(s.appeal_window().counted_from()),
                     st.policy().conversation_after_first_rejection(),
                     rule_name, "first rejection", caused_by);
  }
}

absl::Status OnDeadlineSet(const v1::DepartureDeadlineSet& e, Step& st) {
  constexpr absl::string_view kAction = "set a departure deadline";
  v1::PathwayState& s = st.s();
  if (!IsAfterFinalRejection(s.stage()) &&
      s.stage() != v1::STAGE_CASE_REOPENED) {
    return Refuse(kAction, absl::StrCat("there is no final rejection to run it "
                                        "from; ",
                                        DescribeStage(s)));
  }
  RP_ASSIGN_OR_RETURN(const absl::CivilDay day,
                      EventDay(st, e.notified_on(), "notified_on"));
  RP_ASSIGN_OR_RETURN(const int32_t days, DeadlineDays(st, e.days(), "days"));
  CloseOverstayTasks(st);
  *s.mutable_departure_deadline() =
      MakeDeadline(day, days, st.policy().departure_deadline().legal_calendar(),
                   "departure_deadline", st, st.in().versions);
  ArmDepartureDeadline(st, st.in().versions);
  bool review_armed = false;
  for (const v1::PathwayTimer& t : s.armed_timers()) {
    review_armed = review_armed || t.kind() == kTimerLongStayerReview;
  }
  if (!review_armed) ArmReview(st, day, st.in().versions);
  StageAfterDeadlineSet(st);
  return absl::OkStatus();
}

absl::Status OnDeadlineSuspended(const v1::DepartureDeadlineSuspended& e,
                                 Step& st) {
  constexpr absl::string_view kAction = "suspend the departure deadline";
  v1::PathwayState& s = st.s();
  if (!IsAfterFinalRejection(s.stage()))
    return Refuse(kAction, DescribeStage(s));
  if (!DeadlineRunning(s)) {
    return Refuse(kAction, "the departure deadline is already suspended");
  }
  s.mutable_departure_deadline()->set_suspended(true);
  st.CancelTimersOfKind(kTimerDepartureDeadline);
  CloseOverstayTasks(st);
  if (s.stage() == v1::STAGE_OVERSTAYED) s.set_stage(v1::STAGE_FINAL_REJECTION);
  return absl::OkStatus();
}

absl::Status OnCaseReopened(const v1::CaseReopened& e, Step& st) {
  constexpr absl::string_view kAction = "record a reopened case";
  v1::PathwayState& s = st.s();
  if (!IsAfterFinalRejection(s.stage()))
    return Refuse(kAction, DescribeStage(s));
  if (e.reason() == v1::REOPENING_REASON_UNSPECIFIED ||
      !v1::ReopeningReason_IsValid(e.reason())) {
    return absl::InvalidArgumentError(
        "reason: must be NEW_APPLICATION, COURT_REVIEW or OTHER");
  }
  s.mutable_departure_deadline()->set_suspended(true);
  st.CancelTimersOfKind(kTimerDepartureDeadline);
  st.CancelTimersOfKind(kTimerLongStayerReview);
  CloseOverstayTasks(st);
  s.set_stage(v1::STAGE_CASE_REOPENED);
  *s.mutable_reopened_on() = ToDate(st.today());
  // The new decision gives a new deadline: the support tier counts afresh.
  s.clear_worst_tier_rank();
  return absl::OkStatus();
}

absl::Status OnPermitGranted(const v1::ResidencePermitGranted& e, Step& st) {
  EndPathway(st, v1::STAGE_PERMIT_GRANTED);
  return absl::OkStatus();
}

}  // namespace returnpath::return_pathway
