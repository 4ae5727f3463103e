#ifndef RETURNPATH_TOOLS_BENCHMARKS_LOAD_H_
#define RETURNPATH_TOOLS_BENCHMARKS_LOAD_H_

// Load drivers shared by the suites. Closed loop: N callers, each waiting for
// its answer before the next call (throughput). Open loop: calls start at
// fixed intervals whatever the answers do, and latency runs from the
// scheduled start, so queueing is never hidden (no coordinated omission).

#include <cstdint>
#include <functional>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "tools/benchmarks/report.h"

namespace returnpath::bench {

struct LoadResult {
  uint64_t ok = 0;
  uint64_t failed = 0;
  absl::Status first_error;  // of the first failed call
  absl::Duration elapsed;
  LatencySamples latency;  // ok calls only
  double rate() const {
    return static_cast<double>(ok) / absl::ToDoubleSeconds(elapsed);
  }
};

// `callers` threads each call op(caller) back to back for `duration`.
void RunClosedLoop(int callers, absl::Duration duration,
                   const std::function<absl::Status(int caller)>& op,
                   LoadResult* result);

// Called once per scheduled start; must not block. Calls `done` exactly once,
// from any thread, when the operation has finished.
using AsyncOp =
    std::function<void(absl::AnyInvocable<void(absl::Status)> done)>;

// Starts op at t0 + i / rate for `duration`, then waits (up to `drain`) for
// the answers still out. A start that falls behind is made at once; its
// latency still counts from the time it was scheduled for.
void RunOpenLoop(double rate, absl::Duration duration, absl::Duration drain,
                 const AsyncOp& op, LoadResult* result);

// As RunOpenLoop, until `stop()` is true (checked before each start).
void RunOpenLoopUntil(double rate, const std::function<bool()>& stop,
                      absl::Duration drain, const AsyncOp& op,
                      LoadResult* result);

}  // namespace returnpath::bench

#endif  // RETURNPATH_TOOLS_BENCHMARKS_LOAD_H_
