// Suite 8: restart. Starts returnpathd on a hard-linked copy of the
// generated data set (20 million events) exactly as the engine closed it
// after recording them, and times, from just before fork, until the port
// file is written and until grpc.health.v1 answers SERVING. Three starts:
// the first (RocksDB replays the write-ahead log the engine left), a restart
// after a clean stop, and a restart after 2,000 events recorded over gRPC.
// The daemon runs with --clock=manual at the data set's own "now", so no
// timer falls due during the measurement.

#include <memory>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
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

struct Start {
  double port_file_s = 0;
  double serving_s = 0;
  double stop_s = 0;
};

absl::StatusOr<Start> StartAndStop(const std::string& data_dir,
                                   const std::string& clock_start,
                                   bool write_first) {
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
  if (write_first) {
    RP_ASSIGN_OR_RETURN(RecordingBearers bearers,
                        RecordingBearers::Load(data_dir));
    auto stub = v1::PathwayService::NewStub(channel);
    absl::Time now;
    std::string error;
    absl::ParseTime(absl::RFC3339_full, clock_start, &now, &error);
    LiveWorkload workload("BENCH8", absl::ToCivilDay(now, Oslo()));
    for (int i = 0; i < kWrites; ++i) {
      LiveWorkload::Step step = workload.Next();
      v1::RecordEventResponse response;
      grpc::ClientContext ctx;
      const v1::RecordEventRequest request = ToRecordEvent(step.request);
      ctx.AddMetadata("authorization", bearers.For(request.event()));
      grpc::Status s = stub->RecordEvent(&ctx, request, &response);
      if (!s.ok()) return absl::InternalError(s.error_message());
      workload.Done(step);
    }
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
  const char* kRuns[] = {"first start (replays the log the engine left)",
                         "restart after a clean stop",
                         "restart after 2,000 writes"};
  for (int run = 0; run < 3; ++run) {
    RP_ASSIGN_OR_RETURN(Start s,
                        StartAndStop(data_dir, dataset.now(), run == 1));
    report.Add(absl::StrCat(kRuns[run], ": port file written"), s.port_file_s,
               "s");
    report.AddTarget(absl::StrCat(kRuns[run], ": health SERVING"), s.serving_s,
                     "s", "<= 2 s", s.serving_s <= 2);
    report.Add(absl::StrCat(kRuns[run], ": clean stop took"), s.stop_s, "s");
  }
  report.Note(
      "Times run from just before fork to the port file (written once the "
      "gRPC server listens) and to the first SERVING health answer. Caches "
      "are not dropped (other work shares the machine), so the page cache "
      "may hold part of the store. The first start also creates the "
      "development principals. 'restart after 2,000 writes' follows the "
      "second run, which recorded 2,000 events over gRPC before SIGTERM.");
  return absl::OkStatus();
}

}  // namespace
}  // namespace returnpath::bench

int main(int argc, char** argv) {
  return returnpath::bench::SuiteMain(
      argc, argv, 8, "Restart (the data set stored)", returnpath::bench::Run);
}
