#ifndef RETURNPATH_ENGINE_REPLAY_CHECK_COVERAGE_H_
#define RETURNPATH_ENGINE_REPLAY_CHECK_COVERAGE_H_

// Engine-internal parts of ReplayCheck (replay_check.cc): where its findings
// go, what the streams it folded accounted for, and the scans that report
// what no stream accounts for.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "engine/replay.h"
#include "engine/store_view.h"

namespace returnpath::engine {

inline constexpr size_t kKeptDifferences = 1000;

// Differences and progress from every checking thread. Thread-safe.
class Findings {
 public:
  Findings(const ReplayCheckOptions& options, uint64_t total,
           ReplayReport* report)
      : options_(options), total_(total), report_(report) {}

  void Report(std::string stream, std::string what, std::string detail) {
    ReplayDifference d{std::move(stream), std::move(what), std::move(detail)};
    absl::MutexLock lock(&mu_);
    ++report_->difference_count;
    if (options_.on_difference) options_.on_difference(d);
    if (report_->differences.size() < kKeptDifferences) {
      report_->differences.push_back(std::move(d));
    }
  }
  void Folded(uint64_t events) {
    absl::MutexLock lock(&mu_);
    report_->events += events;
    if (options_.progress) options_.progress(report_->events, total_);
  }
  void Finished() {
    absl::MutexLock lock(&mu_);
    if (options_.progress) options_.progress(report_->events, total_);
  }

 private:
  const ReplayCheckOptions& options_;
  const uint64_t total_;
  absl::Mutex mu_;
  ReplayReport* const report_ ABSL_GUARDED_BY(mu_);
};

// What the streams accounted for outside the stream-keyed families.
struct Coverage {
  // Fingerprints of the index, timers and ready entries streams expect. A
  // stray entry whose 64-bit fingerprint collides with one of these (odds
  // about 1e-12 at 30M entries) would go unreported.
  absl::flat_hash_set<uint64_t> expected;
  std::vector<bool> folded_positions;
  uint64_t streams = 0;

  static uint64_t Fingerprint(Table table, absl::string_view key) {
    return absl::Hash<std::pair<int, absl::string_view>>()(
        {static_cast<int>(table), key});
  }
  void Merge(Coverage other) {
    if (other.expected.size() > expected.size()) {
      std::swap(expected, other.expected);
    }
    expected.insert(other.expected.begin(), other.expected.end());
    if (other.folded_positions.size() > folded_positions.size()) {
      folded_positions.resize(other.folded_positions.size(), false);
    }
    for (size_t i = 0; i < other.folded_positions.size(); ++i) {
      if (other.folded_positions[i]) folded_positions[i] = true;
    }
    streams += other.streams;
  }
};

// Events no stream index entry led to.
absl::Status ReportEventsOutsideTheIndex(const StoreView& view,
                                         const Coverage& coverage,
                                         Findings& findings);

// Entries of the families walked by key that no stream accounted for.
absl::Status ReportStrays(const StoreView& view, const Coverage& coverage,
                          Findings& findings);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_REPLAY_CHECK_COVERAGE_H_
