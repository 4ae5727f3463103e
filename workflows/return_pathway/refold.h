#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_REFOLD_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_REFOLD_H_

// Internal to the return pathway: corrections, retractions and events
// effective before others already applied, which recompute the state from the
// history kept in it, folded in effective-time order.

#include "absl/status/statusor.h"
#include "returnpath/v1/pathway.pb.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "workflows/return_pathway/machine.h"
#include "workflows/return_pathway/policy_set.h"
#include "workflows/return_pathway/step.h"

namespace returnpath::return_pathway {

// A history entry as the state now counts it: with its latest correction's
// payload and effective time.
const google::protobuf::Any& CurrentPayload(
    const returnpath::v1::HistoryEntry& entry);
absl::Time CurrentEffective(const returnpath::v1::HistoryEntry& entry);

// Folds `history` from nothing in effective-time order (ties by version),
// as the events would have applied: retracted
// and superseded entries are skipped, corrected ones take their replacement;
// a timer event applies only if that timer is armed and due by the time the
// timer event was recorded, and a task completion only if it closed a task
// live. Errors name the event that would no longer apply.
absl::StatusOr<returnpath::v1::PathwayState> Replay(
    absl::string_view stream_id,
    const google::protobuf::RepeatedPtrField<returnpath::v1::HistoryEntry>&
        history,
    const PolicySet& policies);

// Told of each event a fold applies, around its rule (household.h uses it to
// learn what a refolded guardian's children would have followed).
class FoldObserver {
 public:
  virtual ~FoldObserver() = default;
  virtual void Before(const returnpath::v1::PathwayState& s) = 0;
  virtual void After(const EventInput& in,
                     const returnpath::v1::PathwayState& s) = 0;
};
absl::Status ReplayObserved(
    absl::string_view stream_id,
    const google::protobuf::RepeatedPtrField<returnpath::v1::HistoryEntry>&
        history,
    const PolicySet& policies, FoldObserver& observer);

// Refolds `history` (its last entry is the event `in`, already changed as
// `in` changes it) into the transition from `state`; `action` names what
// `in` does, for a refusal.
absl::StatusOr<Applied> RefoldHistory(
    const returnpath::v1::PathwayState& state, const EventInput& in,
    const google::protobuf::RepeatedPtrField<returnpath::v1::HistoryEntry>&
        history,
    const PolicySet& policies, absl::string_view action);

absl::StatusOr<Applied> ApplyCorrection(
    const returnpath::v1::PathwayState& state, const EventInput& in,
    const PolicySet& policies);

absl::StatusOr<Applied> ApplyRetraction(
    const returnpath::v1::PathwayState& state, const EventInput& in,
    const PolicySet& policies);

// An event effective before events already applied (applied_until): it is
// applied where it belongs in effective-time order and the history refolded.
// A late appeal dated within the window thus comes before the window's
// expiry, and a late IOM application before the deadline's.
bool IsBackdated(const returnpath::v1::PathwayState& state,
                 const EventInput& in);
absl::StatusOr<Applied> ApplyBackdated(
    const returnpath::v1::PathwayState& state, const EventInput& in,
    const PolicySet& policies);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_REFOLD_H_
