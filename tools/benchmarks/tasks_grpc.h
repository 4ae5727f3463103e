#ifndef RETURNPATH_TOOLS_BENCHMARKS_TASKS_GRPC_H_
#define RETURNPATH_TOOLS_BENCHMARKS_TASKS_GRPC_H_

// Suite 7's people's side: claim and complete over gRPC with many workers.

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "engine/event_store.h"
#include "tools/benchmarks/population.h"
#include "tools/benchmarks/report.h"

namespace returnpath::bench {

// One event of `person` at 10:00 Oslo on `day`, as the bench principal.
engine::AppendRequest OneEvent(const Person& person, Ev ev, absl::CivilDay day);

// Starts returnpathd, opens one return-conversation task per round in the
// advisers/Oslo-1 queue (the bench daemon's national adviser works it), the
// first rejection at 10:00 Oslo on `day` (a day past), then 100 workers, each
// on its own connection, Claim a task by id and Complete it, one after the
// other. Reports Claim, Complete and the pair, p50/p99.
absl::Status MeasureClaimAndComplete(SuiteReport& report, absl::CivilDay day);

}  // namespace returnpath::bench

#endif  // RETURNPATH_TOOLS_BENCHMARKS_TASKS_GRPC_H_
