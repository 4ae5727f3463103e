#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_KNOWN_HISTORY_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_KNOWN_HISTORY_H_

// The compliance checker's own reading of a person's log: which facts stood,
// and in which order they happened. It does not use the pathway's rules or
// state: corrections, retractions and a guardian's corrected follows are
// applied here again, from the events alone.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/any.pb.h"
#include "returnpath/v1/event.pb.h"
#include "returnpath/v1/policy.pb.h"
#include "workflows/return_pathway/policy_set.h"

namespace returnpath::return_pathway::compliance {

// One event as it stands after the corrections recorded by then.
struct Fact {
  uint64_t position = 0;
  uint64_t version = 0;
  absl::Time effective;  // the corrected effective time, if corrected
  absl::CivilDay day;    // its date in Norway
  absl::Time recorded;
  google::protobuf::Any payload;  // the latest correction's, if corrected
  // The policy in force at `effective` by the checker's own lookup; null if
  // none covers it.
  const returnpath::v1::Policy* policy = nullptr;
};

// The facts of `events` (one stream, in version order) recorded at or before
// global position `known_at` (0: all of them), corrections and retractions
// recorded by then applied, in effective-time order (ties by position).
// Corrections and retractions themselves are not facts.
std::vector<Fact> KnownHistory(
    const std::vector<returnpath::v1::EventEnvelope>& events,
    const PolicySet& policies, uint64_t known_at = 0);

}  // namespace returnpath::return_pathway::compliance

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_KNOWN_HISTORY_H_
