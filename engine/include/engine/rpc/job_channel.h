#ifndef RETURNPATH_ENGINE_RPC_JOB_CHANNEL_H_
#define RETURNPATH_ENGINE_RPC_JOB_CHANNEL_H_

#include <deque>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "engine/rpc/pull_writer.h"
#include "engine/rpc/wake_signal.h"

namespace returnpath::engine {

// Carries the messages of a long job (replay check, ...) running on one
// executor thread to the PullWriter that streams them. A part of the answer
// that waits for something (a record being written) is held instead of
// waited for: Hold, then Release from its callback; the stream ends once the
// job has closed and every hold is released. Thread-safe; shared by the job,
// its callbacks and the stream.
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

  // Keeps the stream open past Close until the matching Release.
  void Hold() {
    absl::MutexLock lock(&mu_);
    ++holds_;
  }

  // Lets go of one Hold: sends `msg` if nothing has failed, or, given an
  // error, ends the stream with it (the first error wins).
  void Release(absl::Status status, Msg msg) {
    std::vector<Msg> msgs;
    msgs.push_back(std::move(msg));
    Release(std::move(status), std::move(msgs));
  }
  // As above, for several messages held together.
  void Release(absl::Status status, std::vector<Msg> msgs) {
    {
      absl::MutexLock lock(&mu_);
      --holds_;
      if (!status.ok() && status_.ok()) status_ = std::move(status);
      if (status_.ok()) {
        for (Msg& msg : msgs) queue_.push_back(std::move(msg));
      }
      MaybeEnd();
    }
    signal_.Notify();
  }

  // The job's end: its last message (sent after every held part) or error.
  void Close(absl::StatusOr<Msg> last) {
    {
      absl::MutexLock lock(&mu_);
      job_done_ = true;
      if (!last.ok() && status_.ok()) status_ = last.status();
      if (last.ok()) last_ = *std::move(last);
      MaybeEnd();
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
  void MaybeEnd() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!job_done_ || holds_ > 0 || closed_) return;
    if (status_.ok() && last_.has_value()) queue_.push_back(*std::move(last_));
    closed_ = true;
  }

  WakeSignal signal_;
  absl::Mutex mu_;
  std::deque<Msg> queue_ ABSL_GUARDED_BY(mu_);
  int holds_ ABSL_GUARDED_BY(mu_) = 0;
  bool job_done_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<Msg> last_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_RPC_JOB_CHANNEL_H_
