#ifndef RETURNPATH_ENGINE_REPLAY_STATISTICS_OF_VIEW_H_
#define RETURNPATH_ENGINE_REPLAY_STATISTICS_OF_VIEW_H_

// Engine-internal: the statistics (engine/replay.h) of one snapshot, for jobs
// that compare them with something else read from the same snapshot.

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/replay.h"
#include "engine/store_view.h"
#include "engine/workflow.h"

namespace returnpath::engine {

// The time zone whose months the workflow's statistics count by;
// FAILED_PRECONDITION if the time zone database lacks it.
absl::StatusOr<absl::TimeZone> StatisticsZone(const Workflow& workflow);

// Counts by (category, month, group), summed from Workflow::Classify.
using StatisticCounts =
    std::map<std::tuple<std::string, std::string, std::string>, int64_t>;

// Adds what `event` counted (Classify's keys, taken) to `counts`, by month in
// `zone`, for keys whose time falls in [from, to).
void CountEvent(absl::TimeZone zone, absl::Time from, absl::Time to,
                const returnpath::v1::EventEnvelope& event,
                std::vector<Workflow::StatisticKey>* counted,
                StatisticCounts* counts);

// Adds what erased streams counted (ErasedStatistics in `meta`) in the
// months that overlap [from, to) to `counts`; returns how many streams were
// erased.
absl::StatusOr<uint64_t> AddErased(const StoreView& view, absl::TimeZone zone,
                                   absl::Time from, absl::Time to,
                                   StatisticCounts* counts);

absl::StatusOr<StatisticsReport> StatisticsOfView(
    const StoreView& view, const Workflow& workflow, absl::Time from,
    absl::Time to, const ReplayProgress& progress);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_REPLAY_STATISTICS_OF_VIEW_H_
