#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_DISPATCH_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_DISPATCH_H_

// Internal to the return pathway: from an event's payload type to its rule.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/any.pb.h"
#include "returnpath/v1/event.pb.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "workflows/return_pathway/event_kinds.h"
#include "workflows/return_pathway/policy_set.h"
#include "workflows/return_pathway/step.h"

namespace returnpath::return_pathway {

struct Rule {
  absl::string_view action;  // "record a first rejection": for refusals
  absl::Status (*apply)(Step& st);
};

// One row of the pathway's event kinds (event_kinds.cc): the public facts
// and the rule that applies the kind; null for a correction of history,
// which the refold applies.
struct KindEntry {
  EventKindInfo info;
  absl::Status (*apply)(Step& st);
};
const std::vector<KindEntry>& KindEntries();

// The full type name inside `any` ("returnpath.v1.FirstRejection").
std::string TypeName(const google::protobuf::Any& any);

// The rule for a payload type; INVALID_ARGUMENT if the pathway knows none.
absl::StatusOr<const Rule*> FindRule(absl::string_view type_name);

// A correction of history (EventCorrected, EventRetracted,
// GuardianFollowsCorrected).
bool IsCorrection(absl::string_view type_name);
bool IsEngineEvent(absl::string_view type_name);  // TimerFired, TaskCompleted

// The input of a live event: validates the envelope and resolves its policy.
absl::StatusOr<EventInput> InputFromEnvelope(
    const returnpath::v1::EventEnvelope& event, const PolicySet& policies,
    const returnpath::engine::EventLookup& log);

// The history entry a live event leaves.
returnpath::v1::HistoryEntry EntryFor(const EventInput& in,
                                      absl::string_view closed_task_key);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_DISPATCH_H_
