#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_EVENT_KINDS_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_EVENT_KINDS_H_

// Every kind of event a person's pathway holds, declared once: the workflow
// applies them by this table, the daemon derives from it who may record
// what, and returnctl's own table (clients/lib) is checked against it.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace returnpath::return_pathway {

// Who records a kind of event.
enum class RecordedBy {
  kStaff,          // reception staff and return advisers
  kStaffOrPolice,  // and the police liaison (forced returns, Dublin
                   // transfers, travel documents)
  kEngine,         // the engine: a timer that fired, a task completed
  kWithRelatedEvent,  // only with a related person's own event (a child's
                      // registration, a guardian's decision)
};

struct EventKindInfo {
  std::string type;    // "returnpath.v1.FirstRejection"
  std::string noun;    // "first rejection", as explanations name it
  std::string action;  // "record a first rejection", as refusals name it
  RecordedBy recorded_by;
};

const std::vector<EventKindInfo>& PathwayEventKinds();
// Null for a type the pathway does not hold.
const EventKindInfo* FindPathwayEventKind(absl::string_view type);

// The types each group records ("returnpath.v1.Departed", ...).
std::vector<std::string> TypesRecordedBy(RecordedBy recorded_by);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_EVENT_KINDS_H_
