#ifndef RETURNPATH_ENGINE_RETENTION_H_
#define RETURNPATH_ENGINE_RETENTION_H_

// Erasure by the retention policy: every stream whose state the workflow says
// may be erased by now (Workflow::RetentionDue) is erased (EraseStream), the
// policy's rule standing in for the approving principal, unless an auditor
// holds it (EventStore::PlaceLegalHold). Run it on a schedule.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/event_store.h"
#include "engine/workflow.h"

namespace returnpath::engine {

struct RetentionReport {
  uint64_t streams = 0;  // looked at
  uint64_t erased = 0;
  uint64_t held = 0;     // due, but under a legal hold
  uint64_t failed = 0;   // due, but the erasure failed (first_error says why)
  absl::Status first_error;
};

// Erases what retention allows at `now`, as `principal` (e.g.
// "system:retention"). Streams erased meanwhile by others are skipped.
absl::StatusOr<RetentionReport> EraseWhatRetentionAllows(
    EventStore& store, const Workflow& workflow, absl::Time now,
    const std::string& principal);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_RETENTION_H_
