#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_EVIDENCE_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_EVIDENCE_H_

// One person's evidence as the compliance rules read it: the stream as
// stored, and the facts as they stood at any position of the log.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "engine/history_checker.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/event.pb.h"
#include "workflows/return_pathway/compliance/known_history.h"
#include "workflows/return_pathway/compliance/person_facts.h"
#include "workflows/return_pathway/policy_set.h"

namespace returnpath::return_pathway::compliance {

class Evidence {
 public:
  Evidence(const engine::StreamEvidence& stream, const PolicySet& policies,
           absl::Time now);

  const engine::StreamEvidence& stream() const { return stream_; }
  const PolicySet& policies() const { return policies_; }
  absl::Time now() const { return now_; }

  // The event at a global position of this stream; null if none.
  const returnpath::v1::EventEnvelope* EventAt(uint64_t position) const;
  // When the event at `position` happened (its effective time), or now.
  absl::Time MomentOf(uint64_t position) const;

  // What was known when the event at `position` was recorded.
  const PersonFacts& KnownAt(uint64_t position) const;
  // When the task took effect: the latest of the events behind it, as they
  // stood when it opened (a task a refold reopened belongs to the event that
  // caused it, not to the late fact that made the refold).
  absl::Time OpenedAt(const returnpath::v1::Task& t) const;
  // Everything known now.
  const PersonFacts& Known() const { return KnownAt(0); }

  // The policy in force at `t` by the checker's own lookup; null if none.
  const returnpath::v1::Policy* PolicyAt(absl::Time t) const;

 private:
  const engine::StreamEvidence& stream_;
  const PolicySet& policies_;
  const absl::Time now_;
  std::map<uint64_t, const returnpath::v1::EventEnvelope*> by_position_;
  struct KnownThen {
    std::vector<Fact> facts;
    PersonFacts person;
  };
  const KnownThen& KnownCached(uint64_t position) const;

  mutable std::map<uint64_t, std::unique_ptr<KnownThen>> known_;
};

// A finding of `rule` under `policy` (may be null) at `at`.
engine::Finding MakeFinding(std::string rule,
                            const returnpath::v1::Policy* policy,
                            std::vector<uint64_t> positions, absl::Time at,
                            std::string message);

}  // namespace returnpath::return_pathway::compliance

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_EVIDENCE_H_
