#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_REFOLD_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_REFOLD_H_

// Internal to the return pathway: corrections, retractions and late appeals,
// which recompute the state from the history kept in it.

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

// Folds `history` from nothing, as the events would have applied: retracted
// and superseded entries are skipped, corrected ones take their replacement;
// a timer event applies only if that timer is armed and due by the time the
// timer event was recorded, and a task completion only if it closed a task
// live. Errors name the event that would no longer apply.
absl::StatusOr<returnpath::v1::PathwayState> Replay(
    absl::string_view stream_id,
    const google::protobuf::RepeatedPtrField<returnpath::v1::HistoryEntry>&
        history,
    const PolicySet& policies);

absl::StatusOr<Applied> ApplyCorrection(
    const returnpath::v1::PathwayState& state, const EventInput& in,
    const PolicySet& policies);

absl::StatusOr<Applied> ApplyRetraction(
    const returnpath::v1::PathwayState& state, const EventInput& in,
    const PolicySet& policies);

// An appeal dated within the appeal window but recorded after its expiry made
// the rejection final: the expiry is superseded and the history refolded.
bool IsLateTimelyAppeal(const returnpath::v1::PathwayState& state,
                        const EventInput& in);
absl::StatusOr<Applied> ApplyLateAppeal(
    const returnpath::v1::PathwayState& state, const EventInput& in,
    const PolicySet& policies);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_REFOLD_H_
