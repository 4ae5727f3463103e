#ifndef RETURNPATH_ENGINE_TIMER_LOOP_H_
#define RETURNPATH_ENGINE_TIMER_LOOP_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/wakeup.h"
#include "returnpath/v1/engine.pb.h"

namespace returnpath::engine {

class CommandQueue;  // engine/sequencer.h

struct TimerLoopOptions {
  // Timers fired per round before the loop lets other writers in. A firing
  // costs about 150-200 us of sequencer time (workflow and about ten keys),
  // so a round of 64 holds any other write back by about 10-15 ms during a
  // wave of millions, while its fsync stays a few percent of the round.
  size_t batch_size = 64;
  // Pause after a write failed (disk full, I/O error) before the next round,
  // so a broken disk is not hammered in a tight loop.
  absl::Duration write_error_pause = absl::Seconds(1);
  // Told, for each timer fired, how long after its due time (by the loop's
  // clock) the firing was durable; on the loop's thread: must not block.
  std::function<void(absl::Duration lag)> on_fired = nullptr;
};

// The principal of every TimerFired event.
inline constexpr char kTimerPrincipal[] = "system:timer";

// The idempotency key of the TimerFired event for one armed timer: its
// stream, id, due time and the position of the event that armed it. A timer
// so armed is recorded as fired at most once; re-arming the same id (even
// for the same time) by a later event makes a new timer that fires again.
// It is an engine key (KeyOwner::kEngine): a caller using the same text
// claims nothing.
std::string TimerFiredKey(const returnpath::v1::Timer& timer);

// Fires due timers: each becomes a TimerFired event in its stream (effective
// at the due time), appended in the same batch that deletes the timer, so it
// fires once, across restarts too. Thread-safe; owns one thread. `store` and
// `clock` must outlive it; Stop (or destroy) it before closing the store.
class TimerLoop {
 public:
  struct Stats {
    uint64_t fired = 0;    // TimerFired events appended
    uint64_t skipped = 0;  // cancelled, re-armed or already fired meanwhile
    uint64_t failed = 0;   // firings the workflow rejected (each parks)
    uint64_t parked = 0;   // timers parked now
    uint64_t rounds = 0;   // rounds that found timers to fire
  };

  // A due timer the workflow rejected. It stays stored (the log says it is
  // still armed) but is not retried until its stream changes or the process
  // restarts, so one bad timer never spins the loop or blocks the others.
  struct ParkedTimer {
    std::string stream_id;
    std::string timer_id;
    absl::Time due;
    uint64_t stream_version = 0;  // the stream's version when it failed
    absl::Status error;
  };

  // Starts the thread, which fires whatever is already due at once.
  // INVALID_ARGUMENT for a null store or clock or a zero batch_size.
  static absl::StatusOr<std::unique_ptr<TimerLoop>> Start(
      EventStore* store, Clock* clock, TimerLoopOptions options = {});

  ~TimerLoop();  // Stop()
  TimerLoop(const TimerLoop&) = delete;
  TimerLoop& operator=(const TimerLoop&) = delete;

  // Finishes the round in progress and joins the thread. Idempotent.
  void Stop();

  // Asks for a round now (the loop also wakes on commits and clock moves).
  void Wake();

  Stats stats() const;
  std::vector<ParkedTimer> Parked() const;

  // Blocks until a round that started after this call found nothing left to
  // fire (everything due was fired, skipped or parked). For tests and tools.
  // DEADLINE_EXCEEDED after `timeout`; FAILED_PRECONDITION once stopped.
  absl::Status WaitIdle(absl::Duration timeout);

 private:
  enum class Outcome { kFired, kSkipped, kRejected, kFailed };
  struct Firing;  // one timer's command and its outcome

  TimerLoop(EventStore* store, CommandQueue* commands, Clock* clock,
            TimerLoopOptions options);

  void Run();
  // One round; returns how long (real time) to wait before the next.
  absl::Duration RunRound();
  absl::StatusOr<std::vector<returnpath::v1::Timer>> CollectDue(absl::Time now);
  // Submits one command per timer and waits for every answer. Returns false
  // if a write failed.
  bool FireBatch(const std::vector<returnpath::v1::Timer>& timers);
  absl::Duration WaitForNext(absl::Time now);

  // Constant after construction.
  EventStore* const store_;
  CommandQueue* const commands_;  // the store's sequencer
  Clock* const clock_;
  const TimerLoopOptions options_;
  const std::shared_ptr<Wakeup> wakeup_;

  mutable absl::Mutex mu_;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  // Keyed by TimerFiredKey; changed only by the loop thread.
  std::map<std::string, ParkedTimer> parked_ ABSL_GUARDED_BY(mu_);
  uint64_t rounds_started_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t last_idle_round_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  // The last timer of the previous batch while a backlog is being fired:
  // the next scan starts after it instead of stepping over the deleted
  // timers before it again. Loop thread only.
  std::optional<returnpath::v1::Timer> cursor_;

  absl::Mutex stop_mu_;  // serializes Stop; held while joining
  std::thread thread_;   // joined by Stop
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_TIMER_LOOP_H_
