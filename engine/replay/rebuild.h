#ifndef RETURNPATH_ENGINE_REPLAY_REBUILD_H_
#define RETURNPATH_ENGINE_REPLAY_REBUILD_H_

// Engine-internal: bringing the records the log implies (each stream's state
// record, index entries, timers and tasks) in line with what the workflow's
// fold makes of the log today. The engine runs it when it opens a store whose
// states were written under another Workflow::StateSchema(); stored events
// are never rewritten.

#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/event_store.h"
#include "engine/workflow.h"

namespace returnpath::engine {

// Where MigrateStates says what it does: ("info", message).
using MigrationLog =
    std::function<void(absl::string_view level, absl::string_view message)>;

// If the store's states were written under another StateSchema() than
// `workflow`'s, or before the store kept one, rebuilds them, then records the
// workflow's; a new store only records it. The rebuild folds every stream the
// stream index lists and writes what differs from its stored records (state
// record, index entries, timers, tasks), a group of streams per command,
// through the store's sequencer. Tasks keep what the queue added to them
// (leases, retries, dead letters, handovers) while the log leaves them open.
// Records of streams without events are left to ReplayCheck to report.
// Nothing else may write while it runs; an interrupted one runs again on the
// next open. FAILED_PRECONDITION if an event no longer applies: groups written
// before it stay written and nothing more is.
absl::Status MigrateStates(EventStore& store, const Workflow& workflow,
                           const MigrationLog& log);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_REPLAY_REBUILD_H_
