#include "workflows/return_pathway/compliance/known_history.h"

#include <algorithm>
#include <map>

#include "returnpath/v1/household.pb.h"
#include "returnpath/v1/pathway.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"

namespace returnpath::return_pathway::compliance {
namespace {

namespace v1 = ::returnpath::v1;

// The guardian event a follow names: its version, or for follows recorded
// before versions were used, its global position (offset so the two never
// meet).
uint64_t GuardianEventOf(uint64_t version, uint64_t position) {
  return version != 0 ? version : (uint64_t{1} << 63) | position;
}

void SetEffective(absl::Time t, Fact& fact) {
  fact.effective = t;
  fact.day = OsloDate(t);
}

}  // namespace

std::vector<Fact> KnownHistory(const std::vector<v1::EventEnvelope>& events,
                               const PolicySet& policies, uint64_t known_at) {
  std::vector<Fact> facts;
  std::map<uint64_t, size_t> at_position;  // position -> index in facts
  std::vector<bool> dropped;
  for (const v1::EventEnvelope& event : events) {
    if (known_at != 0 && event.position() > known_at) break;
    v1::EventCorrected corrected;
    v1::EventRetracted retracted;
    v1::GuardianFollowsCorrected follows;
    if (event.payload().UnpackTo(&corrected)) {
      auto it = at_position.find(corrected.corrected_position());
      if (it == at_position.end()) continue;
      Fact& fact = facts[it->second];
      fact.payload = corrected.replacement();
      if (corrected.has_effective_time()) {
        SetEffective(FromTimestamp(corrected.effective_time()), fact);
      }
      continue;
    }
    if (event.payload().UnpackTo(&retracted)) {
      auto it = at_position.find(retracted.retracted_position());
      if (it != at_position.end()) dropped[it->second] = true;
      continue;
    }
    if (event.payload().UnpackTo(&follows)) {
      for (const v1::FollowCorrection& c : follows.corrections()) {
        const uint64_t named =
            GuardianEventOf(c.guardian_version(), c.guardian_position());
        for (size_t i = 0; i < facts.size(); ++i) {
          v1::GuardianDecisionFollowed followed;
          if (dropped[i] || !facts[i].payload.UnpackTo(&followed) ||
              followed.guardian_id() != follows.guardian_id() ||
              followed.decision() != c.decision() ||
              GuardianEventOf(followed.guardian_version(),
                              followed.guardian_position()) != named) {
            continue;
          }
          if (c.retracted()) {
            dropped[i] = true;
            continue;
          }
          facts[i].payload.PackFrom(c.followed());
          if (c.has_effective_time()) {
            SetEffective(FromTimestamp(c.effective_time()), facts[i]);
          }
        }
      }
      continue;
    }
    Fact& fact = facts.emplace_back();
    fact.position = event.position();
    fact.version = event.stream_version();
    SetEffective(FromTimestamp(event.effective_time()), fact);
    fact.recorded = FromTimestamp(event.recorded_time());
    fact.payload = event.payload();
    at_position[event.position()] = facts.size() - 1;
    dropped.push_back(false);
  }
  std::vector<Fact> kept;
  for (size_t i = 0; i < facts.size(); ++i) {
    if (dropped[i]) continue;
    absl::StatusOr<const v1::Policy*> policy =
        policies.InForceAt(facts[i].effective);
    facts[i].policy = policy.ok() ? *policy : nullptr;
    kept.push_back(std::move(facts[i]));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Fact& a, const Fact& b) {
    return a.effective < b.effective;
  });
  return kept;
}

}  // namespace returnpath::return_pathway::compliance
