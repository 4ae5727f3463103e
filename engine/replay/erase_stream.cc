// EraseStream (engine/replay.h): the statistics a stream counted, folded
// from its events, handed to EventStore::Erase with the version they were
// counted at.

#include <utility>
#include <vector>

#include "engine/replay.h"
#include "engine/status_macros.h"
#include "replay/log_lookup.h"
#include "replay/read_stream.h"
#include "replay/replay_fold.h"
#include "replay/statistics_of_view.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::EventEnvelope;

// What the stream's events count, summed by (category, month, group).
absl::Status CountStream(EventStore& store, const Workflow& workflow,
                         EraseRequest* request) {
  RP_ASSIGN_OR_RETURN(const absl::TimeZone zone, StatisticsZone(workflow));
  RP_ASSIGN_OR_RETURN(
      std::vector<EventEnvelope> events,
      ReadStreamEvents(store, request->stream_id,
                       [](const EventEnvelope&) { return Take::kFold; }));
  StatisticCounts counts;
  FoldedStream folded;
  FoldEvents(workflow, StoreEvents(store), FoldDetail::kStateOnly,
             /*classify=*/true, absl::MakeSpan(events), &folded,
             [&](const EventEnvelope& event, const absl::Status& applied,
                 std::vector<Workflow::StatisticKey>* counted) {
               if (applied.ok()) {
                 CountEvent(zone, absl::InfinitePast(), absl::InfiniteFuture(),
                            event, counted, &counts);
               }
             });
  request->counted.Clear();
  for (const auto& [key, count] : counts) {
    if (count == 0) continue;
    returnpath::v1::ErasedStatistics::Row* row = request->counted.add_rows();
    row->set_category(std::get<0>(key));
    row->set_month(std::get<1>(key));
    row->set_group(std::get<2>(key));
    row->set_count(count);
  }
  request->counted_at_version =
      events.empty() ? 0 : events.back().stream_version();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<EraseResult> EraseStream(EventStore& store,
                                        const Workflow& workflow,
                                        EraseRequest request) {
  // A write to the stream between the fold and the erasure makes the
  // erasure ABORTED; a few tries outlast any realistic run of writes.
  constexpr int kTries = 5;
  for (int tried = 1;; ++tried) {
    RP_RETURN_IF_ERROR(CountStream(store, workflow, &request));
    absl::StatusOr<EraseResult> erased = store.Erase(request);
    if (!absl::IsAborted(erased.status()) || tried == kTries) return erased;
  }
}

}  // namespace returnpath::engine
