#ifndef RETURNPATH_TOOLS_BENCHMARKS_REPORT_H_
#define RETURNPATH_TOOLS_BENCHMARKS_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tools/benchmarks/bench_results.pb.h"

namespace returnpath::bench {

// Latency samples kept whole, so percentiles are exact (sorted samples).
// Thread-safe; a million samples cost 8 MB.
class LatencySamples {
 public:
  struct Summary {
    uint64_t count = 0;
    double p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;
  };

  void Add(absl::Duration d);
  void Merge(const LatencySamples& other);
  uint64_t count() const;
  Summary Summarize() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<int64_t> nanos_ ABSL_GUARDED_BY(mu_);
};

// One suite's figures and notes, written as a bench_results.proto Suite in
// JSON and echoed to stdout as lines of a table. Not thread-safe.
class SuiteReport {
 public:
  SuiteReport(int number, std::string title);

  // A figure without a target.
  void Add(const std::string& name, double value, const std::string& unit,
           const std::string& note = "");
  // A figure with a target: `met` says whether it reached it.
  void AddTarget(const std::string& name, double value, const std::string& unit,
                 const std::string& target, bool met,
                 const std::string& note = "");
  // "<prefix> p50", p99, p99.9 and max, in ms. With `p99_target_ms` > 0 the
  // p99 carries that target.
  void AddLatency(const std::string& prefix,
                  const LatencySamples::Summary& summary,
                  double p99_target_ms = 0);
  void Note(const std::string& note);
  // The suite could not finish; what it measured so far is kept.
  void Fail(const absl::Status& status);

  // Writes the suite to `path` (JSON). Prints each figure as it is added.
  absl::Status Write(const std::string& path);

 private:
  Suite suite_;
  absl::Time start_;
};

}  // namespace returnpath::bench

#endif  // RETURNPATH_TOOLS_BENCHMARKS_REPORT_H_
