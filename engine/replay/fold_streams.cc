#include "replay/fold_streams.h"

#include <algorithm>
#include <string>
#include <thread>
#include <utility>

#include "engine/status_macros.h"
#include "replay/log_lookup.h"
#include "store/stream_walk.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::EventEnvelope;

absl::Status FoldPart(const StoreView& view, const Workflow& workflow,
                      const StreamsFold& fold, int part, int parts) {
  StreamCursor index(view, Table::kStreams);
  const ViewEvents log(view);
  std::vector<EventEnvelope> events;
  auto on_event = [&fold, part](const EventEnvelope& event,
                                const absl::Status& applied,
                                std::vector<Workflow::StatisticKey>* counted) {
    fold.on_event(part, event, applied, counted);
  };
  while (index.Valid()) {
    if (!InPart(index.stream(), part, parts)) {
      index.Next();
      continue;
    }
    FoldedStream stream;
    stream.stream_id = std::string(index.stream());
    RP_RETURN_IF_ERROR(
        ReadIndexedStream(view, index, &events, [&](std::string problem) {
          if (fold.on_problem) {
            fold.on_problem(part, stream.stream_id, std::move(problem));
          }
        }));
    if (EndsErased(events)) {
      // Its erasable fields read as erased, so a fold would count and
      // decide on what is gone; what it counted is in the erased
      // statistics.
      stream.erased = true;
      stream.version = events.back().stream_version();
      stream.last_position = events.back().position();
    } else {
      FoldEvents(workflow, log, fold.detail, fold.classify,
                 absl::MakeSpan(events), &stream, on_event);
    }
    if (fold.on_stream && !fold.on_stream(part, stream, events)) break;
  }
  return index.status();
}

}  // namespace

absl::Status FoldEveryStream(const StoreView& view, const Workflow& workflow,
                             const StreamsFold& fold) {
  const int parts = std::max(1, fold.threads);
  std::vector<absl::Status> results(parts);
  std::vector<std::thread> running;
  for (int i = 1; i < parts; ++i) {
    running.emplace_back(
        [&, i] { results[i] = FoldPart(view, workflow, fold, i, parts); });
  }
  results[0] = FoldPart(view, workflow, fold, 0, parts);
  for (std::thread& t : running) t.join();
  for (const absl::Status& result : results) RP_RETURN_IF_ERROR(result);
  return absl::OkStatus();
}

}  // namespace returnpath::engine
