#ifndef RETURNPATH_SERVER_PATHWAY_VIEW_H_
#define RETURNPATH_SERVER_PATHWAY_VIEW_H_

#include "absl/status/statusor.h"
#include "engine/event_store.h"
#include "engine/workflow.h"
#include "returnpath/v1/services.pb.h"

namespace returnpath::engine {

// A person's pathway as stored now: state (as Any of the workflow's state
// type), open and leased tasks, armed timers, index keys. NoSuchPerson if
// there is no such stream (callers check scope first).
absl::StatusOr<v1::PathwayView> LoadPathwayView(EventStore& store,
                                                const Workflow& workflow,
                                                absl::string_view person_id);

// Packs workflow state bytes as Any of the workflow's state type.
void PackState(const Workflow& workflow, std::string state,
               google::protobuf::Any* out);

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_PATHWAY_VIEW_H_
