#include "workflows/return_pathway/dispatch.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/status_macros.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/household.pb.h"
#include "returnpath/v1/pathway.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/household.h"
#include "workflows/return_pathway/rules.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

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
std::pair<std::string, Rule> Entry(absl::string_view action) {
  return {T::descriptor()->full_name(), Rule{action, &Unpacked<T, F>}};
}

const absl::flat_hash_map<std::string, Rule>& Rules() {
  static const auto* rules = new absl::flat_hash_map<std::string, Rule>{
      Entry<v1::PersonRegistered, OnRegistered>("register the person"),
      Entry<v1::FirstRejection, OnFirstRejection>("record a first rejection"),
      Entry<v1::AppealLodged, OnAppealLodged>("record an appeal"),
      Entry<v1::AppealWaived, OnAppealWaived>("record a waived appeal"),
      Entry<v1::AppealDecided, OnAppealDecided>("record an appeal decision"),
      Entry<v1::FinalRejection, OnFinalRejection>("record a final rejection"),
      Entry<v1::DepartureDeadlineSet, OnDeadlineSet>(
          "set a departure deadline"),
      Entry<v1::DepartureDeadlineSuspended, OnDeadlineSuspended>(
          "suspend the departure deadline"),
      Entry<v1::CaseReopened, OnCaseReopened>("record a reopened case"),
      Entry<v1::ResidencePermitGranted, OnPermitGranted>(
          "record a residence permit"),
      Entry<v1::IomApplicationSubmitted, OnIomSubmitted>(
          "record an IOM application"),
      Entry<v1::IomApplicationApproved, OnIomApproved>(
          "record an IOM approval"),
      Entry<v1::IomApplicationWithdrawn, OnIomWithdrawn>(
          "record a withdrawn IOM application"),
      Entry<v1::IomApplicationRefused, OnIomRefused>(
          "record a refused IOM application"),
      Entry<v1::TravelDocumentObtained, OnTravelDocument>(
          "record a travel document"),
      Entry<v1::Departed, OnDeparted>("record a departure"),
      Entry<v1::RelocationOrdered, OnRelocationOrdered>("order a relocation"),
      Entry<v1::RelocationCompleted, OnRelocationCompleted>(
          "record a relocation"),
      Entry<v1::Disappeared, OnDisappeared>("record a disappearance"),
      Entry<v1::Reappeared, OnReappeared>("record a reappearance"),
      Entry<v1::QualificationCourseEnrolled, OnCourseEnrolled>(
          "record a course enrolment"),
      Entry<v1::QualificationCourseCompleted, OnCourseCompleted>(
          "record a completed course"),
      Entry<v1::ReturnConversationHeld, OnConversationHeld>(
          "record a return conversation"),
      Entry<v1::FlagsChanged, OnFlagsChanged>("change the flags"),
      Entry<v1::PersonMovedCentre, OnMovedCentre>("record a move"),
      Entry<v1::HouseholdMemberJoined, OnMemberJoined>(
          "add a child to the household"),
      Entry<v1::GuardianDecisionFollowed, OnGuardianFollowed>(
          "follow a guardian's decision"),
      Entry<v1::HouseholdTasksShared, OnTasksShared>("share a household task"),
      Entry<v1::TimerFired, OnTimerFired>("apply a timer"),
      Entry<v1::TaskCompleted, OnTaskCompleted>("complete a task"),
  };
  return *rules;
}

}  // namespace

std::string TypeName(const google::protobuf::Any& any) {
  const absl::string_view url = any.type_url();
  const size_t slash = url.rfind('/');
  return std::string(slash == absl::string_view::npos ? url
                                                      : url.substr(slash + 1));
}

absl::StatusOr<const Rule*> FindRule(absl::string_view type_name) {
  const auto it = Rules().find(type_name);
  if (it == Rules().end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "payload: \"", type_name, "\" is not a return-pathway event"));
  }
  return &it->second;
}

bool IsCorrection(absl::string_view type_name) {
  return type_name == v1::EventCorrected::descriptor()->full_name() ||
         type_name == v1::EventRetracted::descriptor()->full_name() ||
         type_name == v1::GuardianFollowsCorrected::descriptor()->full_name();
}

bool IsEngineEvent(absl::string_view type_name) {
  return type_name == v1::TimerFired::descriptor()->full_name() ||
         type_name == v1::TaskCompleted::descriptor()->full_name();
}

absl::StatusOr<EventInput> InputFromEnvelope(const v1::EventEnvelope& event,
                                             const PolicySet& policies) {
  if (event.stream_id().empty()) {
    return absl::InvalidArgumentError("stream_id: missing");
  }
  if (event.position() == 0) {
    return absl::InvalidArgumentError("position: missing");
  }
  if (!event.has_effective_time()) {
    return absl::InvalidArgumentError("effective_time: missing");
  }
  if (!event.has_payload())
    return absl::InvalidArgumentError("payload: missing");
  EventInput in;
  in.stream_id = event.stream_id();
  in.position = event.position();
  in.positions = {event.position()};
  in.effective = FromTimestamp(event.effective_time());
  in.recorded = event.has_recorded_time() ? FromTimestamp(event.recorded_time())
                                          : in.effective;
  if (event.policy_version().empty()) {
    RP_ASSIGN_OR_RETURN(in.policy, policies.InForceAt(in.effective));
  } else {
    RP_ASSIGN_OR_RETURN(in.policy, policies.Find(event.policy_version()));
  }
  in.policy_version = in.policy->version();
  if (event.has_recorded_time()) {
    RP_RETURN_IF_ERROR(CheckNotInFuture(in.effective, in.recorded, *in.policy,
                                        "effective_time"));
  }
  in.payload = event.payload();
  in.caused_by_stream = event.caused_by_stream_id();
  in.caused_by_position = event.caused_by_position();
  return in;
}

v1::HistoryEntry EntryFor(const EventInput& in,
                          absl::string_view closed_task_key) {
  v1::HistoryEntry entry;
  entry.set_position(in.position);
  *entry.mutable_effective_time() = ToTimestamp(in.effective);
  *entry.mutable_recorded_time() = ToTimestamp(in.recorded);
  entry.set_policy_version(in.policy_version);
  *entry.mutable_payload() = in.payload;
  entry.set_closed_task_key(std::string(closed_task_key));
  return entry;
}

}  // namespace returnpath::return_pathway
