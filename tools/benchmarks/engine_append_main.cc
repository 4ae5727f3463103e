// Suite 2: appends through the engine's full write path in one process: the
// real return-pathway workflow, state, secondary indexes, timers, tasks,
// idempotency records and the hash chain, sync=true with group commit.
// Closed loop with 1, 16 and 64 callers for throughput, then an open loop
// at --rate for latency; then reads of a stored pathway with and without
// their access record; then what sealing at rest costs appends and replay
// (sealing_cost.h). Each caller walks persons
// through the short pathway (population.h) with expected versions and
// idempotency keys, as a client would.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/status_macros.h"
#include "tools/benchmarks/common.h"
#include "tools/benchmarks/load.h"
#include "tools/benchmarks/pathway_store.h"
#include "tools/benchmarks/population.h"
#include "tools/benchmarks/sealing_cost.h"

ABSL_FLAG(std::string, raw_floor, "bench/suites/1.json",
          "suite 1's JSON, for the ratio to the raw floor");

namespace returnpath::bench {
namespace {

constexpr int kCallers[] = {1, 16, 64};

// puts/s of suite 1 at `batch`, or 0 if unknown.
double RawFloor(int batch) {
  return SuiteFigure(absl::GetFlag(FLAGS_raw_floor),
                     absl::StrCat("batch ", batch, " puts/s"));
}

// A person's stored pathway read alone, and the same read once its access
// record is durable, as GetPathway serves it: what the access log costs a
// read. Over the persons the append phases wrote.
absl::Status MeasureReads(engine::EventStore& store, absl::Duration each,
                          SuiteReport& report) {
  RP_ASSIGN_OR_RETURN(engine::EventPage page, store.ReadAll(1, 4096));
  std::vector<std::string> persons;
  for (const auto& event : page.events) persons.push_back(event.stream_id());
  if (persons.empty()) return absl::InternalError("no person was written");
  std::atomic<uint64_t> next{0};
  auto person = [&] { return persons[next.fetch_add(1) % persons.size()]; };
  auto read = [&](int) { return store.GetStreamRecord(person()).status(); };
  auto logged_read = [&](int) {
    const std::string id = person();
    absl::Status logged;
    absl::Notification done;
    store.LogAccessAsync({id}, "bench", "", [&](absl::Status s) {
      logged = std::move(s);
      done.Notify();
    });
    done.WaitForNotification();
    if (!logged.ok()) return logged;
    return store.GetStreamRecord(id).status();
  };
  for (int callers : {1, 16}) {
    for (bool with_log : {false, true}) {
      LoadResult r;
      if (with_log) {
        RunClosedLoop(callers, each, logged_read, &r);
      } else {
        RunClosedLoop(callers, each, read, &r);
      }
      if (r.failed > 0) return r.first_error;
      const std::string name = absl::StrCat(
          callers, " callers read", with_log ? " + access record" : " alone");
      report.Add(absl::StrCat(name, " reads/s"), r.rate(), "reads/s");
      report.AddLatency(absl::StrCat(name, " latency"), r.latency.Summarize());
    }
  }
  report.Note(
      "Reads: a person's stored pathway (GetStreamRecord) alone, and after "
      "its access record is durable (LogAccessAsync, one group commit with "
      "fsync), which is what GetPathway waits for before it answers.");
  return absl::OkStatus();
}

absl::Status Run(SuiteReport& report) {
  const bool quick = absl::GetFlag(FLAGS_quick);
  const absl::Duration each = quick ? absl::Seconds(2) : absl::Seconds(10);
  const absl::Duration open = quick ? absl::Seconds(3) : absl::Seconds(15);
  RP_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("engine-append"));
  std::unique_ptr<engine::Clock> clock = engine::NewSystemClock();
  RP_ASSIGN_OR_RETURN(
      PathwayStore opened,
      OpenPathwayStore(dir.path() + "/store", clock.get(), /*sync=*/true));
  std::unique_ptr<engine::EventStore>& store = opened.store;
  std::atomic<uint64_t> commits{0};
  store->AddCommitListener([&commits](uint64_t) { commits.fetch_add(1); });
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), Oslo());
  LiveWorkload workload("BENCH2", today);
  // Appends whose prepared transitions were stale when the sequencer
  // reached them (another append had moved the person on meanwhile).
  std::atomic<uint64_t> recomputed{0};
  auto append = [&](int) {
    LiveWorkload::Step step = workload.Next();
    absl::StatusOr<engine::AppendResult> result = store->Append(step.request);
    if (result.ok() && result->recomputed) recomputed.fetch_add(1);
    workload.Done(step);
    return result.status();
  };
  {
    LoadResult warm;
    RunClosedLoop(16, absl::Milliseconds(500), append, &warm);
  }
  for (int callers : kCallers) {
    const uint64_t commits_before = commits.load();
    const uint64_t position_before = store->LastPosition();
    const uint64_t recomputed_before = recomputed.load();
    LoadResult r;
    RunClosedLoop(callers, each, append, &r);
    if (r.failed > 0) return r.first_error;
    const double per_commit =
        static_cast<double>(store->LastPosition() - position_before) /
        static_cast<double>(
            std::max<uint64_t>(1, commits.load() - commits_before));
    const std::string name = absl::StrCat(callers, " callers");
    report.Add(absl::StrCat(name, " events/s"), r.rate(), "events/s");
    report.Add(absl::StrCat(name, " events per commit"), per_commit, "events");
    report.Add(absl::StrCat(name, " appends recomputed (conflicts)"),
               static_cast<double>(recomputed.load() - recomputed_before),
               "appends");
    report.AddLatency(absl::StrCat(name, " append latency"),
                      r.latency.Summarize());
    const double floor = RawFloor(callers);
    if (floor > 0) {
      const double ratio = r.rate() / floor;
      report.AddTarget(
          absl::StrCat(name, " / raw floor at batch ", callers), ratio * 100,
          "%", ">= 50 %", ratio >= 0.5,
          absl::StrFormat("raw floor %.0f puts/s at batch %d", floor, callers));
    }
  }
  const double rate = absl::GetFlag(FLAGS_rate);
  LoadResult r;
  RunOpenLoop(
      rate, open, absl::Seconds(30),
      [&](absl::AnyInvocable<void(absl::Status)> done) {
        workload.AppendNext(*store, /*keep_version=*/true, std::move(done));
      },
      &r);
  if (r.failed > 0) return r.first_error;
  const std::string name = absl::StrFormat("open loop %.0f/s", rate);
  report.Add(absl::StrCat(name, " events/s"), r.rate(), "events/s");
  report.AddLatency(absl::StrCat(name, " append latency"),
                    r.latency.Summarize());
  RP_RETURN_IF_ERROR(MeasureReads(*store, each, report));
  RP_RETURN_IF_ERROR(MeasureSealingCost(each, report));
  report.Note(
      "Ratio: engine events/s with N callers against suite 1's puts/s at batch "
      "N, i.e. the same number of items per fsync at most; 'events per commit' "
      "shows the group sizes the sequencer actually reached. An engine event "
      "writes about ten keys (event, stream index, state, index diff, timers, "
      "tasks, idempotency, chain head) where a raw put writes one.");
  report.Note(absl::StrCat("Closed loop ", absl::FormatDuration(each),
                           " per caller count; open "
                           "loop at --rate for ",
                           absl::FormatDuration(open),
                           ", latency from each call's scheduled start."));
  return store->Close();
}

}  // namespace
}  // namespace returnpath::bench

int main(int argc, char** argv) {
  return returnpath::bench::SuiteMain(
      argc, argv, 2, "Engine appends in process (full write path)",
      returnpath::bench::Run);
}
