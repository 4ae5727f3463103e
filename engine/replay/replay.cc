// As-of views and statistics. ReplayCheck is in replay_check.cc.

#include "engine/replay.h"

#include <map>
#include <tuple>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "engine/status_macros.h"
#include "replay/fold_streams.h"
#include "replay/log_lookup.h"
#include "replay/read_stream.h"
#include "replay/replay_fold.h"
#include "replay/statistics_of_view.h"
#include "store/codec.h"
#include "store/keys.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::EventEnvelope;

constexpr uint64_t kPage = 1000;  // events between progress reports

absl::StatusOr<StreamView> ViewOf(const Workflow& workflow,
                                  const EventLookup& log,
                                  absl::string_view stream_id,
                                  std::vector<EventEnvelope> taken,
                                  absl::string_view nothing_by);

absl::Status ErasedStateError(absl::string_view stream_id) {
  return absl::FailedPreconditionError(
      absl::StrCat("\"", stream_id,
                   "\" was erased: its states are not kept, and its history "
                   "keeps only what was not erased"));
}

absl::StatusOr<StreamView> FoldStream(
    EventStore& store, const Workflow& workflow, absl::string_view stream_id,
    absl::FunctionRef<Take(const EventEnvelope&)> take,
    absl::string_view nothing_by) {
  absl::StatusOr<returnpath::v1::StreamRecord> record =
      store.GetStreamRecord(stream_id);
  if (record.ok() && record->erased_at_position() != 0) {
    return ErasedStateError(stream_id);
  }
  RP_ASSIGN_OR_RETURN(std::vector<EventEnvelope> taken,
                      ReadStreamEvents(store, stream_id, take));
  return ViewOf(workflow, StoreEvents(store), stream_id, std::move(taken),
                nothing_by);
}

// The stream as `taken` (its events, in stream order) make it.
absl::StatusOr<StreamView> ViewOf(const Workflow& workflow,
                                  const EventLookup& log,
                                  absl::string_view stream_id,
                                  std::vector<EventEnvelope> taken,
                                  absl::string_view nothing_by) {
  for (const EventEnvelope& event : taken) {
    if (event.erased() || event.payload().Is<returnpath::v1::StreamErased>()) {
      return ErasedStateError(stream_id);
    }
  }
  StreamView view;
  view.stream_id = std::string(stream_id);
  FoldedStream folded;
  FoldEvents(
      workflow, log, FoldDetail::kFull, /*classify=*/false,
      absl::MakeSpan(taken), &folded,
      [&view](const EventEnvelope& event, const absl::Status& applied,
              std::vector<Workflow::StatisticKey>*) {
        if (applied.ok()) {
          ++view.events;
          return;
        }
        view.notes.push_back(absl::StrCat(
            "event at position ", event.position(), " (version ",
            event.stream_version(), ") was left out: ", applied.message()));
      });
  if (view.events == 0) {
    return absl::NotFoundError(
        absl::StrCat("\"", stream_id, "\" has no events ", nothing_by));
  }
  view.version = folded.version;
  view.last_position = folded.last_position;
  view.state = EncodedState(folded);
  view.index_keys = std::move(folded.index_keys);
  for (auto& [id, timer] : folded.timers) view.timers.push_back(timer);
  for (auto& [id, task] : folded.tasks) view.tasks.push_back(task);
  return view;
}

}  // namespace

absl::StatusOr<StreamView> StreamFromEvents(const Workflow& workflow,
                                            const EventLookup& log,
                                            absl::string_view stream_id,
                                            std::vector<EventEnvelope> events) {
  return ViewOf(workflow, log, stream_id, std::move(events), "");
}

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

absl::StatusOr<absl::TimeZone> StatisticsZone(const Workflow& workflow) {
  const std::string zone_name = workflow.StatisticsTimeZone();
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(zone_name, &zone)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "statistics count by months in ", zone_name,
        ", which the time zone database does not have (install tzdata)"));
  }
  return zone;
}

void CountEvent(absl::TimeZone zone, absl::Time from, absl::Time to,
                const EventEnvelope& event,
                std::vector<Workflow::StatisticKey>* counted,
                StatisticCounts* counts) {
  const absl::Time effective = FromTimestamp(event.effective_time());
  for (Workflow::StatisticKey& key : *counted) {
    const absl::Time at = key.effective.value_or(effective);
    if (at < from || at >= to) continue;
    (*counts)[{std::move(key.category), absl::FormatTime("%Y-%m", at, zone),
               std::move(key.group)}] += key.delta;
  }
}

// Adds what erased streams counted (ErasedStatistics) in the months that
// overlap [from, to) to `counts`; returns how many streams were erased.
absl::StatusOr<uint64_t> AddErased(const StoreView& view, absl::TimeZone zone,
                                   absl::Time from, absl::Time to,
                                   StatisticCounts* counts) {
  absl::StatusOr<std::string> stored =
      view.Get(Table::kMeta, keys::kMetaErasedStatistics);
  if (absl::IsNotFound(stored.status())) return 0;
  if (!stored.ok()) return stored.status();
  returnpath::v1::ErasedStatistics erased;
  if (!erased.ParseFromString(*stored)) {
    return absl::DataLossError("the erased streams' statistics do not decode");
  }
  for (const auto& row : erased.rows()) {
    absl::Time month;
    std::string error;
    if (!absl::ParseTime("%Y-%m", row.month(), zone, &month, &error)) {
      return absl::DataLossError(
          absl::StrCat("the erased streams' statistics name a month \"",
                       row.month(), "\": ", error));
    }
    const absl::CivilMonth civil = absl::ToCivilMonth(month, zone);
    const absl::Time next = absl::FromCivil(civil + 1, zone);
    if (next <= from || month >= to) continue;
    (*counts)[{row.category(), row.month(), row.group()}] += row.count();
  }
  return erased.streams();
}

absl::StatusOr<StatisticsReport> Statistics(EventStore& store,
                                            const Workflow& workflow,
                                            absl::Time from, absl::Time to,
                                            const ReplayProgress& progress) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreView> view, store.Snapshot());
  return StatisticsOfView(*view, workflow, from, to, progress);
}

absl::StatusOr<StatisticsReport> StatisticsOfView(
    const StoreView& view, const Workflow& workflow, absl::Time from,
    absl::Time to, const ReplayProgress& progress) {
  RP_ASSIGN_OR_RETURN(const absl::TimeZone zone, StatisticsZone(workflow));
  const uint64_t total = view.LastPosition();
  StatisticCounts counts;
  StatisticsReport report;
  // One stream at a time (fold_streams.h): memory does not grow with the
  // number of persons.
  uint64_t done = 0;
  StreamsFold fold;
  fold.classify = true;
  fold.on_event = [&](int, const EventEnvelope& event,
                      const absl::Status& applied,
                      std::vector<Workflow::StatisticKey>* counted) {
    if (++done % kPage == 0 && progress) progress(done, total);
    if (!applied.ok()) {
      ++report.not_applied;
      return;
    }
    ++report.events;
    CountEvent(zone, from, to, event, counted, &counts);
  };
  RP_RETURN_IF_ERROR(FoldEveryStream(view, workflow, fold));
  if (progress) progress(done, total);
  RP_ASSIGN_OR_RETURN(report.erased_streams,
                      AddErased(view, zone, from, to, &counts));
  for (const auto& [key, count] : counts) {
    if (count <= 0) continue;  // everything it counted was taken back
    report.rows.push_back(StatisticsRow{std::get<0>(key), std::get<1>(key),
                                        std::get<2>(key),
                                        static_cast<uint64_t>(count)});
  }
  return report;
}

}  // namespace returnpath::engine
