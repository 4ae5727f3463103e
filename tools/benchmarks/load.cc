#include "tools/benchmarks/load.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace returnpath::bench {
namespace {

// Counts answers and keeps the first error. Thread-safe.
class Tally {
 public:
  explicit Tally(LoadResult* result) : result_(result) {}
  // Answers after Close are dropped: the result may be gone by then.
  void Record(const absl::Status& status, absl::Duration latency) {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    if (status.ok()) {
      result_->latency.Add(latency);
      ++result_->ok;
    } else {
      if (result_->failed++ == 0) result_->first_error = status;
    }
    ++answered_;
  }
  uint64_t answered() {
    absl::MutexLock lock(&mu_);
    return answered_;
  }
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  bool WaitFor(uint64_t n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto done = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return answered_ >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
  }

 private:
  LoadResult* const result_;
  absl::Mutex mu_;
  uint64_t answered_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

void RunClosedLoop(int callers, absl::Duration duration,
                   const std::function<absl::Status(int)>& op,
                   LoadResult* result) {
  Tally tally(result);
  const absl::Time start = absl::Now();
  const absl::Time end = start + duration;
  std::vector<std::thread> threads;
  for (int c = 0; c < callers; ++c) {
    threads.emplace_back([&, c] {
      while (absl::Now() < end) {
        const absl::Time t0 = absl::Now();
        absl::Status s = op(c);
        tally.Record(s, absl::Now() - t0);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  result->elapsed = absl::Now() - start;
}

void RunOpenLoop(double rate, absl::Duration duration, absl::Duration drain,
                 const AsyncOp& op, LoadResult* result) {
  const absl::Time end = absl::Now() + duration;
  RunOpenLoopUntil(
      rate, [end] { return absl::Now() >= end; }, drain, op, result);
}

void RunOpenLoopUntil(double rate, const std::function<bool()>& stop,
                      absl::Duration drain, const AsyncOp& op,
                      LoadResult* result) {
  auto tally = std::make_shared<Tally>(result);
  const absl::Duration interval = absl::Seconds(1) / rate;
  const absl::Time start = absl::Now();
  uint64_t started = 0;
  for (;; ++started) {
    const absl::Time scheduled =
        start + interval * static_cast<double>(started);
    if (stop()) break;
    const absl::Duration ahead = scheduled - absl::Now();
    if (ahead > absl::ZeroDuration()) absl::SleepFor(ahead);
    op([tally, scheduled](absl::Status status) {
      tally->Record(status, absl::Now() - scheduled);
    });
  }
  const bool drained = tally->WaitFor(started, drain);
  result->elapsed = absl::Now() - start;
  if (!drained) {
    const uint64_t missing = started - tally->answered();
    for (uint64_t i = 0; i < missing; ++i) {
      tally->Record(absl::DeadlineExceededError("no answer within the drain"),
                    absl::ZeroDuration());
    }
  }
  tally->Close();
}

}  // namespace returnpath::bench
