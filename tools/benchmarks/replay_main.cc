// Suite 5: replay. Rebuilds every person's state, index keys, armed timers
// and tasks from the whole log of the generated data set (at least 10
// million events), with the engine's own fold (engine/replay_fold.h, the
// one ReplayCheck uses), one RocksDB snapshot, one thread. Only the fold is
// timed; the data set was loaded beforehand (dataset.h, sync=false). Then
// ReplayCheck (engine/replay.h), which folds again and compares everything
// with what is stored, timed on its own.

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/clock.h"
#include "engine/codec.h"
#include "engine/event_store.h"
#include "engine/keys.h"
#include "engine/replay.h"
#include "engine/replay_fold.h"
#include "engine/status_macros.h"
#include "engine/store_access.h"
#include "tools/benchmarks/common.h"
#include "tools/benchmarks/dataset.h"
#include "workflows/return_pathway/return_pathway_workflow.h"

namespace returnpath::bench {
namespace {

using returnpath::v1::EventEnvelope;

struct FoldTotals {
  uint64_t events = 0;
  uint64_t streams = 0;
  uint64_t rejected = 0;
  uint64_t timers = 0;
  uint64_t open_tasks = 0;
};

absl::StatusOr<FoldTotals> FoldAll(engine::EventStore& store,
                                   const engine::Workflow& workflow) {
  RP_ASSIGN_OR_RETURN(const engine::StoreDb* db, engine::StoreDbOf(store));
  engine::ScopedSnapshot snapshot(db->db());
  absl::flat_hash_map<std::string, engine::FoldedStream> streams;
  FoldTotals totals;
  absl::Status error;
  RP_RETURN_IF_ERROR(engine::ScanRange(
      *db, engine::StoreDb::kEvents, snapshot.get(), "", "",
      [&](absl::string_view key, absl::string_view value) {
        uint64_t position = 0;
        if (!engine::keys::DecodeEvent(key, &position)) {
          error = absl::DataLossError("an events key is malformed");
          return false;
        }
        EventEnvelope event;
        error = engine::DecodeEventValue(position, value, &event);
        if (!error.ok()) return false;
        engine::FoldedStream& s = streams[event.stream_id()];
        if (!engine::FoldEvent(workflow, event, engine::FoldDetail::kFull, &s)
                 .ok()) {
          ++totals.rejected;
        }
        ++totals.events;
        return true;
      }));
  RP_RETURN_IF_ERROR(error);
  totals.streams = streams.size();
  for (const auto& [id, s] : streams) {
    totals.timers += s.timers.size();
    for (const auto& [task_id, task] : s.tasks) {
      if (task.state() == returnpath::v1::TASK_STATE_OPEN) ++totals.open_tasks;
    }
  }
  return totals;
}

absl::Status Run(SuiteReport& report) {
  const DatasetSpec spec = StandardDataset(absl::GetFlag(FLAGS_quick));
  RP_ASSIGN_OR_RETURN(Dataset dataset, LoadDataset(spec));
  RP_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("replay"));
  const std::string store_path = dir.path() + "/store";
  RP_RETURN_IF_ERROR(
      CheckpointStore(DatasetDataDir(spec) + "/store", store_path));
  RP_ASSIGN_OR_RETURN(std::unique_ptr<engine::Workflow> workflow,
                      return_pathway::NewReturnPathwayWorkflow(
                          absl::GetFlag(FLAGS_policy_dir)));
  absl::Time now;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, dataset.now(), &now, &error)) {
    return absl::DataLossError(absl::StrCat("manifest now: ", error));
  }
  engine::ManualClock clock(now);
  engine::StoreOptions options;
  options.path = store_path;
  options.clock = &clock;
  options.workflow = workflow.get();
  RP_ASSIGN_OR_RETURN(std::unique_ptr<engine::EventStore> store,
                      engine::EventStore::Open(options));
  report.Add("log size", static_cast<double>(store->LastPosition()), "events",
             absl::StrCat("data set ", spec.name));
  const double rss_before = PeakRssMiB();

  const absl::Time start = absl::Now();
  RP_ASSIGN_OR_RETURN(FoldTotals totals, FoldAll(*store, *workflow));
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const double rate = static_cast<double>(totals.events) / seconds;
  report.AddTarget("fold: events/s", rate, "events/s", ">= 1,000,000",
                   rate >= 1e6,
                   absl::StrCat(totals.events, " events of ", totals.streams,
                                " persons in ", seconds, " s, one thread"));
  report.Add("fold: wall time", seconds, "s");
  report.Add("fold: peak RSS", PeakRssMiB(), "MiB",
             absl::StrCat("getrusage; ", rss_before, " MiB before the fold"));
  report.Add("fold: rebuilt armed timers", static_cast<double>(totals.timers),
             "timers");
  report.Add("fold: rebuilt open tasks", static_cast<double>(totals.open_tasks),
             "tasks");
  if (totals.rejected > 0) {
    report.Note(absl::StrCat(totals.rejected,
                             " events no longer apply under the workflow"));
  }

  const absl::Time check_start = absl::Now();
  RP_ASSIGN_OR_RETURN(engine::ReplayReport check,
                      engine::ReplayCheck(*store, *workflow, {}));
  const double check_seconds =
      absl::ToDoubleSeconds(absl::Now() - check_start);
  report.Add("ReplayCheck: events/s",
             static_cast<double>(check.events) / check_seconds, "events/s",
             "fold again, then compare state, index, timers and tasks");
  report.Add("ReplayCheck: wall time", check_seconds, "s");
  report.Add("ReplayCheck: differences",
             static_cast<double>(check.difference_count), "differences");
  report.Add("ReplayCheck: peak RSS", PeakRssMiB(), "MiB",
             "getrusage: the process's peak so far, fold included");
  report.Note(absl::StrCat(
      "Data set ", spec.name, ": ", dataset.events(), " events, ",
      dataset.persons(), " synthetic persons, generated through the engine's "
      "write path with sync=false (dataset.h) and cached; the suite works on "
      "a hard-linked checkpoint. Only the fold is timed."));
  return store->Close();
}

}  // namespace
}  // namespace returnpath::bench

int main(int argc, char** argv) {
  return returnpath::bench::SuiteMain(argc, argv, 5, "Replay (rebuild every state)",
                                      returnpath::bench::Run);
}
