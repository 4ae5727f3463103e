#ifndef RETURNPATH_ENGINE_HISTORY_CHECK_H_
#define RETURNPATH_ENGINE_HISTORY_CHECK_H_

// Running an application's HistoryChecker (engine/history_checker.h) over
// one stream or every stream of the store.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/event_store.h"
#include "engine/history_checker.h"
#include "engine/replay.h"
#include "engine/workflow.h"

namespace returnpath::engine {

struct HistoryCheckOptions {
  std::optional<std::string> stream_id;  // one stream; unset: every stream
  absl::Time now = absl::InfinitePast();
  // Findings at a time in [from, to) are reported; the statistics are
  // compared for events effective in [from, to).
  absl::Time from = absl::InfinitePast();
  absl::Time to = absl::InfiniteFuture();
  ReplayProgress progress;  // events checked of the log's; now and then
  // The findings of each stream that has any, together, as they are found;
  // at the end, those of the statistics. Called on the checking thread.
  std::function<void(std::vector<Finding>)> on_findings;
};

struct HistoryCheckReport {
  uint64_t streams = 0;
  uint64_t events = 0;
  uint64_t findings = 0;
  bool statistics_compared = false;  // only over every stream
  // Erased streams (EventStore::Erase) are not checked: what is left of
  // them cannot show a duty kept or missed. Counted in `streams`.
  uint64_t erased_streams = 0;
};

// Reads every stream (or one) from one snapshot and passes each to
// `checker`; over every stream, also compares the workflow's statistics with
// the checker's recount, reporting each row that differs as a finding of the
// rule "statistics". NOT_FOUND for an unknown stream.
absl::StatusOr<HistoryCheckReport> CheckHistories(
    EventStore& store, const Workflow& workflow, const HistoryChecker& checker,
    const HistoryCheckOptions& options);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_HISTORY_CHECK_H_
