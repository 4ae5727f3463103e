#ifndef RETURNPATH_TOOLS_BENCHMARKS_WRITE_COST_H_
#define RETURNPATH_TOOLS_BENCHMARKS_WRITE_COST_H_

// What the engine writes per append, by the kind of event, summed from the
// store's AppendObserver (bench_dataset --write_cost).

#include <cstdint>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "engine/event_store.h"

namespace returnpath::bench {

// Thread-safe.
class WriteCostTally {
 public:
  // Adds what each append wrote; the tally must outlive the store.
  engine::AppendObserver Observer();

  // One row a kind (its message name), most frequent first, and a total:
  // appends, events per append, then keys written per append (puts and
  // deletes) in all and by table, and bytes per append; then the bytes per
  // append of each table, over all kinds.
  std::string Report() const;

 private:
  struct Kind {
    uint64_t appends = 0;
    uint64_t events = 0;
    engine::WriteCost cost;
  };
  void Add(absl::string_view kind, uint64_t events,
           const engine::WriteCost& cost);

  mutable absl::Mutex mu_;
  std::map<std::string, Kind> kinds_ ABSL_GUARDED_BY(mu_);
};

}  // namespace returnpath::bench

#endif  // RETURNPATH_TOOLS_BENCHMARKS_WRITE_COST_H_
