// As-of views and statistics. ReplayCheck is in replay_check.cc.

#include "engine/replay.h"

#include <map>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "engine/codec.h"
#include "engine/replay_fold.h"
#include "engine/status_macros.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::EventEnvelope;

constexpr size_t kPage = 1000;

enum class Take { kFold, kSkip, kStop };

absl::StatusOr<StreamView> FoldStream(
    EventStore& store, const Workflow& workflow, absl::string_view stream_id,
    absl::FunctionRef<Take(const EventEnvelope&)> take,
    absl::string_view nothing_by) {
  FoldedStream folded;
  StreamView view;
  view.stream_id = std::string(stream_id);
  for (uint64_t from = 1;;) {
    RP_ASSIGN_OR_RETURN(std::vector<EventEnvelope> events,
                        store.ReadStream(stream_id, from, kPage));
    bool stop = false;
    for (EventEnvelope& event : events) {
      Take t = take(event);
      if (t == Take::kStop) {
        stop = true;
        break;
      }
      if (t == Take::kSkip) continue;
      absl::Status applied =
          FoldEvent(workflow, &event, FoldDetail::kFull, &folded);
      if (!applied.ok()) {
        view.notes.push_back(absl::StrCat(
            "event at position ", event.position(), " (version ",
            event.stream_version(), ") was left out: ", applied.message()));
        continue;
      }
      ++view.events;
    }
    if (stop || events.size() < kPage) break;
    from = events.back().stream_version() + 1;
  }
  if (view.events == 0) {
    return absl::NotFoundError(
        absl::StrCat("\"", stream_id, "\" has no events ", nothing_by));
  }
  view.version = folded.version;
  view.last_position = folded.last_position;
  view.state = std::move(folded.state);
  view.index_keys = std::move(folded.index_keys);
  for (auto& [id, timer] : folded.timers) view.timers.push_back(timer);
  for (auto& [id, task] : folded.tasks) view.tasks.push_back(task);
  return view;
}

}  // namespace

absl::StatusOr<StreamView> StreamAsOfEffectiveTime(EventStore& store,
                                                   const Workflow& workflow,
                                                   absl::string_view stream_id,
                                                   absl::Time t) {
  return FoldStream(
      store, workflow, stream_id,
      [t](const EventEnvelope& e) {
        return FromTimestamp(e.effective_time()) <= t ? Take::kFold
                                                      : Take::kSkip;
      },
      absl::StrCat("effective by ", absl::FormatTime(t)));
}

absl::StatusOr<StreamView> StreamAsOfPosition(EventStore& store,
                                              const Workflow& workflow,
                                              absl::string_view stream_id,
                                              uint64_t position) {
  return FoldStream(
      store, workflow, stream_id,
      [position](const EventEnvelope& e) {
        return e.position() <= position ? Take::kFold : Take::kStop;
      },
      absl::StrCat("at or before position ", position));
}

absl::StatusOr<StreamView> StreamAsOfRecordedTime(EventStore& store,
                                                  const Workflow& workflow,
                                                  absl::string_view stream_id,
                                                  absl::Time t) {
  return FoldStream(
      store, workflow, stream_id,
      [t](const EventEnvelope& e) {
        return FromTimestamp(e.recorded_time()) <= t ? Take::kFold
                                                     : Take::kStop;
      },
      absl::StrCat("recorded by ", absl::FormatTime(t)));
}

absl::StatusOr<StatisticsReport> Statistics(EventStore& store,
                                            const Workflow& workflow,
                                            absl::Time from, absl::Time to,
                                            const ReplayProgress& progress) {
  const uint64_t last = store.LastPosition();
  absl::flat_hash_map<std::string, FoldedStream> streams;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> counts;
  StatisticsReport report;
  std::string before;
  for (uint64_t position = 1; position <= last;) {
    RP_ASSIGN_OR_RETURN(EventPage page, store.ReadAll(position, kPage));
    if (page.events.empty()) break;
    for (EventEnvelope& event : page.events) {
      if (event.position() > last) break;
      FoldedStream& s = streams[event.stream_id()];
      before.assign(s.state);  // reuses its buffer: no allocation per event
      if (!FoldEvent(workflow, &event, FoldDetail::kStateOnly, &s).ok()) {
        ++report.not_applied;
        continue;
      }
      ++report.events;
      const absl::Time effective = FromTimestamp(event.effective_time());
      for (Workflow::StatisticKey& key :
           workflow.Classify(before, s.state, event)) {
        const absl::Time at = key.effective.value_or(effective);
        if (at < from || at >= to) continue;
        counts[{std::move(key.category),
                absl::FormatTime("%Y-%m", at, absl::UTCTimeZone()),
                std::move(key.group)}] += key.delta;
      }
    }
    position = page.next_position;
    if (progress) progress(std::min(position - 1, last), last);
  }
  for (const auto& [key, count] : counts) {
    if (count <= 0) continue;  // everything it counted was taken back
    report.rows.push_back(StatisticsRow{std::get<0>(key), std::get<1>(key),
                                        std::get<2>(key),
                                        static_cast<uint64_t>(count)});
  }
  return report;
}

}  // namespace returnpath::engine
