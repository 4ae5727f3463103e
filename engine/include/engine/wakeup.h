#ifndef RETURNPATH_ENGINE_WAKEUP_H_
#define RETURNPATH_ENGINE_WAKEUP_H_

#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/clock.h"
#include "engine/event_store.h"

namespace returnpath::engine {

// A level-triggered "look again" flag between one worker thread and whoever
// pokes it (clock moves, commits, API calls). Thread-safe. Shared by
// shared_ptr because Clock and EventStore cannot unregister a listener: the
// listeners keep the Wakeup alive, and Notify after Close does nothing.
class Wakeup {
 public:
  // Something changed: counts an event and wakes the waiter.
  void Notify();
  // Wakes the waiter without counting an event (e.g. an answer arrived).
  void Poke();
  // How many times Notify has run.
  uint64_t events();

  // Blocks until notified or `timeout` passes (real time), then clears the
  // flag. Returns false once closed (at once if already closed).
  bool Wait(absl::Duration timeout);

  // Wakes the waiter for good.
  void Close();

  // Registers Notify as a listener of the clock and of every commit.
  static void ListenTo(const std::shared_ptr<Wakeup>& wakeup, Clock* clock,
                       EventStore* store);

 private:
  absl::Mutex mu_;
  bool pending_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t events_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_WAKEUP_H_
