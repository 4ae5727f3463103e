#ifndef RETURNPATH_TOOLS_BENCHMARKS_STATE_SIZES_H_
#define RETURNPATH_TOOLS_BENCHMARKS_STATE_SIZES_H_

// What the stored pathway states of a data set hold, field by field
// (bench_dataset --state_sizes).

#include <string>

#include "absl/status/statusor.h"
#include "engine/event_store.h"

namespace returnpath::bench {

// The number of stored states, their mean, median, 99th percentile and
// largest size in bytes, then the mean bytes each top-level field of
// returnpath.v1.PathwayState takes, largest first.
absl::StatusOr<std::string> StateSizeReport(engine::EventStore& store);

}  // namespace returnpath::bench

#endif  // RETURNPATH_TOOLS_BENCHMARKS_STATE_SIZES_H_
