// A guardian's refolded history reaches the children (docs/households.md):
// what each child followed is recomputed from the guardian's history as it
// now stands, event by event, and compared with what the history folded to
// before; the children get the difference, caused by the guardian's event.

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/dispatch.h"
#include "workflows/return_pathway/household.h"
#include "workflows/return_pathway/refold.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

// (child, guardian event, decision) -> what the child follows from it.
using FollowKey = std::tuple<std::string, uint64_t, int>;
struct FollowFact {
  absl::Time effective;
  v1::GuardianDecisionFollowed followed;
};
using Follows = std::map<FollowKey, FollowFact>;

// Collects the follows each event of a guardian's fold gives its children,
// exactly as the live event gave them (HouseholdEvents). The fold applies
// the members before every decision, but a guardian event recorded before a
// child joined never reached that child: the child caught up with it through
// its catch-up timer, whose follows stand for it.
class FollowCollector : public FoldObserver {
 public:
  explicit FollowCollector(Follows* out) : out_(out) {}
  void Before(const v1::PathwayState& s) override {
    before_ = HouseholdSnapshot(s);
  }
  void After(const EventInput& in, const v1::PathwayState& s) override {
    if (!InHousehold(s)) return;
    v1::HouseholdMemberJoined joined;
    if (in.payload.UnpackTo(&joined)) {
      joined_at_.emplace(joined.person_id(), in.version);
    }
    for (const returnpath::engine::RelatedEvent& r :
         HouseholdEvents(before_, s, in)) {
      v1::GuardianDecisionFollowed followed;
      if (!r.payload.UnpackTo(&followed)) continue;
      const auto joined_at = joined_at_.find(r.stream_id);
      if (joined_at != joined_at_.end() && in.version <= joined_at->second) {
        continue;
      }
      const FollowKey key = {r.stream_id, followed.guardian_version(),
                             followed.decision()};
      (*out_)[key] = FollowFact{r.effective_time, std::move(followed)};
    }
  }

 private:
  Follows* out_;
  HouseholdBefore before_;
  std::map<std::string, uint64_t> joined_at_;  // child -> its join's version
};

absl::StatusOr<Follows> FollowsOf(const v1::PathwayState& s,
                                  const PolicySet& policies) {
  Follows out;
  FollowCollector collector(&out);
  RP_RETURN_IF_ERROR(
      ReplayObserved(s.person_id(), s.history(), policies, collector));
  return out;
}

bool SameFact(const FollowFact& a, const FollowFact& b) {
  return a.effective == b.effective &&
         a.followed.SerializeAsString() == b.followed.SerializeAsString();
}

}  // namespace

absl::Status AddRefoldedHouseholdEvents(const v1::PathwayState& before,
                                        const EventInput& in,
                                        const PolicySet& policies,
                                        Applied* applied) {
  if (!InHousehold(before)) return absl::OkStatus();
  RP_ASSIGN_OR_RETURN(const Follows was, FollowsOf(before, policies));
  RP_ASSIGN_OR_RETURN(const Follows now, FollowsOf(applied->state, policies));
  std::vector<returnpath::engine::RelatedEvent>& out =
      applied->transition.related_events;
  out.clear();
  const HouseholdBefore snapshot = HouseholdSnapshot(before);
  // A catch-up fired late brings its child up to date with what the
  // guardian has now, as one fired on time does.
  const v1::PathwayTimer* catch_up = CatchUpTimer(snapshot, in);
  const std::string caught_up = catch_up != nullptr ? catch_up->payload() : "";
  // The child whose registration caused this event catches up through its
  // timer: an event back to it would be a cycle.
  auto skip = [&](const std::string& child) {
    return child == in.caused_by_stream || child == caught_up;
  };
  std::map<std::string, v1::GuardianFollowsCorrected> corrections;
  for (const auto& [key, fact] : was) {
    if (skip(std::get<0>(key))) continue;
    const auto it = now.find(key);
    if (it != now.end() && SameFact(it->second, fact)) continue;
    v1::GuardianFollowsCorrected& c = corrections[std::get<0>(key)];
    c.set_guardian_id(before.person_id());
    v1::FollowCorrection& correction = *c.add_corrections();
    correction.set_guardian_version(std::get<1>(key));
    correction.set_decision(
        static_cast<v1::FollowedDecision>(std::get<2>(key)));
    if (it == now.end()) {
      correction.set_retracted(true);
      continue;
    }
    *correction.mutable_effective_time() = ToTimestamp(it->second.effective);
    *correction.mutable_followed() = it->second.followed;
  }
  for (const auto& [child, c] : corrections) {
    returnpath::engine::RelatedEvent& related = out.emplace_back();
    related.stream_id = child;
    related.effective_time = in.effective;
    related.payload.PackFrom(c);
  }
  // What the children follow only now (a fact recorded late): at its time.
  for (const auto& [key, fact] : now) {
    if (was.contains(key) || skip(std::get<0>(key))) continue;
    returnpath::engine::RelatedEvent& related = out.emplace_back();
    related.stream_id = std::get<0>(key);
    related.effective_time = fact.effective;
    related.payload.PackFrom(fact.followed);
  }
  if (catch_up != nullptr) CatchUp(applied->state, *catch_up, in, &out);
  ShareTasks(snapshot, applied->state, in,
             ShareTimerFired(snapshot, applied->state), &out);
  return absl::OkStatus();
}

// The guardian's event a follow or a correction of it names, as a version of
// the guardian's stream; events recorded before versions were used name its
// global position, which `in.log` resolves.
absl::StatusOr<uint64_t> GuardianVersion(uint64_t version, uint64_t position,
                                         const EventInput& in) {
  if (version != 0 || position == 0) return version;
  RP_ASSIGN_OR_RETURN(v1::EventEnvelope event, in.log->EventAt(position));
  return event.stream_version();
}

absl::StatusOr<Applied> ApplyFollowsCorrected(const v1::PathwayState& state,
                                              const EventInput& in,
                                              const PolicySet& policies) {
  v1::GuardianFollowsCorrected e;
  if (!in.payload.UnpackTo(&e)) {
    return absl::InvalidArgumentError(
        "payload: does not parse as returnpath.v1.GuardianFollowsCorrected");
  }
  const std::string action = absl::StrCat("correct what ", state.person_id(),
                                          " followed from ", e.guardian_id());
  if (in.recording &&
      (e.guardian_id().empty() || in.caused_by_stream != e.guardian_id())) {
    return Refuse(action, "it is recorded only with the guardian's correction");
  }
  google::protobuf::RepeatedPtrField<v1::HistoryEntry> history =
      state.history();
  for (v1::HistoryEntry& entry : history) {
    v1::GuardianDecisionFollowed followed;
    if (entry.retracted() || !entry.payload().UnpackTo(&followed) ||
        followed.guardian_id() != e.guardian_id()) {
      continue;
    }
    RP_ASSIGN_OR_RETURN(const uint64_t follows,
                        GuardianVersion(followed.guardian_version(),
                                        followed.guardian_position(), in));
    for (const v1::FollowCorrection& c : e.corrections()) {
      RP_ASSIGN_OR_RETURN(
          const uint64_t corrects,
          GuardianVersion(c.guardian_version(), c.guardian_position(), in));
      if (corrects != follows || c.decision() != followed.decision()) {
        continue;
      }
      entry.add_correction_versions(in.version);
      if (c.retracted()) {
        entry.set_retracted(true);
        continue;
      }
      entry.mutable_replacement()->PackFrom(c.followed());
      const absl::Time at = FromTimestamp(c.effective_time());
      if (at == FromTimestamp(entry.effective_time())) {
        entry.clear_corrected_effective_time();
        entry.clear_corrected_policy_version();
        continue;
      }
      RP_ASSIGN_OR_RETURN(const v1::Policy* policy, policies.InForceAt(at));
      *entry.mutable_corrected_effective_time() = c.effective_time();
      entry.set_corrected_policy_version(policy->version());
    }
  }
  *history.Add() = EntryFor(in, "");
  history.rbegin()->set_refolded(true);
  return RefoldHistory(state, in, history, policies, action);
}

}  // namespace returnpath::return_pathway
