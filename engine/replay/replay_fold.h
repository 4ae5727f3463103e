#ifndef RETURNPATH_ENGINE_REPLAY_REPLAY_FOLD_H_
#define RETURNPATH_ENGINE_REPLAY_REPLAY_FOLD_H_

// Engine-internal: folding a stream's events the way the commit pipeline
// applied them (append.cc), from the log alone: the workflow's state and
// index keys, and, for a full fold, the timers it armed and the tasks it
// opened, updated and closed (as the log implies them: OPEN, COMPLETED,
// CANCELLED; leases and retries are not in the log).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/workflow.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/event.pb.h"

namespace returnpath::engine {

struct FoldedStream {
  std::string stream_id;
  uint64_t version = 0;
  uint64_t last_position = 0;
  std::string state;
  std::vector<std::string> index_keys;                  // sorted, unique
  std::map<std::string, returnpath::v1::Timer> timers;  // by id; full only
  std::map<std::string, returnpath::v1::Task> tasks;    // by id; full only
};

enum class FoldDetail { kStateOnly, kFull };

// Applies `event` (as read back from the store) to `stream`. Clears the
// event's hashes in place (the workflow sees events without them), which
// spares a copy per event on long replays. On a workflow error the stream is
// left as it was and the error returned.
absl::Status FoldEvent(const Workflow& workflow,
                       returnpath::v1::EventEnvelope* event, FoldDetail detail,
                       FoldedStream* stream);

// What the log decides of a stored task: without what the queue keeps
// (attempts, retry delay, lease, last error, handling), a LEASED or
// DEAD_LETTER task read as OPEN. Equal to the fold's task when the store is
// healthy.
returnpath::v1::Task LoggedPartOfTask(const returnpath::v1::Task& stored);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_REPLAY_REPLAY_FOLD_H_
