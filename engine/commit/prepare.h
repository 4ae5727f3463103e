#ifndef RETURNPATH_ENGINE_COMMIT_PREPARE_H_
#define RETURNPATH_ENGINE_COMMIT_PREPARE_H_

// Transitions computed off the sequencer. The caller's thread reads the
// stream's record, runs the workflow for each event of an append (and for the
// related events they name, depth first, as the write applies them), and
// hands the sequencer the result with the versions it read. The sequencer
// uses it only if every stream it read is still at that version; otherwise it
// computes the append itself, once, against the record as it then stands
// (AppendResult::recomputed). Either way the write is exactly what the serial
// path stores: a transition never depends on the global position.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/event_store.h"
#include "engine/workflow.h"
#include "returnpath/v1/event.pb.h"
#include "store/store_backend.h"

namespace returnpath::engine {

struct PreparedEvent {
  std::string stream_id;
  uint64_t version = 0;
  std::string policy_version;
  Transition transition;
};

struct PreparedAppend {
  absl::Time recorded;  // the recorded time of its events
  // Each stream the transitions start from, and its version then (0: none).
  std::vector<std::pair<std::string, uint64_t>> read;
  std::vector<PreparedEvent> events;  // in the order the write applies them
};

// Prepares `request` against the durable store, its events recorded at
// `now`. An error (a refusal, a related stream over the limit, a record that
// does not parse) means only that the sequencer computes the append itself,
// and reports what is wrong.
absl::StatusOr<PreparedAppend> PrepareAppend(const StoreBackend& store,
                                             const Workflow& workflow,
                                             absl::Time now,
                                             const AppendRequest& request);

// The next event of `record`'s stream as an append stamps it, before its
// position is known: what the workflow is given.
returnpath::v1::EventEnvelope StampEvent(
    const AppendRequest& request, const returnpath::v1::StreamRecord& record,
    absl::Time effective, const google::protobuf::Any& payload,
    absl::Time recorded);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_COMMIT_PREPARE_H_
