#ifndef RETURNPATH_ENGINE_REPLAY_REBUILD_H_
#define RETURNPATH_ENGINE_REPLAY_REBUILD_H_

// Engine-internal: bringing the records the log implies (each stream's state
// record, index entries, timers and tasks) in line with what the workflow's
// fold makes of the log today. The engine runs it when it opens a store whose
// states were written under another Workflow::StateSchema(); stored events
// are never rewritten.

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/event_store.h"
#include "engine/replay.h"
#include "engine/workflow.h"

namespace returnpath::engine {

struct RebuildReport {
  uint64_t streams = 0;
  uint64_t events = 0;
  uint64_t rewritten_streams = 0;  // with at least one record changed
};

// Folds every stream the stream index lists and writes what differs from its
// stored records, a group of streams per command, through the store's
// sequencer. (Records of streams the log has no events for are left to
// ReplayCheck to report.)
// Tasks keep what the queue added to them (leases, retries, dead letters,
// handovers) while the log leaves them open. Nothing else may write while it
// runs. Safe to run again after an interruption. FAILED_PRECONDITION if an
// event no longer applies: groups written before it stay written, nothing
// more is, and the next run starts over.
absl::StatusOr<RebuildReport> RebuildFromLog(EventStore& store,
                                             const Workflow& workflow,
                                             const ReplayProgress& progress);

// Where MigrateStates says what it does: ("info", message).
using MigrationLog =
    std::function<void(absl::string_view level, absl::string_view message)>;

// Rebuilds (RebuildFromLog) if the store's states were written under another
// StateSchema() than `workflow`'s, or before the store kept one, then records
// the workflow's. A new store only records it.
absl::Status MigrateStates(EventStore& store, const Workflow& workflow,
                           const MigrationLog& log);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_REPLAY_REBUILD_H_
