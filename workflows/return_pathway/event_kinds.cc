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

constexpr absl::string_view kForcedReturn = "forced_return";
constexpr absl::string_view kDublinTransfer = "dublin_transfer";

template <typename T, absl::Status (*F)(const T&, Step&)>
absl::Status Unpacked(Step& st) {
  T message;
  if (!st.in().payload.UnpackTo(&message)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "payload: does not parse as ", T::descriptor()->full_name()));
  }
  return F(message, st);
}

// Who records a kind, and for people under which recording kind.
struct Recorder {
  Recorder(By by) : by(by) {}  // NOLINT: the engine's and related kinds
  Recorder(By by, std::string kind) : by(by), kind(std::move(kind)) {}
  By by;
  std::string kind;
};

Recorder People(std::string recording_kind) {
  return Recorder(By::kPeople, std::move(recording_kind));
}

template <typename T, absl::Status (*F)(const T&, Step&)>
KindEntry ByRule(std::string noun, std::string action, Recorder r) {
  return {{T::descriptor()->full_name(), std::move(noun), std::move(action),
           r.by, std::move(r.kind)},
          &Unpacked<T, F>};
}

// A correction of history: the refold applies it, not a rule.
template <typename T>
KindEntry ByRefold(std::string noun, std::string action, Recorder r) {
  return {{T::descriptor()->full_name(), std::move(noun), std::move(action),
           r.by, std::move(r.kind)},
          nullptr};
}

}  // namespace

const std::vector<KindEntry>& KindEntries() {
  static const auto* entries = new std::vector<KindEntry>{
      ByRule<v1::PersonRegistered, OnRegistered>(
          "registration", "register the person", People("registration")),
      ByRule<v1::FirstRejection, OnFirstRejection>(
          "first rejection", "record a first rejection", People("first_rejection")),
      ByRule<v1::AppealLodged, OnAppealLodged>("appeal", "record an appeal",
                                                People("appeal")),
      ByRule<v1::AppealWaived, OnAppealWaived>(
          "waived appeal", "record a waived appeal", People("appeal_waived")),
      ByRule<v1::AppealDecided, OnAppealDecided>(
          "appeal decision", "record an appeal decision", People("appeal_decision")),
      ByRule<v1::FinalRejection, OnFinalRejection>(
          "final rejection", "record a final rejection", People("final_rejection")),
      ByRule<v1::DepartureDeadlineSet, OnDeadlineSet>(
          "new departure deadline", "set a departure deadline", People("departure_deadline")),
      ByRule<v1::DepartureDeadlineSuspended, OnDeadlineSuspended>(
          "suspension of the departure deadline",
          "suspend the departure deadline", People("departure_deadline_suspension")),
      ByRule<v1::CaseReopened, OnCaseReopened>(
          "reopened case", "record a reopened case", People("case_reopened")),
      ByRule<v1::ResidencePermitGranted, OnPermitGranted>(
          "residence permit", "record a residence permit", People("residence_permit")),
      ByRule<v1::IomApplicationSubmitted, OnIomSubmitted>(
          "IOM application", "record an IOM application", People("iom_application")),
      ByRule<v1::IomApplicationApproved, OnIomApproved>(
          "IOM approval", "record an IOM approval", People("iom_approval")),
      ByRule<v1::IomApplicationWithdrawn, OnIomWithdrawn>(
          "withdrawn IOM application", "record a withdrawn IOM application",
          People("iom_withdrawal")),
      ByRule<v1::IomApplicationRefused, OnIomRefused>(
          "refused IOM application", "record a refused IOM application",
          People("iom_refusal")),
      ByRule<v1::TravelDocumentObtained, OnTravelDocument>(
          "travel document", "record a travel document", People("travel_document")),
      ByRule<v1::Departed, OnDeparted>("departure", "record a departure",
                                        People("departure")),
      ByRule<v1::RelocationOrdered, OnRelocationOrdered>(
          "relocation order", "order a relocation", People("relocation_order")),
      ByRule<v1::RelocationCompleted, OnRelocationCompleted>(
          "relocation", "record a relocation", People("relocation")),
      ByRule<v1::Disappeared, OnDisappeared>(
          "disappearance", "record a disappearance", People("disappearance")),
      ByRule<v1::Reappeared, OnReappeared>(
          "reappearance", "record a reappearance", People("reappearance")),
      ByRule<v1::QualificationCourseEnrolled, OnCourseEnrolled>(
          "course enrolment", "record a course enrolment", People("course_enrolment")),
      ByRule<v1::QualificationCourseCompleted, OnCourseCompleted>(
          "completed course", "record a completed course", People("course_completion")),
      ByRule<v1::ReturnConversationHeld, OnConversationHeld>(
          "return conversation", "record a return conversation", People("return_conversation")),
      ByRule<v1::FlagsChanged, OnFlagsChanged>(
          "change of flags", "change the flags", People("flags")),
      ByRule<v1::PersonMovedCentre, OnMovedCentre>(
          "move to another centre", "record a move", People("move")),
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
                                   People("correction")),
      ByRefold<v1::EventRetracted>("retraction", "retract an event",
                                   People("retraction")),
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

const std::vector<std::string>& RecordingKinds() {
  static const auto* kinds = [] {
    auto* out = new std::vector<std::string>();
    for (const EventKindInfo& kind : PathwayEventKinds()) {
      if (!kind.recording_kind.empty()) out->push_back(kind.recording_kind);
    }
    out->push_back(std::string(kForcedReturn));
    out->push_back(std::string(kDublinTransfer));
    return out;
  }();
  return *kinds;
}

absl::StatusOr<std::string> RecordingKindOf(const google::protobuf::Any& event) {
  std::string type;
  if (!google::protobuf::Any::ParseAnyTypeUrl(event.type_url(), &type)) {
    return absl::InvalidArgumentError("event: has no type");
  }
  if (event.Is<v1::EventCorrected>()) {
    v1::EventCorrected correction;
    if (!event.UnpackTo(&correction)) {
      return absl::InvalidArgumentError(
          "event: does not parse as returnpath.v1.EventCorrected");
    }
    if (correction.has_replacement()) {
      return RecordingKindOf(correction.replacement());
    }
  }
  if (event.Is<v1::Departed>()) {
    v1::Departed departed;
    if (!event.UnpackTo(&departed)) {
      return absl::InvalidArgumentError(
          "event: does not parse as returnpath.v1.Departed");
    }
    switch (departed.kind()) {
      case v1::DEPARTURE_KIND_FORCED:
        return std::string(kForcedReturn);
      case v1::DEPARTURE_KIND_DUBLIN_TRANSFER:
        return std::string(kDublinTransfer);
      default:
        break;
    }
  }
  const EventKindInfo* kind = FindPathwayEventKind(type);
  return kind == nullptr ? "" : kind->recording_kind;
}

}  // namespace returnpath::return_pathway
