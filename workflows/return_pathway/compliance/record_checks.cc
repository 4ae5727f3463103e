// What the records say, against what the policy gives: the support tier in
// the stored state, and the policy version stamped on each event.

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "workflows/return_pathway/compliance/checks.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"

namespace returnpath::return_pathway::compliance {
namespace {

namespace v1 = ::returnpath::v1;

// The tier rank `a` earns by itself: how early it came against the
// departure deadline in force then (a suspended one still counts).
int RankOf(const PersonFacts& facts, const Application& a) {
  const DeadlineState* deadline = DeadlineBefore(facts, a.at, a.position);
  int rank = 1;
  if (deadline == nullptr || a.policy == nullptr) return rank;
  const int64_t after = a.day - deadline->date;
  for (const v1::SupportTier& tier : a.policy->iom().tiers()) {
    rank = tier.rank();
    if (tier.open_ended() || after <= tier.max_days_after_departure_deadline())
      break;
  }
  return rank;
}

// The rank the policy gives `a`: never better than an earlier application's
// since the case was last reopened (applying again cannot improve it).
int RankGiven(const PersonFacts& facts, const Application& a) {
  absl::Time since = absl::InfinitePast();
  for (absl::Time reopened : facts.reopened) {
    if (reopened <= a.at) since = reopened;
  }
  int rank = RankOf(facts, a);
  for (const Application& earlier : facts.applications) {
    if (earlier.position == a.position) break;
    if (earlier.at >= since) rank = std::max(rank, RankOf(facts, earlier));
  }
  return std::min(rank, a.policy->iom().tiers_size());
}

}  // namespace

void CheckSupportTier(const Evidence& e, Findings* out) {
  v1::PathwayState state;
  if (e.stream().state.empty() || !state.ParseFromString(e.stream().state) ||
      state.iom().tier_rank() == 0) {
    return;
  }
  const PersonFacts& facts = e.Known();
  const auto a =
      std::find_if(facts.applications.begin(), facts.applications.end(),
                   [&state](const Application& x) {
                     return x.version == state.iom().version();
                   });
  if (a == facts.applications.end() || a->policy == nullptr) return;
  const int rank = RankGiven(facts, *a);
  const int64_t amount = a->policy->iom().tiers(rank - 1).amount_nok();
  if (rank == state.iom().tier_rank() && amount == state.iom().support_nok()) {
    return;
  }
  engine::Finding f = MakeFinding(
      "support_tier", a->policy, {a->position}, a->at,
      absl::StrCat("the IOM application of ", FormatDay(a->day),
                   " is recorded with tier ", state.iom().tier_rank(), " (NOK ",
                   state.iom().support_nok(), "); policy ",
                   a->policy->version(), " gives tier ", rank, " (NOK ", amount,
                   ")"));
  f.dates.push_back(absl::StrCat("applied ", FormatDay(a->day)));
  if (const DeadlineState* d = DeadlineBefore(facts, a->at, a->position)) {
    f.dates.push_back(absl::StrCat("departure deadline ", FormatDay(d->date)));
  }
  out->push_back(std::move(f));
}

void CheckPolicyVersions(const Evidence& e, Findings* out) {
  for (const v1::EventEnvelope& event : e.stream().events) {
    const absl::Time at = FromTimestamp(event.effective_time());
    const v1::Policy* policy = e.PolicyAt(at);
    const std::string in_force = policy == nullptr ? "" : policy->version();
    if (event.policy_version() == in_force) continue;
    engine::Finding f = MakeFinding(
        "policy_version", policy, {event.position()}, at,
        absl::StrCat("the event at position ", event.position(),
                     " was applied under policy \"", event.policy_version(),
                     "\"; policy \"", in_force, "\" was in force on ",
                     FormatDay(OsloDate(at))));
    f.dates.push_back(absl::StrCat("effective ", FormatDay(OsloDate(at))));
    out->push_back(std::move(f));
  }
}

}  // namespace returnpath::return_pathway::compliance
