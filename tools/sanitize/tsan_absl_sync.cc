// ThreadSanitizer builds only (cmake/sanitize.cmake links it into every binary).
//
// Debian's Abseil is compiled without TSan, so TSan cannot see absl::Mutex,
// CondVar or Notification lock and unlock: every field our code guards with an
// absl::Mutex would be reported as a race. This library defines those entry
// points itself (it is loaded before libabsl_synchronization, so the dynamic
// linker binds every caller, ours and gRPC's, to it), tells TSan about the
// happens-before edge each one creates, and calls Abseil's own definition.
// It adds synchronization TSan is told about, never hides an access.

#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace {

// Abseil's definition of the symbol `mangled`, the next one after this library.
template <typename Fn>
Fn Next(const char* mangled) {
  void* fn = dlsym(RTLD_NEXT, mangled);
  if (fn == nullptr) {
    std::fprintf(stderr, "tsan_absl_sync: %s not found in Abseil\n", mangled);
    std::abort();
  }
  return reinterpret_cast<Fn>(fn);
}

#define RP_ABSL_NS "N4absl7debian3"

void Acquire(const void* sync) { __tsan_acquire(const_cast<void*>(sync)); }
void Release(const void* sync) { __tsan_release(const_cast<void*>(sync)); }

}  // namespace

namespace absl {

using Cond = const Condition&;

void Mutex::Lock() {
  static auto next = Next<void (*)(Mutex*)>("_Z" RP_ABSL_NS "5Mutex4LockEv");
  next(this);
  Acquire(this);
}

void Mutex::ReaderLock() {
  static auto next = Next<void (*)(Mutex*)>("_Z" RP_ABSL_NS "5Mutex10ReaderLockEv");
  next(this);
  Acquire(this);
}

bool Mutex::TryLock() {
  static auto next = Next<bool (*)(Mutex*)>("_Z" RP_ABSL_NS "5Mutex7TryLockEv");
  bool locked = next(this);
  if (locked) Acquire(this);
  return locked;
}

bool Mutex::ReaderTryLock() {
  static auto next = Next<bool (*)(Mutex*)>("_Z" RP_ABSL_NS "5Mutex13ReaderTryLockEv");
  bool locked = next(this);
  if (locked) Acquire(this);
  return locked;
}

void Mutex::Unlock() {
  static auto next = Next<void (*)(Mutex*)>("_Z" RP_ABSL_NS "5Mutex6UnlockEv");
  Release(this);
  next(this);
}

void Mutex::ReaderUnlock() {
  static auto next = Next<void (*)(Mutex*)>("_Z" RP_ABSL_NS "5Mutex12ReaderUnlockEv");
  Release(this);
  next(this);
}

void Mutex::LockWhen(Cond cond) {
  static auto next =
      Next<void (*)(Mutex*, Cond)>("_Z" RP_ABSL_NS "5Mutex8LockWhenERKNS0_9ConditionE");
  next(this, cond);
  Acquire(this);
}

void Mutex::ReaderLockWhen(Cond cond) {
  static auto next =
      Next<void (*)(Mutex*, Cond)>("_Z" RP_ABSL_NS "5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  next(this, cond);
  Acquire(this);
}

bool Mutex::LockWhenWithTimeout(Cond cond, Duration timeout) {
  static auto next = Next<bool (*)(Mutex*, Cond, Duration)>(
      "_Z" RP_ABSL_NS "5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  bool met = next(this, cond, timeout);
  Acquire(this);
  return met;
}

bool Mutex::LockWhenWithDeadline(Cond cond, Time deadline) {
  static auto next = Next<bool (*)(Mutex*, Cond, Time)>(
      "_Z" RP_ABSL_NS "5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  bool met = next(this, cond, deadline);
  Acquire(this);
  return met;
}

void Mutex::Await(Cond cond) {
  static auto next =
      Next<void (*)(Mutex*, Cond)>("_Z" RP_ABSL_NS "5Mutex5AwaitERKNS0_9ConditionE");
  Release(this);
  next(this, cond);
  Acquire(this);
}

bool Mutex::AwaitWithTimeout(Cond cond, Duration timeout) {
  static auto next = Next<bool (*)(Mutex*, Cond, Duration)>(
      "_Z" RP_ABSL_NS "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Release(this);
  bool met = next(this, cond, timeout);
  Acquire(this);
  return met;
}

bool Mutex::AwaitWithDeadline(Cond cond, Time deadline) {
  static auto next = Next<bool (*)(Mutex*, Cond, Time)>(
      "_Z" RP_ABSL_NS "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Release(this);
  bool met = next(this, cond, deadline);
  Acquire(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  static auto next =
      Next<void (*)(CondVar*, Mutex*)>("_Z" RP_ABSL_NS "7CondVar4WaitEPNS0_5MutexE");
  Release(mu);
  next(this, mu);
  Acquire(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  static auto next = Next<bool (*)(CondVar*, Mutex*, Duration)>(
      "_Z" RP_ABSL_NS "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  Release(mu);
  bool timed_out = next(this, mu, timeout);
  Acquire(mu);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  static auto next = Next<bool (*)(CondVar*, Mutex*, Time)>(
      "_Z" RP_ABSL_NS "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  Release(mu);
  bool timed_out = next(this, mu, deadline);
  Acquire(mu);
  return timed_out;
}

void Notification::Notify() {
  static auto next = Next<void (*)(Notification*)>("_Z" RP_ABSL_NS "12Notification6NotifyEv");
  Release(this);
  next(this);
}

void Notification::WaitForNotification() const {
  static auto next =
      Next<void (*)(const Notification*)>("_ZNK4absl7debian312Notification19WaitForNotificationEv");
  next(this);
  Acquire(this);
}

bool Notification::WaitForNotificationWithTimeout(Duration timeout) const {
  static auto next = Next<bool (*)(const Notification*, Duration)>(
      "_ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE");
  bool notified = next(this, timeout);
  if (notified) Acquire(this);
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(Time deadline) const {
  static auto next = Next<bool (*)(const Notification*, Time)>(
      "_ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE");
  bool notified = next(this, deadline);
  if (notified) Acquire(this);
  return notified;
}

}  // namespace absl
