#include "workflows/return_pathway/return_pathway_workflow.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>
#include <tuple>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "google/protobuf/arena.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/household.pb.h"
#include "returnpath/v1/pathway.pb.h"
#include "workflows/return_pathway/dispatch.h"
#include "workflows/return_pathway/event_kinds.h"
#include "workflows/return_pathway/finalize.h"
#include "workflows/return_pathway/full_history.h"
#include "workflows/return_pathway/household.h"
#include "workflows/return_pathway/machine.h"
#include "workflows/return_pathway/recording_rights.h"
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

absl::Status ReturnPathwayWorkflow::MayRecord(
    absl::string_view role, const google::protobuf::Any& event,
    absl::Time now) const {
  RP_ASSIGN_OR_RETURN(const v1::Policy* policy, policies_.InForceAt(now));
  return MayRecordUnder(*policy, role, event);
}

absl::StatusOr<returnpath::engine::Transition> ReturnPathwayWorkflow::Apply(
    absl::string_view state, const v1::EventEnvelope& event,
    const returnpath::engine::EventLookup& log) const {
  // The decoded state only lives for this call: an arena frees it at once.
  google::protobuf::Arena arena;
  auto* current =
      google::protobuf::Arena::CreateMessage<v1::PathwayState>(&arena);
  RP_RETURN_IF_ERROR(ParseState(state, current));
  return ApplyEventInPlace(current, event, policies_, log);
}

size_t ReturnPathwayWorkflow::MaxRelatedStreams() const {
  // A guardian's children and co-guardians.
  return kMaxHouseholdChildren + kMaxGuardians;
}

std::string ReturnPathwayWorkflow::StateTypeName() const {
  return v1::PathwayState::descriptor()->full_name();
}

std::string ReturnPathwayWorkflow::StateSchema() const {
  // Raise the number with any change to what the machine stores.
  return absl::StrCat(StateTypeName(), "/3");
}

std::vector<std::string> ReturnPathwayWorkflow::EngineOnlyEventTypes() const {
  return TypesRecordedBy(RecordedBy::kEngine);
}

std::string ReturnPathwayWorkflow::StatisticsTimeZone() const {
  return "Europe/Oslo";
}

namespace {

using StatisticKey = ReturnPathwayWorkflow::StatisticKey;

void CountDeparture(v1::DepartureKind kind, std::vector<std::string>* out) {
  switch (kind) {
    case v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY:
      out->push_back("assisted_return");
      break;
    case v1::DEPARTURE_KIND_FORCED:
      out->push_back("forced_return");
      break;
    case v1::DEPARTURE_KIND_DUBLIN_TRANSFER:
      out->push_back("dublin_transfer");
      break;
    default:
      break;
  }
}

// What an event with `payload` counts towards by itself. The final
// rejections the state derives (HistoryEntry.derived_final_rejection, a
// child's followed one too) and a child's departure with a guardian are
// counted apart (CountDerived).
std::vector<std::string> Categories(const google::protobuf::Any& payload) {
  std::vector<std::string> out;
  v1::Departed departed;
  v1::AppealLodged appeal;
  v1::AppealDecided decided;
  if (payload.UnpackTo(&departed)) {
    CountDeparture(departed.kind(), &out);
  } else if (payload.Is<v1::Disappeared>()) {
    out.push_back("disappeared");
  } else if (payload.Is<v1::Reappeared>()) {
    out.push_back("reappeared");
  } else if (payload.Is<v1::IomApplicationSubmitted>()) {
    out.push_back("iom_application");
  } else if (payload.Is<v1::ResidencePermitGranted>()) {
    out.push_back("permit_granted");
  } else if (payload.Is<v1::FinalRejection>() ||
             payload.Is<v1::AppealWaived>()) {
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

void Count(const google::protobuf::Any& payload, const std::string& group,
           int delta, std::optional<absl::Time> at,
           std::vector<StatisticKey>* keys) {
  for (std::string& category : Categories(payload)) {
    keys->push_back({std::move(category), group, delta, at});
  }
}

// What `entry` counts beyond its payload: a final rejection the state
// derived, a child's departure with a guardian.
void CountDerived(const v1::HistoryEntry& entry,
                  const google::protobuf::Any& payload,
                  const std::string& group, std::optional<absl::Time> at,
                  std::vector<StatisticKey>* keys) {
  if (entry.derived_final_rejection()) {
    keys->push_back({"final_rejection", group, 1, at});
  }
  v1::GuardianDecisionFollowed followed;
  if (entry.departed_with_guardian() && payload.UnpackTo(&followed)) {
    std::vector<std::string> categories;
    CountDeparture(followed.departure().kind(), &categories);
    for (std::string& category : categories) {
      keys->push_back({std::move(category), group, 1, at});
    }
  }
}

// Everything the state's history counts: (category, group, effective).
using Counted = std::multiset<std::tuple<std::string, std::string, absl::Time>>;
Counted CountedBy(const v1::PathwayState& state) {
  Counted out;
  const std::string& group = state.person().nationality();
  std::vector<StatisticKey> keys;
  for (const v1::HistoryEntry& entry : state.history()) {
    if (entry.retracted() || entry.superseded_by_version() != 0) continue;
    const absl::Time at = CurrentEffective(entry);
    Count(CurrentPayload(entry), group, 1, at, &keys);
    CountDerived(entry, CurrentPayload(entry), group, at, &keys);
  }
  for (StatisticKey& key : keys) {
    out.emplace(std::move(key.category), std::move(key.group), *key.effective);
  }
  return out;
}

// Classify for the states around `event`; `before` is asked for only when
// the event refolded the history (null: it does not decode). A refold may
// change what any event counts: both histories are then read in full.
absl::StatusOr<std::vector<StatisticKey>> ClassifyChange(
    absl::FunctionRef<const v1::PathwayState*()> before,
    const v1::PathwayState& after, const v1::EventEnvelope& event,
    const returnpath::engine::EventLookup& log, const PolicySet& policies) {
  if (after.last_version() == 0) return std::vector<StatisticKey>();
  const std::string& group = after.person().nationality();
  std::vector<StatisticKey> keys;
  const v1::HistoryEntry* own = nullptr;
  for (const v1::HistoryEntry& entry : after.history()) {
    if (entry.version() == event.stream_version()) own = &entry;
  }
  if (own == nullptr || !own->refolded()) {
    // Only this event is new: nothing counted before changes.
    Count(event.payload(), group, 1, std::nullopt, &keys);
    if (own != nullptr) {
      CountDerived(*own, event.payload(), group, std::nullopt, &keys);
    }
    return keys;
  }
  // Counted in each event's own month and under the nationality the person
  // now has: count the difference.
  const v1::PathwayState* was_state = before();
  if (was_state == nullptr) return keys;
  RP_ASSIGN_OR_RETURN(const EventInput in,
                      InputFromEnvelope(event, policies, log));
  // Both states' events but this one's, read once.
  RP_ASSIGN_OR_RETURN(const std::vector<v1::HistoryEntry> logged,
                      LoggedEntries(in, in.version - 1, policies));
  RP_ASSIGN_OR_RETURN(const v1::PathwayState was_full,
                      UnderNotes(*was_state, logged, in));
  RP_ASSIGN_OR_RETURN(const v1::PathwayState now_full,
                      UnderNotes(after, logged, in));
  const Counted was = CountedBy(was_full);
  const Counted now = CountedBy(now_full);
  std::vector<std::tuple<std::string, std::string, absl::Time>> gone, added;
  std::set_difference(was.begin(), was.end(), now.begin(), now.end(),
                      std::back_inserter(gone));
  std::set_difference(now.begin(), now.end(), was.begin(), was.end(),
                      std::back_inserter(added));
  for (auto& [category, in_group, at] : gone) {
    keys.push_back({std::move(category), std::move(in_group), -1, at});
  }
  for (auto& [category, in_group, at] : added) {
    keys.push_back({std::move(category), std::move(in_group), 1, at});
  }
  return keys;
}

// A stream's state kept parsed between its events.
class DecodedPathway final : public ReturnPathwayWorkflow::DecodedState {
 public:
  explicit DecodedPathway(const PolicySet& policies) : policies_(policies) {}

  v1::PathwayState* state() { return &state_; }

  absl::StatusOr<returnpath::engine::Transition> Apply(
      const v1::EventEnvelope& event,
      const returnpath::engine::EventLookup& log,
      std::vector<StatisticKey>* counted) override {
    InPlace in_place;
    in_place.skip_encoding = true;
    if (counted != nullptr) {
      replaced_.Clear();
      in_place.replaced = &replaced_;
    }
    RP_ASSIGN_OR_RETURN(
        returnpath::engine::Transition t,
        ApplyEventInPlace(&state_, event, policies_, log, in_place));
    if (counted != nullptr) {
      RP_ASSIGN_OR_RETURN(
          *counted, ClassifyChange([this] { return &replaced_; }, state_, event,
                                   log, policies_));
    }
    return t;
  }

  std::string Encode() const override { return SerializeState(state_); }

 private:
  const PolicySet& policies_;
  v1::PathwayState state_;
  v1::PathwayState replaced_;  // before a refold, when classifying
};

}  // namespace

std::vector<ReturnPathwayWorkflow::StatisticKey>
ReturnPathwayWorkflow::Classify(
    absl::string_view state_before, absl::string_view state_after,
    const v1::EventEnvelope& event,
    const returnpath::engine::EventLookup& log) const {
  absl::StatusOr<v1::PathwayState> after = DecodePathwayState(state_after);
  if (!after.ok()) return {};
  absl::StatusOr<v1::PathwayState> before;
  absl::StatusOr<std::vector<StatisticKey>> keys = ClassifyChange(
      [&]() -> const v1::PathwayState* {
        before = DecodePathwayState(state_before);
        return before.ok() ? &*before : nullptr;
      },
      *after, event, log, policies_);
  return keys.ok() ? *std::move(keys) : std::vector<StatisticKey>();
}

absl::StatusOr<std::unique_ptr<ReturnPathwayWorkflow::DecodedState>>
ReturnPathwayWorkflow::Decode(absl::string_view state) const {
  auto decoded = std::make_unique<DecodedPathway>(policies_);
  RP_RETURN_IF_ERROR(ParseState(state, decoded->state()));
  return std::unique_ptr<DecodedState>(std::move(decoded));
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
