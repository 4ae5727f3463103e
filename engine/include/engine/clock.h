#ifndef RETURNPATH_ENGINE_CLOCK_H_
#define RETURNPATH_ENGINE_CLOCK_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace returnpath::engine {

// The source of "now" for the engine (recorded times, timer firing, leases).
// Implementations are thread-safe. Workflow code never reads a clock: it
// takes time from the event it is applying.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
  // How long, in real time, a loop waiting for `deadline` should block before
  // looking again. A manual clock answers "until told" (infinite); listeners
  // registered with AddListener are called whenever such a clock moves.
  virtual absl::Duration RealWaitFor(absl::Time deadline) = 0;
  virtual void AddListener(std::function<void()> listener) {}
  // True for a clock a test moves (ManualClock): the recorded times a store
  // keeps under it are not real ones (StoreOptions::accept_test_clock_store).
  virtual bool IsTestClock() const { return false; }
};

// Wall-clock time.
std::unique_ptr<Clock> NewSystemClock();

// A clock that moves only when told: tests and the daemon's test-only clock
// mode. Moving it calls every listener so due timers fire without sleeps.
class ManualClock : public Clock {
 public:
  explicit ManualClock(absl::Time start);
  absl::Time Now() override;
  absl::Duration RealWaitFor(absl::Time deadline) override;
  void AddListener(std::function<void()> listener) override;
  bool IsTestClock() const override { return true; }
  void Advance(absl::Duration d);
  // Moves to t; a t earlier than now is ignored (time never goes back).
  void SetTime(absl::Time t);

 private:
  void Notify();

  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> listeners_ ABSL_GUARDED_BY(mu_);
};

// Simulation time: a loop that waits for a deadline jumps straight to it, so
// months of a pathway run in milliseconds.
class VirtualClock final : public ManualClock {
 public:
  using ManualClock::ManualClock;
  absl::Duration RealWaitFor(absl::Time deadline) override;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_CLOCK_H_
