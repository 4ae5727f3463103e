#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_RETURN_PATHWAY_WORKFLOW_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_RETURN_PATHWAY_WORKFLOW_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/workflow.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "workflows/return_pathway/policy_set.h"

namespace returnpath::return_pathway {

// The return pathway as the engine sees it: decodes the Any payload and the
// stored state, applies the pure machine (machine.h) under the policy version
// the event names, and encodes the state deterministically. Immutable after
// construction and thread-safe; owns its PolicySet.
class ReturnPathwayWorkflow final : public returnpath::engine::Workflow {
 public:
  explicit ReturnPathwayWorkflow(PolicySet policies)
      : policies_(std::move(policies)) {}

  absl::StatusOr<std::string> PolicyVersionAt(
      absl::Time effective_time) const override;

  absl::StatusOr<returnpath::engine::Transition> Apply(
      absl::string_view state, const returnpath::v1::EventEnvelope& event,
      const returnpath::engine::EventLookup& log) const override;

  // A guardian's event reaches each child of the household; a child's
  // registration each guardian (household.h).
  size_t MaxRelatedStreams() const override;

  // "returnpath.v1.PathwayState".
  std::string StateTypeName() const override;
  // The state type and the version of what the machine keeps in it.
  std::string StateSchema() const override;
  std::vector<std::string> EngineOnlyEventTypes() const override;
  // Under the recording grants of the policy in force at `now`.
  absl::Status MayRecord(absl::string_view role,
                         const google::protobuf::Any& event,
                         absl::Time now) const override;

  // Departures ("assisted_return", "forced_return", "dublin_transfer"),
  // "disappeared", "reappeared", "final_rejection" (derived ones included),
  // "iom_application", "permit_granted"; grouped by nationality. An event
  // that refolds the history (a correction, a retraction, a fact effective
  // before others) counts the difference between what the history counted
  // before and after, each in its own month and under the nationality the
  // person now has: a corrected nationality moves every count.
  std::vector<StatisticKey> Classify(
      absl::string_view state_before, absl::string_view state_after,
      const returnpath::v1::EventEnvelope& event,
      const returnpath::engine::EventLookup& log) const override;

  // "Europe/Oslo": the facts are dated in Norway, so are the months.
  std::string StatisticsTimeZone() const override;

  // The PathwayState, parsed once: events apply to it in place.
  absl::StatusOr<std::unique_ptr<DecodedState>> Decode(
      absl::string_view state) const override;

  // Stage, appeal window, departure deadline, support tier and amount
  // (what_if.cc).
  absl::StatusOr<std::vector<Fact>> Facts(
      absl::string_view state) const override;

  // `retention.erase_after_years` after the pathway ended (terminal_on), by
  // the policy in force that day; none while it runs or when that policy
  // says 0 (retention.cc).
  absl::StatusOr<std::optional<Retention>> RetentionDue(
      absl::string_view state) const override;

  const PolicySet& policies() const { return policies_; }

 private:
  const PolicySet policies_;
};

// Loads the policy files in `policy_dir` (e.g.
// workflows/return_pathway/policy) and builds the workflow.
absl::StatusOr<std::unique_ptr<returnpath::engine::Workflow>>
NewReturnPathwayWorkflow(const std::string& policy_dir);

// The state the workflow stored; an empty string is a new stream. DATA_LOSS
// if the bytes do not parse.
absl::StatusOr<returnpath::v1::PathwayState> DecodePathwayState(
    absl::string_view bytes);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_RETURN_PATHWAY_WORKFLOW_H_
