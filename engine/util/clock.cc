#include "engine/clock.h"

namespace returnpath::engine {
namespace {

class SystemClock final : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
  absl::Duration RealWaitFor(absl::Time deadline) override {
    return std::max(absl::ZeroDuration(), deadline - absl::Now());
  }
};

}  // namespace

std::unique_ptr<Clock> NewSystemClock() {
  return std::make_unique<SystemClock>();
}

ManualClock::ManualClock(absl::Time start) : now_(start) {}

absl::Time ManualClock::Now() {
  absl::MutexLock lock(&mu_);
  return now_;
}

absl::Duration ManualClock::RealWaitFor(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  return deadline <= now_ ? absl::ZeroDuration() : absl::InfiniteDuration();
}

void ManualClock::AddListener(std::function<void()> listener) {
  absl::MutexLock lock(&mu_);
  listeners_.push_back(std::move(listener));
}

void ManualClock::Advance(absl::Duration d) {
  {
    absl::MutexLock lock(&mu_);
    if (d > absl::ZeroDuration()) now_ += d;
  }
  Notify();
}

void ManualClock::SetTime(absl::Time t) {
  {
    absl::MutexLock lock(&mu_);
    if (t > now_) now_ = t;
  }
  Notify();
}

void ManualClock::Notify() {
  std::vector<std::function<void()>> listeners;
  {
    absl::MutexLock lock(&mu_);
    listeners = listeners_;
  }
  for (auto& listener : listeners) listener();
}

absl::Duration VirtualClock::RealWaitFor(absl::Time deadline) {
  if (deadline != absl::InfiniteFuture()) SetTime(deadline);
  return absl::ZeroDuration();
}

}  // namespace returnpath::engine
