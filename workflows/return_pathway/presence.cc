// The person and their whereabouts: disappearance, moves, flags, courses and
// return conversations. None of these moves a deadline.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/rules.h"
#include "workflows/return_pathway/task_kinds.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

// Moves the person to `centre` (if set) and `region` (if specified).
absl::Status MoveTo(Step& st, const std::string& centre, v1::Region region) {
  if (!v1::Region_IsValid(region)) {
    return absl::InvalidArgumentError("region: not one of UDI's regions");
  }
  const std::vector<std::string> queues_before = st.PlaceQueues();
  v1::Residence& residence = *st.s().mutable_residence();
  if (!centre.empty()) {
    RP_RETURN_IF_ERROR(CheckName(centre, "reception_centre"));
    if (centre != residence.reception_centre()) {
      residence.set_at_return_centre(false);
    }
    residence.set_reception_centre(centre);
  }
  if (region != v1::REGION_UNSPECIFIED) residence.set_region(region);
  residence.set_place_released(false);
  st.s().mutable_person()->set_reception_centre(residence.reception_centre());
  st.s().mutable_person()->set_region(residence.region());
  st.ReaddressTasks(queues_before);
  return absl::OkStatus();
}

}  // namespace

absl::Status OnDisappeared(const v1::Disappeared& e, Step& st) {
  v1::PathwayState& s = st.s();
  if (s.whereabouts_unknown()) {
    return Refuse("record a disappearance",
                  absl::StrCat("the person has been registered as disappeared "
                               "since ",
                               FormatDay(StoredDay(s.disappeared_on()))));
  }
  const absl::CivilDay day = st.today();
  s.set_whereabouts_unknown(true);
  *s.mutable_disappeared_on() = ToDate(day);
  const v1::DisappearanceRule& rule = st.policy().disappearance();
  TaskDraft draft;
  draft.key = st.Key("disappeared");
  draft.kind = kTaskDisappearance;
  draft.queue = st.PoliceQueue();
  draft.title = absl::StrCat(s.person_id(), " (", s.person().nationality(),
                             ") left ", s.residence().reception_centre(),
                             " without an address on ", FormatDay(day));
  draft.due = OsloEndOfDay(day);
  draft.priority = rule.police_task_priority();
  draft.rule = "disappearance";
  draft.caused_by = st.in().versions;
  st.OpenTask(std::move(draft));
  st.ArmTimer(st.Key("place-release"), kTimerPlaceRelease,
              OsloEndOfDay(day + rule.place_release_days()), "",
              st.in().versions);
  st.PauseTasksNeedingThePerson();
  return absl::OkStatus();
}

absl::Status OnReappeared(const v1::Reappeared& e, Step& st) {
  v1::PathwayState& s = st.s();
  if (!s.whereabouts_unknown()) {
    return Refuse("record a reappearance",
                  "the person is not registered as disappeared");
  }
  RP_RETURN_IF_ERROR(MoveTo(st, e.reception_centre(), e.region()));
  s.set_whereabouts_unknown(false);
  s.clear_disappeared_on();
  st.CancelTimersOfKind(kTimerPlaceRelease);
  st.CloseTasksOfKind(kTaskDisappearance);
  st.CloseTasksOfKind(kTaskPlaceRelease);
  st.ResumePausedTasks();
  return absl::OkStatus();
}

absl::Status OnCourseEnrolled(const v1::QualificationCourseEnrolled& e,
                              Step& st) {
  RP_RETURN_IF_ERROR(CheckName(e.course_id(), "course_id"));
  v1::PathwayState& s = st.s();
  for (const v1::CourseRecord& c : s.courses()) {
    if (c.course_id() == e.course_id() && !IsSet(c.completed_on())) {
      return Refuse(
          "record a course enrolment",
          absl::StrCat("the person has been enrolled in ", e.course_id(),
                       " since ", FormatDay(StoredDay(c.enrolled_on()))));
    }
  }
  v1::CourseRecord& course = *s.add_courses();
  course.set_course_id(e.course_id());
  course.set_title(e.title());
  *course.mutable_enrolled_on() = ToDate(st.today());
  return absl::OkStatus();
}

absl::Status OnCourseCompleted(const v1::QualificationCourseCompleted& e,
                               Step& st) {
  for (v1::CourseRecord& c : *st.s().mutable_courses()) {
    if (c.course_id() == e.course_id() && !IsSet(c.completed_on())) {
      *c.mutable_completed_on() = ToDate(st.today());
      return absl::OkStatus();
    }
  }
  return Refuse(
      "record a completed course",
      absl::StrCat("the person is not enrolled in \"", e.course_id(), "\""));
}

absl::Status OnConversationHeld(const v1::ReturnConversationHeld& e, Step& st) {
  st.s().set_return_conversations_held(st.s().return_conversations_held() + 1);
  st.CloseTasksOfKind(kTaskReturnConversation);
  return absl::OkStatus();
}

absl::Status OnFlagsChanged(const v1::FlagsChanged& e, Step& st) {
  if (!e.has_flags()) return absl::InvalidArgumentError("flags: missing");
  v1::PathwayState& s = st.s();
  *s.mutable_person()->mutable_flags() = e.flags();
  RerankPoliceReferral(st);
  v1::FinalRejectionRecord& rejection = *s.mutable_final_rejection();
  if (IsSet(rejection.notified_on())) {
    rejection.set_relocation_exemption(
        RelocationExemptionOn(st, StoredDay(rejection.notified_on())));
  }
  if (!CurrentRelocationExemption(st).empty()) {
    st.CloseTasksOfKind(kTaskRelocation);
    return absl::OkStatus();
  }
  // No longer exempt after a final rejection: the relocation the exemption
  // held back is due now.
  OpenRelocationIfDue(st);
  return absl::OkStatus();
}

absl::Status OnMovedCentre(const v1::PersonMovedCentre& e, Step& st) {
  if (e.reception_centre().empty()) {
    return absl::InvalidArgumentError("reception_centre: missing");
  }
  RP_RETURN_IF_ERROR(MoveTo(st, e.reception_centre(), e.region()));
  st.s().mutable_residence()->set_at_return_centre(false);
  return absl::OkStatus();
}

}  // namespace returnpath::return_pathway
