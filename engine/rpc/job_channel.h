#ifndef RETURNPATH_ENGINE_RPC_JOB_CHANNEL_H_
#define RETURNPATH_ENGINE_RPC_JOB_CHANNEL_H_

#include <deque>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "engine/rpc/pull_writer.h"
#include "engine/rpc/wake_signal.h"

namespace returnpath::engine {

// Carries the messages of a long job (replay check, ...) running on one
// executor thread to the PullWriter that streams them. Thread-safe; shared
// by the job and the stream.
template <typename Msg>
class JobChannel {
 public:
  explicit JobChannel(Executor* executor) : signal_(executor) {}

  void Push(Msg msg) {
    {
      absl::MutexLock lock(&mu_);
      queue_.push_back(std::move(msg));
    }
    signal_.Notify();
  }

  void Close(absl::Status status) {
    {
      absl::MutexLock lock(&mu_);
      closed_ = true;
      status_ = std::move(status);
    }
    signal_.Notify();
  }

  // A PullWriter source: what has come so far, then done (or the job's error).
  absl::StatusOr<Pulled> Take(std::vector<Msg>* out) {
    absl::MutexLock lock(&mu_);
    while (!queue_.empty()) {
      out->push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    if (!out->empty()) return Pulled::kMore;
    if (!closed_) return Pulled::kWait;
    if (!status_.ok()) return status_;
    return Pulled::kDone;
  }

  WakeSignal* signal() { return &signal_; }

 private:
  WakeSignal signal_;
  absl::Mutex mu_;
  std::deque<Msg> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_RPC_JOB_CHANNEL_H_
