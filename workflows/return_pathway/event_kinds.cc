#include "workflows/return_pathway/event_kinds.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/household.pb.h"
#include "returnpath/v1/pathway.pb.h"
#include "workflows/return_pathway/dispatch.h"
#include "workflows/return_pathway/household.h"
#include "workflows/return_pathway/rules.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using By = RecordedBy;

template <typename T, absl::Status (*F)(const T&, Step&)>
absl::Status Unpacked(Step& st) {
  T message;
  if (!st.in().payload.UnpackTo(&message)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "payload: does not parse as ", T::descriptor()->full_name()));
  }
  return F(message, st);
}

template <typename T, absl::Status (*F)(const T&, Step&)>
KindEntry ByRule(std::string noun, std::string action, By by) {
  return {{T::descriptor()->full_name(), std::move(noun), std::move(action),
           by},
          &Unpacked<T, F>};
}

// A correction of history: the refold applies it, not a rule.
template <typename T>
KindEntry ByRefold(std::string noun, std::string action, By by) {
  return {{T::descriptor()->full_name(), std::move(noun), std::move(action),
           by},
          nullptr};
}

}  // namespace

const std::vector<KindEntry>& KindEntries() {
  static const auto* entries = new std::vector<KindEntry>{
      ByRule<v1::PersonRegistered, OnRegistered>(
          "registration", "register the person", By::kStaff),
      ByRule<v1::FirstRejection, OnFirstRejection>(
          "first rejection", "record a first rejection", By::kStaff),
      ByRule<v1::AppealLodged, OnAppealLodged>("appeal", "record an appeal",
                                                By::kStaff),
      ByRule<v1::AppealWaived, OnAppealWaived>(
          "waived appeal", "record a waived appeal", By::kStaff),
      ByRule<v1::AppealDecided, OnAppealDecided>(
          "appeal decision", "record an appeal decision", By::kStaff),
      ByRule<v1::FinalRejection, OnFinalRejection>(
          "final rejection", "record a final rejection", By::kStaff),
      ByRule<v1::DepartureDeadlineSet, OnDeadlineSet>(
          "new departure deadline", "set a departure deadline", By::kStaff),
      ByRule<v1::DepartureDeadlineSuspended, OnDeadlineSuspended>(
          "suspension of the departure deadline",
          "suspend the departure deadline", By::kStaff),
      ByRule<v1::CaseReopened, OnCaseReopened>(
          "reopened case", "record a reopened case", By::kStaff),
      ByRule<v1::ResidencePermitGranted, OnPermitGranted>(
          "residence permit", "record a residence permit", By::kStaff),
      ByRule<v1::IomApplicationSubmitted, OnIomSubmitted>(
          "IOM application", "record an IOM application", By::kStaff),
      ByRule<v1::IomApplicationApproved, OnIomApproved>(
          "IOM approval", "record an IOM approval", By::kStaff),
      ByRule<v1::IomApplicationWithdrawn, OnIomWithdrawn>(
          "withdrawn IOM application", "record a withdrawn IOM application",
          By::kStaff),
      ByRule<v1::IomApplicationRefused, OnIomRefused>(
          "refused IOM application", "record a refused IOM application",
          By::kStaff),
      ByRule<v1::TravelDocumentObtained, OnTravelDocument>(
          "travel document", "record a travel document", By::kStaffOrPolice),
      ByRule<v1::Departed, OnDeparted>("departure", "record a departure",
                                        By::kStaffOrPolice),
      ByRule<v1::RelocationOrdered, OnRelocationOrdered>(
          "relocation order", "order a relocation", By::kStaff),
      ByRule<v1::RelocationCompleted, OnRelocationCompleted>(
          "relocation", "record a relocation", By::kStaff),
      ByRule<v1::Disappeared, OnDisappeared>(
          "disappearance", "record a disappearance", By::kStaff),
      ByRule<v1::Reappeared, OnReappeared>(
          "reappearance", "record a reappearance", By::kStaff),
      ByRule<v1::QualificationCourseEnrolled, OnCourseEnrolled>(
          "course enrolment", "record a course enrolment", By::kStaff),
      ByRule<v1::QualificationCourseCompleted, OnCourseCompleted>(
          "completed course", "record a completed course", By::kStaff),
      ByRule<v1::ReturnConversationHeld, OnConversationHeld>(
          "return conversation", "record a return conversation", By::kStaff),
      ByRule<v1::FlagsChanged, OnFlagsChanged>(
          "change of flags", "change the flags", By::kStaff),
      ByRule<v1::PersonMovedCentre, OnMovedCentre>(
          "move to another centre", "record a move", By::kStaff),
      ByRule<v1::HouseholdMemberJoined, OnMemberJoined>(
          "child joining the household", "add a child to the household",
          By::kWithRelatedEvent),
      ByRule<v1::GuardianDecisionFollowed, OnGuardianFollowed>(
          "guardian's decision followed", "follow a guardian's decision",
          By::kWithRelatedEvent),
      ByRule<v1::HouseholdTasksShared, OnTasksShared>(
          "sharing of the household's tasks", "share a household task",
          By::kWithRelatedEvent),
      ByRule<v1::TimerFired, OnTimerFired>("timer", "apply a timer",
                                            By::kEngine),
      ByRule<v1::TaskCompleted, OnTaskCompleted>(
          "completed task", "complete a task", By::kEngine),
      ByRefold<v1::EventCorrected>("correction", "correct an event",
                                   By::kStaff),
      ByRefold<v1::EventRetracted>("retraction", "retract an event",
                                   By::kStaff),
      ByRefold<v1::GuardianFollowsCorrected>(
          "correction of a guardian's decisions",
          "correct what a child followed from a guardian",
          By::kWithRelatedEvent),
  };
  return *entries;
}

const std::vector<EventKindInfo>& PathwayEventKinds() {
  static const auto* kinds = [] {
    auto* out = new std::vector<EventKindInfo>();
    for (const KindEntry& entry : KindEntries()) out->push_back(entry.info);
    return out;
  }();
  return *kinds;
}

const EventKindInfo* FindPathwayEventKind(absl::string_view type) {
  static const auto* by_type = [] {
    auto* out = new absl::flat_hash_map<std::string, const EventKindInfo*>();
    for (const EventKindInfo& kind : PathwayEventKinds()) {
      (*out)[kind.type] = &kind;
    }
    return out;
  }();
  const auto it = by_type->find(type);
  return it == by_type->end() ? nullptr : it->second;
}

std::vector<std::string> TypesRecordedBy(RecordedBy recorded_by) {
  std::vector<std::string> types;
  for (const EventKindInfo& kind : PathwayEventKinds()) {
    if (kind.recorded_by == recorded_by) types.push_back(kind.type);
  }
  return types;
}

}  // namespace returnpath::return_pathway
