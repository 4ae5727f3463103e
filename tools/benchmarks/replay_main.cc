// Suite 5: replay. Rebuilds every person's workflow state and index keys
// from the whole log of the generated data set with the engine's own fold
// (replay/fold_streams.h, as Statistics uses it and ReplayCheck folds), from
// one RocksDB snapshot: one stream at a time through the stream index, its
// state kept decoded between its events, one fold thread per core, streams
// split between them by a hash of their id. Only the fold is timed; the data
// set was loaded beforehand (dataset.h, sync=false). A fold that has not
// finished within --replay_limit stops and reports what it did.
//
// FoldDetail::kStateOnly, as the statistics fold; ReplayCheck below folds
// with full detail (every timer and task) and compares.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/replay.h"
#include "engine/status_macros.h"
#include "replay/fold_streams.h"
#include "replay/replay_fold.h"
#include "tools/benchmarks/common.h"
#include "tools/benchmarks/dataset.h"
#include "tools/benchmarks/pathway_store.h"

ABSL_FLAG(absl::Duration, replay_limit, absl::Seconds(330),
          "stop the fold after this long and report the prefix folded");
// ReplayCheck cannot stop half-way; on the full log it takes longer than the
// suite's share of tools/bench.
ABSL_FLAG(uint64_t, check_up_to, 2'000'000,
          "run ReplayCheck (fold again, compare everything) on logs up to "
          "this many events");

namespace returnpath::bench {
namespace {

using returnpath::v1::EventEnvelope;

struct FoldResult {
  uint64_t events = 0;
  uint64_t streams = 0;
  uint64_t rejected = 0;
  uint64_t state_bytes = 0;
  bool complete = false;
  double seconds = 0;
};

absl::StatusOr<FoldResult> FoldLog(engine::EventStore& store,
                                   const engine::Workflow& workflow,
                                   int threads, absl::Duration limit) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<engine::StoreView> view,
                      store.Snapshot());
  const absl::Time start = absl::Now();
  // One per fold thread, merged at the end; a cache line each, so the
  // threads do not share one.
  struct alignas(64) Part : FoldResult {};
  std::vector<Part> parts(threads);
  std::atomic<bool> stopped{false};
  engine::StreamsFold fold;
  fold.threads = threads;
  fold.on_event = [&parts](int part, const EventEnvelope&,
                           const absl::Status& applied,
                           std::vector<engine::Workflow::StatisticKey>*) {
    ++parts[part].events;
    if (!applied.ok()) ++parts[part].rejected;
  };
  fold.on_stream = [&](int part, engine::FoldedStream& stream,
                       absl::Span<const EventEnvelope>) {
    ++parts[part].streams;
    parts[part].state_bytes += engine::EncodedState(stream).size();
    if (absl::Now() - start <= limit) return true;
    stopped = true;
    return false;
  };
  RP_RETURN_IF_ERROR(engine::FoldEveryStream(*view, workflow, fold));
  FoldResult result;
  result.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  result.complete = !stopped;
  for (const FoldResult& part : parts) {
    result.events += part.events;
    result.streams += part.streams;
    result.rejected += part.rejected;
    result.state_bytes += part.state_bytes;
  }
  return result;
}

// The auditors' ReplayCheck on the whole log.
absl::Status CheckReplay(engine::EventStore& store,
                         const engine::Workflow& workflow, int threads,
                         SuiteReport& report) {
  const absl::Time start = absl::Now();
  const double rss_before = CurrentRssMiB();
  RssWatch rss;
  engine::ReplayCheckOptions options;
  options.threads = threads;
  RP_ASSIGN_OR_RETURN(engine::ReplayReport check,
                      engine::ReplayCheck(store, workflow, options));
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  report.Add("ReplayCheck: events/s",
             static_cast<double>(check.events) / seconds, "events/s",
             absl::StrFormat("%d threads, one stream at a time each; full "
                             "detail, compared with the store",
                             threads));
  report.Add("ReplayCheck: differences",
             static_cast<double>(check.difference_count), "differences");
  report.Add("ReplayCheck: memory", rss.Stop() - rss_before, "MiB",
             absl::StrFormat("resident set growth while it ran, sampled "
                             "every 50 ms (%.0f MiB before)",
                             rss_before));
  for (size_t i = 0; i < check.differences.size() && i < 3; ++i) {
    const engine::ReplayDifference& d = check.differences[i];
    report.Note(absl::StrCat("ReplayCheck difference: ", d.stream_id, " ",
                             d.what, ": ", d.detail));
  }
  return absl::OkStatus();
}

absl::Status Run(SuiteReport& report) {
  const bool quick = absl::GetFlag(FLAGS_quick);
  const DatasetSpec spec = StandardDataset(quick);
  RP_ASSIGN_OR_RETURN(Dataset dataset, LoadDataset(spec));
  if (std::string note = CodeVersionNote(dataset); !note.empty()) {
    report.Note(note);
  }
  RP_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("replay"));
  const std::string store_path = dir.path() + "/store";
  RP_RETURN_IF_ERROR(
      LinkCopyStore(DatasetDataDir(spec) + "/store", store_path));
  RP_ASSIGN_OR_RETURN(const absl::Time now, DatasetNow(dataset));
  engine::ManualClock clock(now);
  RP_ASSIGN_OR_RETURN(PathwayStore opened,
                      OpenPathwayStore(store_path, &clock, /*sync=*/true));
  std::unique_ptr<engine::EventStore>& store = opened.store;
  const engine::Workflow* workflow = opened.workflow.get();
  const uint64_t log = store->LastPosition();
  report.AddTarget("log size", static_cast<double>(log), "events",
                   quick ? "(quick: small)" : ">= 10,000,000",
                   quick || log >= 10'000'000,
                   absl::StrCat("data set ", spec.name));
  const double rss_before = PeakRssMiB();
  const int threads = std::max(1u, std::thread::hardware_concurrency());
  const absl::Duration limit = absl::GetFlag(FLAGS_replay_limit);
  RP_ASSIGN_OR_RETURN(FoldResult fold,
                      FoldLog(*store, *workflow, threads, limit));
  const double rate = static_cast<double>(fold.events) / fold.seconds;
  report.AddTarget(
      "fold: events/s", rate, "events/s", ">= 1,000,000", rate >= 1e6,
      absl::StrFormat("%d fold threads, one stream at a time each, state "
                      "decoded between events; state and index keys",
                      threads));
  report.Add("fold: events folded", static_cast<double>(fold.events), "events",
             fold.complete ? "the whole log"
                           : absl::StrCat("a prefix: stopped at the ",
                                          absl::FormatDuration(limit),
                                          " limit; the rest was not folded"));
  report.Add("fold: persons rebuilt", static_cast<double>(fold.streams),
             "persons");
  report.Add("fold: wall time", fold.seconds, "s");
  report.Add("mean state size",
             static_cast<double>(fold.state_bytes) /
                 static_cast<double>(std::max<uint64_t>(1, fold.streams)),
             "bytes",
             "the workflow state, encoded once per person at the end of its "
             "fold");
  report.Add(
      "fold: peak RSS", PeakRssMiB(), "MiB",
      absl::StrFormat("getrusage; %.0f MiB before the fold", rss_before));
  if (fold.rejected > 0) {
    report.Note(absl::StrCat(fold.rejected,
                             " events no longer apply under the workflow"));
  }
  if (log <= absl::GetFlag(FLAGS_check_up_to)) {
    RP_RETURN_IF_ERROR(CheckReplay(*store, *workflow, threads, report));
  }
  report.Note(absl::StrCat(
      "Data set ", spec.name, ": ", dataset.events(), " events of ",
      dataset.persons(),
      " synthetic persons, recorded through the engine's "
      "write path with sync=false (dataset.h), generated once and cached; "
      "the suite works on a hard-linked copy. Only the fold is timed."));
  return store->Close();
}

}  // namespace
}  // namespace returnpath::bench

int main(int argc, char** argv) {
  return returnpath::bench::SuiteMain(
      argc, argv, 5, "Replay (rebuild every state)", returnpath::bench::Run);
}
