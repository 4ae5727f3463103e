#include "server/clock_schedule.h"

#include <utility>

#include "absl/synchronization/mutex.h"

namespace returnpath::engine {

struct ClockSchedule::Shared {
  absl::Mutex mu;
  bool stopped ABSL_GUARDED_BY(mu) = false;
  uint64_t clock_moves ABSL_GUARDED_BY(mu) = 0;
};

ClockSchedule::ClockSchedule(Clock* clock, absl::Duration every,
                             std::function<void()> job)
    : clock_(clock),
      every_(every),
      job_(std::move(job)),
      shared_(std::make_shared<Shared>()) {
  // A manual clock moves only when told: its moves wake the loop.
  clock_->AddListener([weak = std::weak_ptr<Shared>(shared_)] {
    if (std::shared_ptr<Shared> shared = weak.lock()) {
      absl::MutexLock lock(&shared->mu);
      ++shared->clock_moves;
    }
  });
  // The first run's time is taken here, not on the thread: a move of the
  // clock right after the constructor counts toward it.
  thread_ = std::thread([this, first = clock_->Now() + every_] { Run(first); });
}

ClockSchedule::~ClockSchedule() { Stop(); }

void ClockSchedule::Stop() {
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->stopped = true;
  }
  if (thread_.joinable()) thread_.join();
}

void ClockSchedule::Run(absl::Time first) {
  absl::Time next = first;
  for (;;) {
    {
      absl::MutexLock lock(&shared_->mu);
      const uint64_t moves = shared_->clock_moves;
      const absl::Duration wait = clock_->RealWaitFor(next);
      // Wakes on Stop, on a move of a manual clock, or when `next` comes.
      struct Wake {
        Shared* shared;
        uint64_t moves;
      } wake{shared_.get(), moves};
      shared_->mu.AwaitWithTimeout(
          absl::Condition(
              +[](Wake* w) {
                return w->shared->stopped || w->shared->clock_moves != w->moves;
              },
              &wake),
          wait);
      if (shared_->stopped) return;
    }
    const absl::Time began = clock_->Now();
    if (began < next) continue;
    job_();
    // From the start of the run: a move of the clock while it ran (a manual
    // clock in a test, a slow backup) is not swallowed.
    next = began + every_;
  }
}

}  // namespace returnpath::engine
