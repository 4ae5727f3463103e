#ifndef RETURNPATH_ENGINE_RPC_EXECUTOR_H_
#define RETURNPATH_ENGINE_RPC_EXECUTOR_H_

#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace returnpath::engine {

// A fixed pool of threads that runs the blocking part of gRPC calls (RocksDB
// reads), so callback reactors never block. Thread-safe. The destructor runs
// what is queued, then joins.
class Executor {
 public:
  explicit Executor(int threads);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  void Run(absl::AnyInvocable<void()> work);

 private:
  void Loop();

  absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // constant after construction
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_RPC_EXECUTOR_H_
