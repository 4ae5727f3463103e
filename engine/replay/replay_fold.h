#ifndef RETURNPATH_ENGINE_REPLAY_REPLAY_FOLD_H_
#define RETURNPATH_ENGINE_REPLAY_REPLAY_FOLD_H_

// Engine-internal: folding a stream's events the way the commit pipeline
// applied them (append.cc), from the log alone: the workflow's state and
// index keys, and, for a full fold, the timers it armed and the tasks it
// opened, updated and closed (as the log implies them: OPEN, COMPLETED,
// CANCELLED; leases and retries are not in the log). The state stays decoded
// (Workflow::DecodedState) from the first event to the last; it is encoded
// only when asked for.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "engine/workflow.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/event.pb.h"

namespace returnpath::engine {

struct FoldedStream {
  std::string stream_id;
  uint64_t version = 0;
  uint64_t last_position = 0;
  std::unique_ptr<Workflow::DecodedState> state;        // null before any event
  std::vector<std::string> index_keys;                  // sorted, unique
  std::map<std::string, returnpath::v1::Timer> timers;  // by id; full only
  std::map<std::string, returnpath::v1::Task> tasks;    // by id; full only
  std::vector<uint64_t> positions;  // of each version, from 1; full only
  // Erased (its last event a StreamErased): not folded; version and
  // last_position are the StreamErased event's, and the rest stays empty.
  bool erased = false;
};

// Whether `events`, a stream's from its first, end with its erasure (a
// StreamErased event).
bool EndsErased(absl::Span<const returnpath::v1::EventEnvelope> events);

// The state's bytes, exactly as the write path stored them; empty before
// any event.
std::string EncodedState(const FoldedStream& stream);

enum class FoldDetail { kStateOnly, kFull };

// Applies `event` (as read back from the store) to `stream`. Clears the
// event's hashes in place (the workflow sees events without them), which
// spares a copy per event on long replays. If `counted` is set it receives
// what the event counts towards in the statistics (Workflow::Classify). On a
// workflow error the error is returned and the stream's state is undefined:
// FoldEvents refolds it without the event.
// `log` is what the workflow reads earlier events through.
absl::Status FoldEvent(const Workflow& workflow, const EventLookup& log,
                       returnpath::v1::EventEnvelope* event, FoldDetail detail,
                       FoldedStream* stream,
                       std::vector<Workflow::StatisticKey>* counted = nullptr);

// Hears of each event of a fold, in order: whether the workflow applied it
// and, when the fold classifies, what it counts (null otherwise).
using EventFolded = absl::FunctionRef<void(
    const returnpath::v1::EventEnvelope& event, const absl::Status& applied,
    std::vector<Workflow::StatisticKey>* counted)>;

// Folds one stream's `events`, in stream order, into `stream` (fresh, or
// with only stream_id set). An event the workflow rejects is left out, as
// the write path would have left the state: the stream is folded again
// without it (rare: a healthy log has none).
void FoldEvents(const Workflow& workflow, const EventLookup& log,
                FoldDetail detail, bool classify,
                absl::Span<returnpath::v1::EventEnvelope> events,
                FoldedStream* stream, EventFolded on_event);

// Whether `stream` is among those worker `part` of `parts` folds: streams
// are split between threads by a hash of their id.
bool InPart(absl::string_view stream, int part, int parts);

// What the log decides of a stored task: without what the queue keeps
// (attempts, retry delay, lease, last error, handling), a LEASED or
// DEAD_LETTER task read as OPEN. Equal to the fold's task when the store is
// healthy.
returnpath::v1::Task LoggedPartOfTask(const returnpath::v1::Task& stored);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_REPLAY_REPLAY_FOLD_H_
