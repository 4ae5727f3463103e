#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/names.h"
#include "workflows/return_pathway/rules.h"
#include "workflows/return_pathway/task_kinds.h"

namespace returnpath::return_pathway {

using returnpath::v1::PathwayState;

absl::StatusOr<absl::CivilDay> EventDay(const Step& st,
                                        const returnpath::v1::Date& date,
                                        absl::string_view field) {
  const absl::CivilDay today = st.today();
  if (!IsSet(date)) return today;
  absl::StatusOr<absl::CivilDay> day = DayOf(date, field);
  if (!day.ok()) return day.status();
  if (*day != today) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": ", FormatDay(*day),
        " differs from the event's effective date ", FormatDay(today),
        "; set the effective time to when it happened"));
  }
  return today;
}

absl::Status CheckNotInFuture(absl::Time effective, absl::Time present,
                              const returnpath::v1::Policy& policy,
                              absl::string_view field) {
  const int32_t skew = policy.effective_time().max_clock_skew_seconds();
  if (effective <= present + absl::Seconds(skew)) return absl::OkStatus();
  auto text = [](absl::Time t) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
  };
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": ", text(effective),
      " is in the future: the engine's present time is ", text(present),
      " and at most ", skew, " seconds of clock skew are allowed"));
}

absl::Status CheckName(absl::string_view value, absl::string_view field) {
  if (IsValidName(value)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": \"", value,
                   "\" must be 1-128 letters, digits, '-', '_', '.' or ':'"));
}

returnpath::v1::Deadline MakeDeadline(absl::CivilDay from, int32_t days,
                                      bool legal_calendar,
                                      absl::string_view rule, const Step& st,
                                      std::vector<uint64_t> caused_by) {
  returnpath::v1::Deadline deadline;
  const absl::CivilDay plain = from + days;
  const absl::CivilDay last =
      legal_calendar ? NextWorkingDayFrom(plain) : plain;
  *deadline.mutable_date() = ToDate(last);
  *deadline.mutable_counted_from() = ToDate(from);
  deadline.set_days(days);
  if (last != plain) *deadline.mutable_unadjusted_date() = ToDate(plain);
  deadline.set_rule(std::string(rule));
  deadline.set_policy_version(st.in().policy_version);
  for (uint64_t p : caused_by) deadline.add_caused_by_versions(p);
  return deadline;
}

absl::CivilDay DueDay(absl::CivilDay from,
                      const returnpath::v1::DayRule& rule) {
  const absl::CivilDay plain = from + rule.days();
  return rule.legal_calendar() ? NextWorkingDayFrom(plain) : plain;
}

std::string RelocationExemptionOn(const Step& st, absl::CivilDay day) {
  const returnpath::v1::RelocationRule& rule = st.policy().relocation();
  const returnpath::v1::PersonFlags& flags = st.s().person().flags();
  if (rule.exempt_dublin_case() && flags.dublin_case()) return "Dublin case";
  if (flags.unaccompanied_minor()) {
    const int age = AgeOn(StoredDay(st.s().person().date_of_birth()), day);
    if (age >= rule.exempt_unaccompanied_minor_min_age() &&
        age < rule.exempt_unaccompanied_minor_below_age()) {
      return absl::StrCat("unaccompanied minor aged ", age);
    }
  }
  return "";
}

std::string CurrentRelocationExemption(const Step& st) {
  const returnpath::v1::FinalRejectionRecord& fr = st.s().final_rejection();
  if (!fr.relocation_exemption().empty()) return fr.relocation_exemption();
  return RelocationExemptionOn(
      st, IsSet(fr.notified_on()) ? StoredDay(fr.notified_on()) : st.today());
}

bool DeadlineRunning(const PathwayState& s) {
  return s.has_departure_deadline() && !s.departure_deadline().suspended();
}

bool IsAfterFinalRejection(returnpath::v1::Stage stage) {
  return stage == returnpath::v1::STAGE_FINAL_REJECTION ||
         stage == returnpath::v1::STAGE_RETURN_PREPARATION ||
         stage == returnpath::v1::STAGE_OVERSTAYED;
}

namespace {

// A police referral's priority and title from what is known now: return is
// more feasible with the identity clarified and a readmission agreement.
std::pair<int32_t, std::string> ReferralRank(const Step& st) {
  const PathwayState& s = st.s();
  const returnpath::v1::FeasibilityRule& f = st.policy().feasibility();
  int32_t priority = f.base_priority();
  const bool identity_clarified = !s.person().flags().identity_unclarified() ||
                                  s.travel_document_obtained();
  if (identity_clarified) priority -= f.identity_clarified_bonus();
  const auto& countries = f.readmission_agreement_countries();
  const bool agreement = std::find(countries.begin(), countries.end(),
                                   s.person().nationality()) != countries.end();
  if (agreement) priority -= f.readmission_agreement_bonus();
  const absl::CivilDay deadline = StoredDay(s.departure_deadline().date());
  return {priority, absl::StrCat("Effectuation referral: ", s.person_id(), " (",
                                 s.person().nationality(),
                                 ") did not leave by the departure deadline ",
                                 FormatDay(deadline),
                                 identity_clarified ? "; identity clarified"
                                                    : "; identity unclarified",
                                 agreement ? "; readmission agreement" : "")};
}

}  // namespace

void OpenPoliceReferral(Step& st, std::vector<uint64_t> caused_by) {
  // At most one referral per person: the police hold the one they have.
  if (st.HasOpenTaskOfKind(kTaskPoliceReferral)) return;
  auto [priority, title] = ReferralRank(st);
  TaskDraft draft;
  draft.key = st.Key("police-referral");
  draft.kind = kTaskPoliceReferral;
  draft.queue = st.PoliceQueue();
  draft.title = std::move(title);
  draft.due = OsloEndOfDay(StoredDay(st.s().departure_deadline().date()));
  draft.priority = priority;
  draft.rule = "overstay";
  draft.caused_by = std::move(caused_by);
  st.OpenTask(std::move(draft));
}

void RerankPoliceReferral(Step& st) {
  for (returnpath::v1::PathwayTask& task : *st.s().mutable_open_tasks()) {
    if (task.kind() != kTaskPoliceReferral) continue;
    auto [priority, title] = ReferralRank(st);
    task.set_priority(priority);
    task.set_title(std::move(title));
  }
}

void CloseOverstayTasks(Step& st) {
  st.CloseTasksOfKind(kTaskPoliceReferral);
  st.CloseTasksOfKind(kTaskDeadlineFollowUp);
}

void EndPathway(Step& st, returnpath::v1::Stage stage) {
  st.CloseAllTasks();
  st.CancelAllTimers();
  PathwayState& s = st.s();
  s.set_stage(stage);
  *s.mutable_terminal_on() = ToDate(st.today());
  if (s.appeal().pending()) s.mutable_appeal()->set_pending(false);
  if (s.iom().pending()) {
    s.mutable_iom()->set_pending(false);
    *s.mutable_iom()->mutable_closed_on() = ToDate(st.today());
  }
}

absl::Status CheckNotEnded(const PathwayState& s, absl::string_view action) {
  if (!IsTerminal(s.stage())) return absl::OkStatus();
  return Refuse(action, absl::StrCat(DescribeStage(s),
                                     "; only a correction or a retraction can "
                                     "be recorded now"));
}

}  // namespace returnpath::return_pathway
