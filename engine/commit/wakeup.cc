#include "engine/wakeup.h"

namespace returnpath::engine {

void Wakeup::Notify() {
  absl::MutexLock lock(&mu_);
  ++events_;
  pending_ = true;
}

void Wakeup::Poke() {
  absl::MutexLock lock(&mu_);
  pending_ = true;
}

uint64_t Wakeup::events() {
  absl::MutexLock lock(&mu_);
  return events_;
}

bool Wakeup::Wait(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return pending_ || closed_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  pending_ = false;
  return !closed_;
}

void Wakeup::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

void Wakeup::ListenTo(const std::shared_ptr<Wakeup>& wakeup, Clock* clock,
                      EventStore* store) {
  if (clock != nullptr) clock->AddListener([wakeup] { wakeup->Notify(); });
  if (store != nullptr) {
    store->AddCommitListener([wakeup](uint64_t) { wakeup->Notify(); });
  }
}

}  // namespace returnpath::engine
