#ifndef RETURNPATH_ENGINE_RPC_WAKE_SIGNAL_H_
#define RETURNPATH_ENGINE_RPC_WAKE_SIGNAL_H_

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "engine/rpc/executor.h"

namespace returnpath::engine {

// One-shot waiters woken together, e.g. every live subscription after a
// commit. Callbacks run on the executor, never on the notifying thread (the
// sequencer must not block). Thread-safe; `executor` must outlive it.
class WakeSignal {
 public:
  explicit WakeSignal(Executor* executor) : executor_(executor) {}

  // How many times Notify has run; read it before looking for new data.
  uint64_t generation();
  // Runs `callback` once, at the next Notify, or at once if a Notify came
  // after `seen` (so a wake between looking and waiting is never lost).
  void Wait(uint64_t seen, absl::AnyInvocable<void()> callback);
  void Notify();
  // Wakes every waiter for good: later Waits run at once too. Live streams
  // waiting on it end (the daemon's shutdown).
  void Close();
  bool closed();

 private:
  Executor* const executor_;
  absl::Mutex mu_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<absl::AnyInvocable<void()>> waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_RPC_WAKE_SIGNAL_H_
