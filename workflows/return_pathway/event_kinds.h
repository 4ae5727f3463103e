#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_EVENT_KINDS_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_EVENT_KINDS_H_

// Every kind of event a person's pathway holds, declared once: the workflow
// applies them by this table, the daemon derives from it who may record
// what, and returnctl's own table (clients/lib) is checked against it.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/any.pb.h"

namespace returnpath::return_pathway {

// Who records a kind of event.
enum class RecordedBy {
  kPeople,  // staff, advisers or the police: the policy's recording grants
            // say which role records which recording kind
  kEngine,  // the engine: a timer that fired, a task completed
  kWithRelatedEvent,  // only with a related person's own event (a child's
                      // registration, a guardian's decision)
};

struct EventKindInfo {
  std::string type;    // "returnpath.v1.FirstRejection"
  std::string noun;    // "first rejection", as explanations name it
  std::string action;  // "record a first rejection", as refusals name it
  RecordedBy recorded_by;
  // kPeople: the name policies grant it by ("first_rejection"). A departure
  // is one of three (RecordingKindOf).
  std::string recording_kind;
};

const std::vector<EventKindInfo>& PathwayEventKinds();
// Null for a type the pathway does not hold.
const EventKindInfo* FindPathwayEventKind(absl::string_view type);

// The types each group records ("returnpath.v1.Departed", ...).
std::vector<std::string> TypesRecordedBy(RecordedBy recorded_by);

// Every recording kind a policy may grant, each once.
const std::vector<std::string>& RecordingKinds();

// The recording kind of an event people record: the kind's own, but a
// departure is "departure" (assisted voluntary), "forced_return" or
// "dublin_transfer"; a correction that replaces an event is judged as that
// event. INVALID_ARGUMENT for a payload that does not parse; empty for an
// event nobody records directly.
absl::StatusOr<std::string> RecordingKindOf(
    const google::protobuf::Any& event);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_EVENT_KINDS_H_
