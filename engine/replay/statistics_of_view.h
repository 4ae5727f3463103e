#ifndef RETURNPATH_ENGINE_REPLAY_STATISTICS_OF_VIEW_H_
#define RETURNPATH_ENGINE_REPLAY_STATISTICS_OF_VIEW_H_

// Engine-internal: the statistics (engine/replay.h) of one snapshot, for jobs
// that compare them with something else read from the same snapshot.

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/replay.h"
#include "engine/store_view.h"
#include "engine/workflow.h"

namespace returnpath::engine {

// The time zone whose months the workflow's statistics count by;
// FAILED_PRECONDITION if the time zone database lacks it.
absl::StatusOr<absl::TimeZone> StatisticsZone(const Workflow& workflow);

absl::StatusOr<StatisticsReport> StatisticsOfView(
    const StoreView& view, const Workflow& workflow, absl::Time from,
    absl::Time to, const ReplayProgress& progress);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_REPLAY_STATISTICS_OF_VIEW_H_
