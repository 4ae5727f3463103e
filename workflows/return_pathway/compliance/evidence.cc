#include "workflows/return_pathway/compliance/evidence.h"

#include <algorithm>
#include <utility>

#include "workflows/return_pathway/date_util.h"

namespace returnpath::return_pathway::compliance {

namespace v1 = ::returnpath::v1;

Evidence::Evidence(const engine::StreamEvidence& stream,
                   const PolicySet& policies, absl::Time now)
    : stream_(stream), policies_(policies), now_(now) {
  for (const v1::EventEnvelope& event : stream.events) {
    by_position_[event.position()] = &event;
  }
}

const v1::EventEnvelope* Evidence::EventAt(uint64_t position) const {
  auto it = by_position_.find(position);
  return it == by_position_.end() ? nullptr : it->second;
}

absl::Time Evidence::MomentOf(uint64_t position) const {
  const v1::EventEnvelope* event = EventAt(position);
  return event == nullptr ? now_ : FromTimestamp(event->effective_time());
}

const Evidence::KnownThen& Evidence::KnownCached(uint64_t position) const {
  std::unique_ptr<KnownThen>& slot = known_[position];
  if (slot == nullptr) {
    slot = std::make_unique<KnownThen>();
    slot->facts = KnownHistory(stream_.events, policies_, position);
    // What the engine had applied by then: the event itself and every timer
    // due by it; now, everything due by now.
    absl::Time until = position == 0 ? now_ : MomentOf(position);
    for (const Fact& f : slot->facts) until = std::max(until, f.effective);
    slot->person = ReadFacts(slot->facts, policies_, until);
  }
  return *slot;
}

const PersonFacts& Evidence::KnownAt(uint64_t position) const {
  return KnownCached(position).person;
}

absl::Time Evidence::OpenedAt(const v1::Task& t) const {
  const std::vector<Fact>& facts = KnownCached(t.opened_at_position()).facts;
  absl::Time latest = absl::InfinitePast();
  for (uint64_t cause : t.caused_by_positions()) {
    for (const Fact& f : facts) {
      if (f.position == cause) latest = std::max(latest, f.effective);
    }
  }
  return latest == absl::InfinitePast() ? MomentOf(t.opened_at_position())
                                        : latest;
}

const v1::Policy* Evidence::PolicyAt(absl::Time t) const {
  absl::StatusOr<const v1::Policy*> policy = policies_.InForceAt(t);
  return policy.ok() ? *policy : nullptr;
}

engine::Finding MakeFinding(std::string rule, const v1::Policy* policy,
                            std::vector<uint64_t> positions, absl::Time at,
                            std::string message) {
  engine::Finding finding;
  finding.rule = std::move(rule);
  if (policy != nullptr) finding.policy_version = policy->version();
  finding.positions = std::move(positions);
  finding.at = at;
  finding.message = std::move(message);
  return finding;
}

}  // namespace returnpath::return_pathway::compliance
