// Suite 5: replay. Rebuilds every person's workflow state and index keys
// from the whole log of the generated data set with the engine's own fold
// (engine/replay_fold.h, as ReplayCheck and the as-of views use it), from one
// RocksDB snapshot. One thread reads and decodes the log in position order
// and hands each event to a fold thread chosen by its stream, so a stream's
// events stay in order; one fold thread per core. Only the fold is timed;
// the data set was loaded beforehand (dataset.h, sync=false). A fold that
// has not finished within --replay_limit stops and reports what it did.
//
// FoldDetail::kStateOnly: the full detail (every timer and every task ever
// opened, kept per stream) needs several KB per person; see the notes.

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/replay.h"
#include "engine/status_macros.h"
#include "replay/replay_fold.h"
#include "store/codec.h"
#include "store/keys.h"
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
using Batch = std::vector<EventEnvelope>;

constexpr size_t kBatch = 512;
constexpr size_t kQueuedBatches = 32;

// One fold thread: its streams, fed batches through a bounded queue.
class FoldWorker {
 public:
  explicit FoldWorker(const engine::Workflow& workflow) : workflow_(workflow) {
    thread_ = std::thread([this] { Run(); });
  }
  ~FoldWorker() { Finish(); }

  // Blocks while the queue is full.
  void Push(Batch batch) {
    absl::MutexLock lock(&mu_);
    auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return queue_.size() < kQueuedBatches;
    };
    mu_.Await(absl::Condition(&room));
    queue_.push_back(std::move(batch));
  }
  // Folds what is queued, then stops the thread.
  void Finish() {
    {
      absl::MutexLock lock(&mu_);
      closed_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }
  uint64_t streams() const { return streams_.size(); }
  uint64_t state_bytes() const {
    uint64_t total = 0;
    for (const auto& [id, s] : streams_) total += s.state.size();
    return total;
  }
  uint64_t rejected() const { return rejected_; }

 private:
  void Run() {
    for (;;) {
      Batch batch;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return !queue_.empty() || closed_;
        };
        mu_.Await(absl::Condition(&ready));
        if (queue_.empty()) return;
        batch = std::move(queue_.front());
        queue_.pop_front();
      }
      for (EventEnvelope& event : batch) {
        engine::FoldedStream& s = streams_[event.stream_id()];
        if (!engine::FoldEvent(workflow_, &event,
                               engine::FoldDetail::kStateOnly, &s)
                 .ok()) {
          ++rejected_;
        }
      }
    }
  }

  const engine::Workflow& workflow_;
  absl::Mutex mu_;
  std::deque<Batch> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // Only the fold thread touches these until Finish returns.
  absl::flat_hash_map<std::string, engine::FoldedStream> streams_;
  uint64_t rejected_ = 0;
  std::thread thread_;
};

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
  FoldResult result;
  const absl::Time start = absl::Now();
  std::vector<std::unique_ptr<FoldWorker>> workers;
  for (int i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<FoldWorker>(workflow));
  }
  std::vector<Batch> batches(threads);
  absl::Status error;
  result.complete = true;
  RP_RETURN_IF_ERROR(view->Scan(
      engine::Table::kEvents, "", "",
      [&](absl::string_view key, absl::string_view value) {
        uint64_t position = 0;
        if (!engine::keys::DecodeEvent(key, &position)) {
          error = absl::DataLossError("an events key is malformed");
          return false;
        }
        EventEnvelope event;
        error = engine::DecodeEventValue(position, value, &event);
        if (!error.ok()) return false;
        const size_t w = absl::Hash<std::string>()(event.stream_id()) % threads;
        batches[w].push_back(std::move(event));
        if (batches[w].size() == kBatch) {
          workers[w]->Push(std::move(batches[w]));
          batches[w] = Batch();
        }
        if (++result.events % (kBatch * 16) == 0 &&
            absl::Now() - start > limit) {
          result.complete = false;
          return false;
        }
        return true;
      }));
  RP_RETURN_IF_ERROR(error);
  for (int i = 0; i < threads; ++i) {
    workers[i]->Push(std::move(batches[i]));
    workers[i]->Finish();
  }
  result.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  for (const auto& w : workers) {
    result.streams += w->streams();
    result.rejected += w->rejected();
    result.state_bytes += w->state_bytes();
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
      absl::StrFormat("%d fold threads and a reader, state and index keys",
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
             "the workflow state Apply parses and re-encodes for every event");
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
