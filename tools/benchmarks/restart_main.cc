// Suite 8: restart. Starts returnpathd on a hard-linked copy of the
// generated data set (20 million events) exactly as the engine closed it
// after recording them, and times, from just before fork, until the port
// file is written and until grpc.health.v1 answers SERVING. Three starts:
// the first (RocksDB replays the write-ahead log the engine left), a restart
// after a clean stop, and a restart after 2,000 events recorded over gRPC.
// A fourth start follows a crash: the third daemon is killed (SIGKILL) while
// 16 callers write, and the restart replays the log it left. The daemon runs
// with --clock=manual at the data set's own "now", so no timer falls due
// during the measurement.

#include <signal.h>

#include <atomic>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "engine/status_macros.h"
#include "returnpath/v1/services.grpc.pb.h"
#include "tools/benchmarks/common.h"
#include "tools/benchmarks/daemon.h"
#include "tools/benchmarks/dataset.h"
#include "tools/benchmarks/population.h"

namespace returnpath::bench {
namespace {

namespace v1 = ::returnpath::v1;

constexpr int kWrites = 2000;
// The crash run: callers writing at once, and how long they write before
// the daemon is killed (long enough for the write-ahead log to reach its cap
// if the writes can fill it).
constexpr int kCrashWriters = 16;
constexpr absl::Duration kCrashAfter = absl::Seconds(20);

struct Start {
  double port_file_s = 0;
  double serving_s = 0;
  double stop_s = 0;
  int64_t written = 0;  // events answered before the stop
};

enum class Before { kNothing, kWrites, kCrashUnderWrites };

// Records events over gRPC from `writers` callers until `count` are answered
// or `stop` is set. A call that fails ends its caller; the first failure is
// returned unless `stop` was set (a killed daemon fails every call).
absl::StatusOr<int64_t> WriteEvents(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& data_dir,
    const std::string& clock_start, int writers, int64_t count,
    const std::atomic<bool>& stop) {
  RP_ASSIGN_OR_RETURN(RecordingBearers bearers,
                      RecordingBearers::Load(data_dir));
  absl::Time now;
  std::string error;
  absl::ParseTime(absl::RFC3339_full, clock_start, &now, &error);
  LiveWorkload workload("BENCH8", absl::ToCivilDay(now, Oslo()));
  std::atomic<int64_t> written{0};
  absl::Mutex mu;
  absl::Status first_error;
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      auto stub = v1::PathwayService::NewStub(channel);
      while (!stop.load() && written.load() < count) {
        LiveWorkload::Step step = workload.Next();
        v1::RecordEventResponse response;
        grpc::ClientContext ctx;
        const v1::RecordEventRequest request = ToRecordEvent(step.request);
        ctx.AddMetadata("authorization", bearers.For(request.event()));
        grpc::Status s = stub->RecordEvent(&ctx, request, &response);
        if (!s.ok()) {
          absl::MutexLock lock(&mu);
          if (first_error.ok() && !stop.load()) {
            first_error = absl::InternalError(s.error_message());
          }
          return;
        }
        workload.Done(step);
        ++written;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  RP_RETURN_IF_ERROR(first_error);
  return written.load();
}

absl::StatusOr<Start> StartAndStop(const std::string& data_dir,
                                   const std::string& clock_start,
                                   Before before) {
  RP_ASSIGN_OR_RETURN(
      Daemon daemon,
      StartDaemon(
          data_dir,
          {"--clock=manual", absl::StrCat("--clock_start=", clock_start)},
          absl::GetFlag(FLAGS_log_dir) + "/returnpathd-8.log",
          absl::Minutes(5)));
  Start out;
  out.port_file_s = absl::ToDoubleSeconds(daemon.port_written - daemon.spawned);
  std::shared_ptr<grpc::Channel> channel = OwnChannel(daemon.port);
  if (!WaitForServing(channel, absl::Seconds(60))) {
    return absl::UnavailableError("returnpathd never answered SERVING");
  }
  out.serving_s = absl::ToDoubleSeconds(absl::Now() - daemon.spawned);
  std::atomic<bool> stop{false};
  if (before == Before::kWrites) {
    RP_ASSIGN_OR_RETURN(out.written, WriteEvents(channel, data_dir, clock_start,
                                                 1, kWrites, stop));
  }
  if (before == Before::kCrashUnderWrites) {
    absl::StatusOr<int64_t> written;
    std::thread writers([&] {
      written = WriteEvents(channel, data_dir, clock_start, kCrashWriters,
                            std::numeric_limits<int64_t>::max(), stop);
    });
    absl::SleepFor(kCrashAfter);
    // Calls in flight now fail when the daemon dies; none start after.
    stop = true;
    const absl::Time killing = absl::Now();
    daemon.process.Signal(SIGKILL, absl::Seconds(10));
    out.stop_s = absl::ToDoubleSeconds(absl::Now() - killing);
    writers.join();
    RP_RETURN_IF_ERROR(written.status());
    out.written = *written;
    return out;
  }
  const absl::Time stopping = absl::Now();
  const int status = daemon.process.Stop(absl::Seconds(60));
  out.stop_s = absl::ToDoubleSeconds(absl::Now() - stopping);
  if (status != 0) {
    return absl::InternalError(
        absl::StrCat("returnpathd exited with status ", status));
  }
  return out;
}

absl::Status Run(SuiteReport& report) {
  const DatasetSpec spec = StandardDataset(absl::GetFlag(FLAGS_quick));
  RP_ASSIGN_OR_RETURN(Dataset dataset, LoadDataset(spec));
  if (std::string note = CodeVersionNote(dataset); !note.empty()) {
    report.Note(note);
  }
  RP_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("restart"));
  const std::string data_dir = dir.path() + "/data";
  RP_RETURN_IF_ERROR(
      LinkCopyStore(DatasetAsLeftStore(spec), data_dir + "/store"));
  report.Add("stored events", static_cast<double>(dataset.events()), "events",
             absl::StrCat("data set ", spec.name, ", ",
                          dataset.disk_bytes() / (1 << 20), " MiB on disk"));
  report.Add("write-ahead log left by the engine",
             static_cast<double>(WalBytes(data_dir + "/store")) / (1 << 20),
             "MiB", "replayed by the first start");
  struct RunSpec {
    const char* name;
    Before before;  // what this daemon does before it is stopped
    bool after_crash;
  };
  const RunSpec kRuns[] = {
      {"first start (replays the log the engine left)", Before::kNothing,
       false},
      {"restart after a clean stop", Before::kWrites, false},
      {"restart after 2,000 writes", Before::kCrashUnderWrites, false},
      {"restart after a crash under writes", Before::kNothing, true},
  };
  for (const RunSpec& run : kRuns) {
    if (run.after_crash) {
      report.Add("write-ahead log left by the crash",
                 static_cast<double>(WalBytes(data_dir + "/store")) / (1 << 20),
                 "MiB", "replayed by the restart after the crash");
    }
    RP_ASSIGN_OR_RETURN(Start s,
                        StartAndStop(data_dir, dataset.now(), run.before));
    report.Add(absl::StrCat(run.name, ": port file written"), s.port_file_s,
               "s");
    report.AddTarget(absl::StrCat(run.name, ": health SERVING"), s.serving_s,
                     "s", "<= 2 s", s.serving_s <= 2);
    if (run.before == Before::kCrashUnderWrites) {
      report.Add(
          "events answered before the crash", static_cast<double>(s.written),
          "events",
          absl::StrCat(kCrashWriters, " callers over gRPC for ",
                       absl::FormatDuration(kCrashAfter), ", then SIGKILL"));
    } else {
      report.Add(absl::StrCat(run.name, ": clean stop took"), s.stop_s, "s");
    }
  }
  report.Note(
      "Times run from just before fork to the port file (written once the "
      "gRPC server listens) and to the first SERVING health answer. Caches "
      "are not dropped (other work shares the machine), so the page cache "
      "may hold part of the store. The first start also creates the "
      "development principals. 'restart after 2,000 writes' follows the "
      "second run, which recorded 2,000 events over gRPC before SIGTERM; "
      "that third daemon is then killed (SIGKILL) while callers write, and "
      "'restart after a crash under writes' replays what it left.");
  return absl::OkStatus();
}

}  // namespace
}  // namespace returnpath::bench

int main(int argc, char** argv) {
  return returnpath::bench::SuiteMain(
      argc, argv, 8, "Restart (the data set stored)", returnpath::bench::Run);
}
