#ifndef RETURNPATH_ENGINE_REPLAY_FOLD_STREAMS_H_
#define RETURNPATH_ENGINE_REPLAY_FOLD_STREAMS_H_

// Engine-internal: the fold of every stream from the log, one stream at a
// time through the stream index (store/stream_walk.h), so memory does not
// grow with the number of streams, on as many threads as asked.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/store_view.h"
#include "engine/workflow.h"
#include "replay/replay_fold.h"
#include "returnpath/v1/event.pb.h"

namespace returnpath::engine {

struct StreamsFold {
  FoldDetail detail = FoldDetail::kStateOnly;
  bool classify = false;  // on_event gets what each event counts
  int threads = 1;        // streams split between them by InPart
  // Each called on the thread folding the stream, `part` being that
  // thread's number: at once from several threads when threads > 1.
  std::function<void(int part, const returnpath::v1::EventEnvelope& event,
                     const absl::Status& applied,
                     std::vector<Workflow::StatisticKey>* counted)>
      on_event;
  // Optional: after each stream's last event, with the events as read;
  // false stops that thread.
  std::function<bool(int part, FoldedStream& stream,
                     absl::Span<const returnpath::v1::EventEnvelope> events)>
      on_stream;
  // Optional: a stream index entry that is malformed or leads to no event
  // of its stream, as a sentence; the fold leaves it out.
  std::function<void(int part, absl::string_view stream, std::string problem)>
      on_problem;
};

// Folds every stream the stream index of `view` lists, in key order within
// each thread.
absl::Status FoldEveryStream(const StoreView& view, const Workflow& workflow,
                             const StreamsFold& fold);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_REPLAY_FOLD_STREAMS_H_
