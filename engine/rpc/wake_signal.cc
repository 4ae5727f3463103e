#include "engine/rpc/wake_signal.h"

namespace returnpath::engine {

uint64_t WakeSignal::generation() {
  absl::MutexLock lock(&mu_);
  return generation_;
}

void WakeSignal::Wait(uint64_t seen, absl::AnyInvocable<void()> callback) {
  {
    absl::MutexLock lock(&mu_);
    if (seen == generation_ && !closed_) {
      waiters_.push_back(std::move(callback));
      return;
    }
  }
  executor_->Run(std::move(callback));
}

void WakeSignal::Notify() {
  std::vector<absl::AnyInvocable<void()>> woken;
  {
    absl::MutexLock lock(&mu_);
    ++generation_;
    woken.swap(waiters_);
  }
  for (auto& callback : woken) executor_->Run(std::move(callback));
}

void WakeSignal::Close() {
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  Notify();
}

bool WakeSignal::closed() {
  absl::MutexLock lock(&mu_);
  return closed_;
}

}  // namespace returnpath::engine
