#include "workflows/return_pathway/return_pathway_workflow.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "google/protobuf/arena.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/pathway.pb.h"
#include "workflows/return_pathway/household.h"
#include "workflows/return_pathway/machine.h"
#include "workflows/return_pathway/refold.h"

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

size_t ReturnPathwayWorkflow::MaxRelatedStreams() const {
  return std::max(kMaxGuardians, kMaxHouseholdChildren);
}

std::string ReturnPathwayWorkflow::StateTypeName() const {
  return v1::PathwayState::descriptor()->full_name();
}

namespace {

using StatisticKey = ReturnPathwayWorkflow::StatisticKey;

// What an event with `payload` counts towards by itself. The final
// rejections the state derives (DerivedFinalRejection) are counted apart.
std::vector<std::string> Categories(const google::protobuf::Any& payload) {
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
  }
  return out;
}

const v1::HistoryEntry* EntryAt(const v1::PathwayState& state,
                                uint64_t position) {
  for (const v1::HistoryEntry& entry : state.history()) {
    if (entry.position() == position) return &entry;
  }
  return nullptr;
}

// The state's final rejection when no payload says it: derived from an
// appeal-window expiry or from UNE's rejection of the appeal. Null otherwise.
const v1::HistoryEntry* DerivedFinalRejection(const v1::PathwayState& state) {
  const v1::FinalRejectionRecord& rejection = state.final_rejection();
  if (rejection.derived_at_position() != 0) {
    return EntryAt(state, rejection.derived_at_position());
  }
  if (rejection.basis() != v1::FINAL_REJECTION_BASIS_REJECTED_BY_UNE ||
      rejection.caused_by_positions().empty()) {
    return nullptr;
  }
  const v1::HistoryEntry* decision =
      EntryAt(state, rejection.caused_by_positions(0));
  return decision != nullptr &&
                 CurrentPayload(*decision).Is<v1::AppealDecided>()
             ? decision
             : nullptr;
}

// The event at `position` made earlier entries count differently: it
// corrected or retracted one, or superseded an appeal-window expiry.
bool Refolds(const v1::PathwayState& after, const v1::EventEnvelope& event) {
  if (event.payload().Is<v1::EventCorrected>() ||
      event.payload().Is<v1::EventRetracted>()) {
    return true;
  }
  for (const v1::HistoryEntry& entry : after.history()) {
    if (entry.superseded_by_position() == event.position()) return true;
  }
  return false;
}

void Count(const google::protobuf::Any& payload, const std::string& group,
           int delta, std::optional<absl::Time> at,
           std::vector<StatisticKey>* keys) {
  for (std::string& category : Categories(payload)) {
    keys->push_back({std::move(category), group, delta, at});
  }
}

}  // namespace

std::vector<ReturnPathwayWorkflow::StatisticKey>
ReturnPathwayWorkflow::Classify(absl::string_view state_before,
                                absl::string_view state_after,
                                const v1::EventEnvelope& event) const {
  absl::StatusOr<v1::PathwayState> after = DecodePathwayState(state_after);
  if (!after.ok()) return {};
  const std::string& group = after->person().nationality();
  std::vector<StatisticKey> keys;
  const v1::HistoryEntry* derived_after = DerivedFinalRejection(*after);
  if (!Refolds(*after, event)) {
    // Only this event is new: nothing counted before changes.
    Count(event.payload(), group, 1, std::nullopt, &keys);
    if (derived_after != nullptr &&
        derived_after->position() == event.position()) {
      keys.push_back({"final_rejection", group, 1, std::nullopt});
    }
    return keys;
  }

  absl::StatusOr<v1::PathwayState> before = DecodePathwayState(state_before);
  if (!before.ok()) return {};
  // Takebacks stay in the group they were counted in.
  const std::string& was_group = before->person().nationality();
  v1::EventCorrected corrected;
  v1::EventRetracted retracted;
  const uint64_t target =
      event.payload().UnpackTo(&corrected)   ? corrected.corrected_position()
      : event.payload().UnpackTo(&retracted) ? retracted.retracted_position()
                                             : 0;
  if (target != 0) {
    // Take back what the target counted, in its own month, and count what it
    // counts now.
    if (const v1::HistoryEntry* was = EntryAt(*before, target)) {
      Count(CurrentPayload(*was), was_group, -1, CurrentEffective(*was), &keys);
    }
    const v1::HistoryEntry* now = EntryAt(*after, target);
    if (now != nullptr && !now->retracted()) {
      Count(CurrentPayload(*now), group, 1, CurrentEffective(*now), &keys);
    }
  } else {
    Count(event.payload(), group, 1, std::nullopt, &keys);  // a late appeal
  }
  // The refold may have moved or undone a derived final rejection. One
  // derived ahead of a reopened case is no longer in either state and stays.
  const v1::HistoryEntry* derived_before = DerivedFinalRejection(*before);
  const auto same = [](const v1::HistoryEntry* a, const v1::HistoryEntry* b) {
    if (a == nullptr || b == nullptr) return a == b;
    return a->position() == b->position() &&
           CurrentEffective(*a) == CurrentEffective(*b);
  };
  if (same(derived_before, derived_after)) return keys;
  if (derived_before != nullptr) {
    keys.push_back(
        {"final_rejection", was_group, -1, CurrentEffective(*derived_before)});
  }
  if (derived_after != nullptr) {
    keys.push_back(
        {"final_rejection", group, 1, CurrentEffective(*derived_after)});
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
