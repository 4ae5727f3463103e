#include "tools/benchmarks/sealing_cost.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/clock.h"
#include "engine/replay.h"
#include "engine/status_macros.h"
#include "engine/stream_keys.h"
#include "tools/benchmarks/load.h"
#include "tools/benchmarks/pathway_store.h"
#include "tools/benchmarks/population.h"

namespace returnpath::bench {
namespace {

struct SealingRun {
  double appends = 0;  // events/s
  double replay = 0;   // events/s
};

absl::StatusOr<SealingRun> Run(bool sealed, absl::Duration each) {
  RP_ASSIGN_OR_RETURN(ScratchDir dir,
                      ScratchDir::Make(sealed ? "sealed" : "unsealed"));
  std::shared_ptr<const engine::MasterKeyring> keys;
  if (sealed) {
    const std::string key = engine::NewStreamKey();  // 32 random bytes
    keys = std::make_shared<engine::MasterKeyring>(
        engine::MasterKey{engine::MasterKeyId(key), key, "the benchmark"});
  }
  std::unique_ptr<engine::Clock> clock = engine::NewSystemClock();
  RP_ASSIGN_OR_RETURN(PathwayStore opened,
                      OpenPathwayStore(dir.path() + "/store", clock.get(),
                                       /*sync=*/true, nullptr, keys));
  engine::EventStore& store = *opened.store;
  LiveWorkload workload(sealed ? "SEAL" : "PLAIN",
                        absl::ToCivilDay(absl::Now(), Oslo()));
  auto append = [&](int) {
    LiveWorkload::Step step = workload.Next();
    absl::Status appended = store.Append(step.request).status();
    workload.Done(step);
    return appended;
  };
  LoadResult load;
  RunClosedLoop(16, each, append, &load);
  if (load.failed > 0) return load.first_error;
  SealingRun run;
  run.appends = load.rate();
  const absl::Time start = absl::Now();
  RP_ASSIGN_OR_RETURN(engine::ReplayReport replayed,
                      engine::ReplayCheck(store, *opened.workflow,
                                          engine::ReplayCheckOptions()));
  if (replayed.difference_count != 0) {
    return absl::InternalError("ReplayCheck found differences");
  }
  run.replay = static_cast<double>(replayed.events) /
               absl::ToDoubleSeconds(absl::Now() - start);
  RP_RETURN_IF_ERROR(store.Close());
  return run;
}

}  // namespace

absl::Status MeasureSealingCost(absl::Duration each, SuiteReport& report) {
  RP_ASSIGN_OR_RETURN(const SealingRun plain, Run(false, each));
  RP_ASSIGN_OR_RETURN(const SealingRun sealed, Run(true, each));
  report.Add("sealing off: 16 callers events/s", plain.appends, "events/s");
  report.Add("sealing on: 16 callers events/s", sealed.appends, "events/s");
  report.Add("sealing on / off: appends", 100 * sealed.appends / plain.appends,
             "%");
  report.Add("sealing off: ReplayCheck events/s", plain.replay, "events/s");
  report.Add("sealing on: ReplayCheck events/s", sealed.replay, "events/s");
  report.Add("sealing on / off: ReplayCheck",
             100 * sealed.replay / plain.replay, "%");
  report.Note(
      "Sealing: the same appends (16 callers, closed loop) into a fresh store "
      "without a master key and one with (the daemon's way: erasable fields "
      "sealed with AES-256-GCM under a key per person), then ReplayCheck of "
      "each, which opens every sealed event. The rows above these measure "
      "an unsealed store, as earlier runs did.");
  return absl::OkStatus();
}

}  // namespace returnpath::bench
