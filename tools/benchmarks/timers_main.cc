// Suite 6: timers. The generated data set has millions of armed timers
// (dataset.h). On a checkpoint of it, with sync=true and the engine's timer
// loop, the clock is moved forward so that the earliest million timers are
// due at once (a burst: deadlines are whole days, so timers share due
// times), while a writer keeps recording pathway events at --rate. Reports
// how long firing lags behind the move, the firing throughput, and the
// writer's latency during the wave.
//
// The clock is the system clock plus an offset this suite moves (WaveClock):
// it runs in real time, so a TimerFired event's recorded time minus the
// moment its timer became due is real lag.

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/proto_time.h"
#include "engine/status_macros.h"
#include "engine/timer_loop.h"
#include "returnpath/v1/engine.pb.h"
#include "store/keys.h"
#include "tools/benchmarks/common.h"
#include "tools/benchmarks/dataset.h"
#include "tools/benchmarks/load.h"
#include "tools/benchmarks/pathway_store.h"
#include "tools/benchmarks/population.h"

ABSL_FLAG(int, timer_batch, 0,
          "TimerLoopOptions::batch_size for a what-if run; 0: the engine's "
          "default");

namespace returnpath::bench {
namespace {

// System time plus an offset that only moves forward. Thread-safe.
class WaveClock final : public engine::Clock {
 public:
  explicit WaveClock(absl::Time start) : offset_(start - absl::Now()) {}
  absl::Time Now() override {
    absl::MutexLock lock(&mu_);
    return absl::Now() + offset_;
  }
  absl::Duration RealWaitFor(absl::Time deadline) override {
    return std::max(absl::ZeroDuration(), deadline - Now());
  }
  void AddListener(std::function<void()> listener) override {
    absl::MutexLock lock(&mu_);
    listeners_.push_back(std::move(listener));
  }
  // The data set's time, not the real one.
  bool IsTestClock() const override { return true; }
  // Moves the clock to `t` (if later) and wakes the listeners.
  void MoveTo(absl::Time t) {
    std::vector<std::function<void()>> listeners;
    {
      absl::MutexLock lock(&mu_);
      const absl::Duration ahead = t - (absl::Now() + offset_);
      if (ahead > absl::ZeroDuration()) offset_ += ahead;
      listeners = listeners_;
    }
    for (auto& listener : listeners) listener();
  }

 private:
  absl::Mutex mu_;
  absl::Duration offset_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> listeners_ ABSL_GUARDED_BY(mu_);
};

struct Wave {
  uint64_t pending = 0;  // armed timers in the store
  uint64_t size = 0;     // timers due at or before `due`
  absl::Time due;
};

// Counts the armed timers and finds the due time by which `want` are due.
absl::StatusOr<Wave> FindWave(engine::EventStore& store, uint64_t want) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<engine::StoreView> view,
                      store.Snapshot());
  Wave wave;
  absl::Status bad;
  RP_RETURN_IF_ERROR(view->Scan(
      engine::Table::kTimers, "", "",
      [&](absl::string_view key, absl::string_view) {
        absl::Time due;
        std::string stream, id;
        if (!engine::keys::DecodeTimerDue(key, &due, &stream, &id)) {
          bad = absl::DataLossError("a timers key is malformed");
          return false;
        }
        ++wave.pending;
        if (wave.size < want || due == wave.due) {
          ++wave.size;
          wave.due = due;
        }
        return true;
      }));
  RP_RETURN_IF_ERROR(bad);
  return wave;
}

// (real time, last position) of every commit, recorded on the sequencer.
class CommitLog {
 public:
  void Add(uint64_t position) {
    const absl::Time now = absl::Now();
    absl::MutexLock lock(&mu_);
    commits_.emplace_back(position, now);
  }
  // When `position` became durable.
  absl::Time DurableAt(uint64_t position) {
    absl::MutexLock lock(&mu_);
    auto it = std::lower_bound(commits_.begin(), commits_.end(),
                               std::make_pair(position, absl::InfinitePast()));
    return it == commits_.end() ? absl::InfiniteFuture() : it->second;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::pair<uint64_t, absl::Time>> commits_ ABSL_GUARDED_BY(mu_);
};

absl::Status Run(SuiteReport& report) {
  const bool quick = absl::GetFlag(FLAGS_quick);
  const uint64_t want = quick ? 15'000 : 1'000'000;
  const absl::Duration give_up = quick ? absl::Seconds(60) : absl::Seconds(300);
  const DatasetSpec spec = StandardDataset(quick);
  RP_ASSIGN_OR_RETURN(Dataset dataset, LoadDataset(spec));
  if (std::string note = CodeVersionNote(dataset); !note.empty()) {
    report.Note(note);
  }
  RP_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("timers"));
  const std::string store_path = dir.path() + "/store";
  RP_RETURN_IF_ERROR(
      LinkCopyStore(DatasetDataDir(spec) + "/store", store_path));
  RP_ASSIGN_OR_RETURN(const absl::Time now, DatasetNow(dataset));
  WaveClock clock(now);
  RP_ASSIGN_OR_RETURN(PathwayStore opened,
                      OpenPathwayStore(store_path, &clock, /*sync=*/true));
  std::unique_ptr<engine::EventStore>& store = opened.store;
  CommitLog commits;
  store->AddCommitListener([&commits](uint64_t p) { commits.Add(p); });
  RP_ASSIGN_OR_RETURN(Wave wave, FindWave(*store, want));
  report.AddTarget("armed timers before the wave",
                   static_cast<double>(wave.pending), "timers",
                   quick ? ">= 150,000 (quick)" : ">= 10,000,000",
                   wave.pending >= (quick ? 150'000u : 10'000'000u));
  report.Add("wave size", static_cast<double>(wave.size), "timers",
             absl::StrCat("every timer due by ", absl::FormatTime(wave.due)));
  engine::TimerLoopOptions timer_options;
  if (absl::GetFlag(FLAGS_timer_batch) > 0) {
    timer_options.batch_size = absl::GetFlag(FLAGS_timer_batch);
  }
  RP_ASSIGN_OR_RETURN(
      std::unique_ptr<engine::TimerLoop> timers,
      engine::TimerLoop::Start(store.get(), &clock, timer_options));

  // The writer: the short pathway at --rate, from 1 s before the move until
  // the wave has fired.
  const absl::CivilDay today = absl::ToCivilDay(now, Oslo());
  LiveWorkload workload("BENCH6", today);
  std::atomic<bool> wave_done{false};
  LoadResult writes;
  std::thread writer([&] {
    RunOpenLoopUntil(
        absl::GetFlag(FLAGS_rate), [&] { return wave_done.load(); },
        absl::Seconds(60),
        [&](absl::AnyInvocable<void(absl::Status)> done) {
          // The wave fires these persons' timers too (TimerFired moves their
          // versions), so the writer does not insist on a version.
          workload.AppendNext(*store, /*keep_version=*/false, std::move(done));
        },
        &writes);
  });
  absl::SleepFor(absl::Seconds(1));

  const uint64_t first_position = store->LastPosition() + 1;
  const absl::Time moved_real = absl::Now();
  clock.MoveTo(wave.due + absl::Microseconds(1));
  const absl::Time moved_virtual = clock.Now();
  // Returns once a round that began after the move found nothing due.
  const bool drained = timers->WaitIdle(give_up).ok();
  const absl::Duration drain = absl::Now() - moved_real;
  absl::SleepFor(absl::Seconds(1));  // the writer goes on a moment after
  wave_done = true;
  writer.join();
  timers->Stop();

  // Lag of every TimerFired of the wave, from the log.
  LatencySamples recorded_lag, durable_lag;
  for (uint64_t from = first_position;;) {
    RP_ASSIGN_OR_RETURN(engine::EventPage page, store->ReadAll(from, 4096));
    if (page.events.empty()) break;
    for (const returnpath::v1::EventEnvelope& e : page.events) {
      returnpath::v1::TimerFired t;
      if (!e.payload().UnpackTo(&t)) continue;
      if (engine::FromTimestamp(t.due_time()) > wave.due) continue;
      recorded_lag.Add(engine::FromTimestamp(e.recorded_time()) -
                       moved_virtual);
      durable_lag.Add(commits.DurableAt(e.position()) - moved_real);
    }
    from = page.next_position;
  }
  const uint64_t fired = recorded_lag.count();
  report.Add("fired by the wave's due time", static_cast<double>(fired),
             "timers",
             absl::StrCat("TimerFired events due by then: the wave and what "
                          "its firings armed",
                          drained ? ""
                                  : absl::StrCat("; stopped waiting after ",
                                                 absl::FormatDuration(give_up),
                                                 ", so only those fired by "
                                                 "then")));
  report.Add("wave drain time", absl::ToDoubleSeconds(drain), "s",
             "until a timer round finds nothing due (TimerLoop::WaitIdle)");
  report.Add("firing throughput",
             static_cast<double>(fired) / absl::ToDoubleSeconds(drain),
             "timers/s");
  const LatencySamples::Summary lag = recorded_lag.Summarize();
  report.Add("firing lag p50", lag.p50_ms, "ms",
             "TimerFired recorded time - the moment the move made it due");
  report.AddTarget("firing lag p99", lag.p99_ms, "ms", "<= 50 ms",
                   lag.count > 0 && lag.p99_ms <= 50,
                   absl::StrCat("n=", lag.count));
  report.Add("firing lag max", lag.max_ms, "ms");
  report.Add("firing lag to durable, max", durable_lag.Summarize().max_ms, "ms",
             "commit of the TimerFired's batch, real time");
  const LatencySamples::Summary w = writes.latency.Summarize();
  report.Add("writes during the wave", static_cast<double>(writes.ok), "events",
             absl::StrCat(writes.failed, " failed"));
  report.Add("write latency p50", w.p50_ms, "ms");
  report.Add("write latency p99", w.p99_ms, "ms");
  report.Add("write latency p99.9", w.p999_ms, "ms");
  report.AddTarget("write latency max (stall)", w.max_ms, "ms", "<= 100 ms",
                   w.count > 0 && w.max_ms <= 100);
  report.Note(absl::StrCat(
      "Data set ", spec.name, " (", dataset.events(),
      " events) on a hard-linked copy, sync=true, timer loop batches of ",
      timer_options.batch_size, " (the engine's default is ",
      engine::TimerLoopOptions().batch_size,
      "). The writer is an open loop at ", absl::GetFlag(FLAGS_rate),
      " events/s from 1 s before the move until 1 s "
      "after the wave; latency from each write's scheduled start."));
  if (writes.failed > 0) {
    report.Note(
        absl::StrCat("first failed write: ", writes.first_error.ToString()));
  }
  return store->Close();
}

}  // namespace
}  // namespace returnpath::bench

int main(int argc, char** argv) {
  return returnpath::bench::SuiteMain(argc, argv, 6,
                                      "Timers (a wave coming due under writes)",
                                      returnpath::bench::Run);
}
