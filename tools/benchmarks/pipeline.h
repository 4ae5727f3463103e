#ifndef RETURNPATH_TOOLS_BENCHMARKS_PIPELINE_H_
#define RETURNPATH_TOOLS_BENCHMARKS_PIPELINE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "engine/event_store.h"

namespace returnpath::bench {

// Feeds appends to a store with at most `window` unanswered, so the
// sequencer always has full groups to commit while memory stays bounded.
// Counts the answers and keeps the first few refusals. Thread-safe; `store`
// must outlive it.
class AppendPipeline {
 public:
  AppendPipeline(engine::EventStore* store, size_t window)
      : store_(store), window_(window) {}

  // Blocks while `window` appends are unanswered.
  void Submit(engine::AppendRequest request);
  // Blocks until every submitted append is answered.
  void Drain();

  uint64_t ok() const;
  uint64_t refused() const;
  std::vector<std::string> first_refusals() const;

 private:
  void Answer(const absl::Status& status);

  engine::EventStore* const store_;
  const size_t window_;
  mutable absl::Mutex mu_;
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t ok_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t refused_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> refusals_ ABSL_GUARDED_BY(mu_);
};

}  // namespace returnpath::bench

#endif  // RETURNPATH_TOOLS_BENCHMARKS_PIPELINE_H_
