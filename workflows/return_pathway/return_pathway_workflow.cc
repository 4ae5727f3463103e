#include "workflows/return_pathway/return_pathway_workflow.h"

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "google/protobuf/arena.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/pathway.pb.h"
#include "workflows/return_pathway/machine.h"

namespace returnpath::return_pathway {

namespace v1 = ::returnpath::v1;

namespace {

absl::Status ParseState(absl::string_view bytes, v1::PathwayState* state) {
  if (!bytes.empty() &&
      !state->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        "the stored return-pathway state does not parse");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ReturnPathwayWorkflow::PolicyVersionAt(
    absl::Time effective_time) const {
  RP_ASSIGN_OR_RETURN(const v1::Policy* policy,
                      policies_.InForceAt(effective_time));
  return policy->version();
}

absl::StatusOr<returnpath::engine::Transition> ReturnPathwayWorkflow::Apply(
    absl::string_view state, const v1::EventEnvelope& event) const {
  // The decoded state only lives for this call: an arena frees it at once.
  google::protobuf::Arena arena;
  auto* current =
      google::protobuf::Arena::CreateMessage<v1::PathwayState>(&arena);
  RP_RETURN_IF_ERROR(ParseState(state, current));
  return ApplyEventInPlace(current, event, policies_);
}

std::string ReturnPathwayWorkflow::StateTypeName() const {
  return v1::PathwayState::descriptor()->full_name();
}

std::vector<ReturnPathwayWorkflow::StatisticKey>
ReturnPathwayWorkflow::Classify(absl::string_view state_after,
                                const v1::EventEnvelope& event) const {
  absl::StatusOr<v1::PathwayState> state = DecodePathwayState(state_after);
  if (!state.ok()) return {};
  const std::string& group = state->person().nationality();
  const google::protobuf::Any& payload = event.payload();
  std::vector<StatisticKey> keys;
  auto count = [&](absl::string_view category) {
    keys.push_back({std::string(category), group});
  };
  v1::Departed departed;
  v1::TimerFired fired;
  v1::AppealLodged appeal;
  v1::AppealDecided decided;
  if (payload.UnpackTo(&departed)) {
    switch (departed.kind()) {
      case v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY:
        count("assisted_return");
        break;
      case v1::DEPARTURE_KIND_FORCED:
        count("forced_return");
        break;
      case v1::DEPARTURE_KIND_DUBLIN_TRANSFER:
        count("dublin_transfer");
        break;
      default:
        break;
    }
  } else if (payload.Is<v1::Disappeared>()) {
    count("disappeared");
  } else if (payload.Is<v1::Reappeared>()) {
    count("reappeared");
  } else if (payload.Is<v1::IomApplicationSubmitted>()) {
    count("iom_application");
  } else if (payload.Is<v1::ResidencePermitGranted>()) {
    count("permit_granted");
  } else if (payload.Is<v1::FinalRejection>()) {
    count("final_rejection");
  } else if (payload.UnpackTo(&appeal)) {
    if (!appeal.deferred_implementation()) count("final_rejection");
  } else if (payload.UnpackTo(&decided)) {
    if (decided.outcome() == v1::APPEAL_OUTCOME_GRANTED)
      count("permit_granted");
    if (decided.outcome() == v1::APPEAL_OUTCOME_REJECTED &&
        state->final_rejection().basis() ==
            v1::FINAL_REJECTION_BASIS_REJECTED_BY_UNE &&
        !state->final_rejection().caused_by_positions().empty() &&
        state->final_rejection().caused_by_positions(0) == event.position()) {
      count("final_rejection");
    }
  } else if (payload.UnpackTo(&fired)) {
    if (state->final_rejection().derived_at_position() == event.position()) {
      count("final_rejection");
    }
  }
  return keys;
}

absl::StatusOr<std::unique_ptr<returnpath::engine::Workflow>>
NewReturnPathwayWorkflow(const std::string& policy_dir) {
  RP_ASSIGN_OR_RETURN(PolicySet policies, PolicySet::LoadDirectory(policy_dir));
  return std::make_unique<ReturnPathwayWorkflow>(std::move(policies));
}

absl::StatusOr<v1::PathwayState> DecodePathwayState(absl::string_view bytes) {
  v1::PathwayState state;
  RP_RETURN_IF_ERROR(ParseState(bytes, &state));
  return state;
}

}  // namespace returnpath::return_pathway
