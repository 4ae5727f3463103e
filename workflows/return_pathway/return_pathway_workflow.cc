#include "workflows/return_pathway/return_pathway_workflow.h"

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "google/protobuf/arena.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/pathway.pb.h"
#include "workflows/return_pathway/date_util.h"
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

namespace {

// What an event with `payload` at `position` counts towards. With a null
// `state_after`, only what the payload alone decides (the final rejections
// derived from the state are left out).
std::vector<std::string> Categories(const google::protobuf::Any& payload,
                                    const v1::PathwayState* state_after,
                                    uint64_t position) {
  std::vector<std::string> out;
  v1::Departed departed;
  v1::AppealLodged appeal;
  v1::AppealDecided decided;
  if (payload.UnpackTo(&departed)) {
    switch (departed.kind()) {
      case v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY:
        out.push_back("assisted_return");
        break;
      case v1::DEPARTURE_KIND_FORCED:
        out.push_back("forced_return");
        break;
      case v1::DEPARTURE_KIND_DUBLIN_TRANSFER:
        out.push_back("dublin_transfer");
        break;
      default:
        break;
    }
  } else if (payload.Is<v1::Disappeared>()) {
    out.push_back("disappeared");
  } else if (payload.Is<v1::Reappeared>()) {
    out.push_back("reappeared");
  } else if (payload.Is<v1::IomApplicationSubmitted>()) {
    out.push_back("iom_application");
  } else if (payload.Is<v1::ResidencePermitGranted>()) {
    out.push_back("permit_granted");
  } else if (payload.Is<v1::FinalRejection>()) {
    out.push_back("final_rejection");
  } else if (payload.UnpackTo(&appeal)) {
    if (!appeal.deferred_implementation()) out.push_back("final_rejection");
  } else if (payload.UnpackTo(&decided)) {
    if (decided.outcome() == v1::APPEAL_OUTCOME_GRANTED) {
      out.push_back("permit_granted");
    }
    if (state_after != nullptr &&
        decided.outcome() == v1::APPEAL_OUTCOME_REJECTED &&
        state_after->final_rejection().basis() ==
            v1::FINAL_REJECTION_BASIS_REJECTED_BY_UNE &&
        !state_after->final_rejection().caused_by_positions().empty() &&
        state_after->final_rejection().caused_by_positions(0) == position) {
      out.push_back("final_rejection");
    }
  } else if (state_after != nullptr && payload.Is<v1::TimerFired>()) {
    if (state_after->final_rejection().derived_at_position() == position) {
      out.push_back("final_rejection");
    }
  }
  return out;
}

}  // namespace

std::vector<ReturnPathwayWorkflow::StatisticKey>
ReturnPathwayWorkflow::Classify(absl::string_view state_after,
                                const v1::EventEnvelope& event) const {
  absl::StatusOr<v1::PathwayState> state = DecodePathwayState(state_after);
  if (!state.ok()) return {};
  const std::string& group = state->person().nationality();
  std::vector<StatisticKey> keys;
  v1::EventRetracted retracted;
  if (event.payload().UnpackTo(&retracted)) {
    // Take back what the retracted event counted, in its own month.
    for (const v1::HistoryEntry& entry : state->history()) {
      if (entry.position() != retracted.retracted_position()) continue;
      const google::protobuf::Any& was =
          entry.has_replacement() ? entry.replacement() : entry.payload();
      const absl::Time at = FromTimestamp(entry.has_corrected_effective_time()
                                              ? entry.corrected_effective_time()
                                              : entry.effective_time());
      for (std::string& category : Categories(was, nullptr, entry.position())) {
        keys.push_back({std::move(category), group, -1, at});
      }
    }
    return keys;
  }
  for (std::string& category :
       Categories(event.payload(), &*state, event.position())) {
    keys.push_back({std::move(category), group});
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
