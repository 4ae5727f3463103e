#ifndef RETURNPATH_TOOLS_BENCHMARKS_SEALING_COST_H_
#define RETURNPATH_TOOLS_BENCHMARKS_SEALING_COST_H_

// What sealing erasable fields at rest (docs/privacy.md) costs: the same
// appends into two fresh stores, one without a master key and one with, and
// then a ReplayCheck of each (which opens every sealed event).

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "tools/benchmarks/common.h"

namespace returnpath::bench {

absl::Status MeasureSealingCost(absl::Duration each, SuiteReport& report);

}  // namespace returnpath::bench

#endif  // RETURNPATH_TOOLS_BENCHMARKS_SEALING_COST_H_
