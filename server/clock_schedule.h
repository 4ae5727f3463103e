#ifndef RETURNPATH_SERVER_CLOCK_SCHEDULE_H_
#define RETURNPATH_SERVER_CLOCK_SCHEDULE_H_

// Runs a job every `every` of the engine's clock on its own thread (scheduled
// backups, checkpoints of the log). A manual clock's moves wake it, so tests
// move the clock instead of waiting.

#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "absl/time/time.h"
#include "engine/clock.h"

namespace returnpath::engine {

// Thread-safe. `clock` must outlive it; Stop before what `job` touches goes.
class ClockSchedule {
 public:
  // The first run is `every` after the start; the next `every` after a run
  // began (at once, if the run took that long). REQUIRES: every > 0.
  ClockSchedule(Clock* clock, absl::Duration every, std::function<void()> job);
  ~ClockSchedule();  // Stop()
  ClockSchedule(const ClockSchedule&) = delete;
  ClockSchedule& operator=(const ClockSchedule&) = delete;

  // Waits for a run in progress, then joins the thread. Idempotent.
  void Stop();

 private:
  struct Shared;  // what the clock's listener may still touch after Stop
  void Run(absl::Time first);

  Clock* const clock_;
  const absl::Duration every_;
  const std::function<void()> job_;
  std::shared_ptr<Shared> shared_;
  std::thread thread_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_CLOCK_SCHEDULE_H_
