// Suite 3: end to end over gRPC on loopback. Starts the real returnpathd on a
// fresh data directory (system clock, sync=true), reads the national
// principals' tokens, and records pathway events, each as the role that
// records its kind, with RecordEvent (domain
// payloads packed as Any): 64 closed-loop clients, each on its own
// connection, for throughput; then an open loop at --rate for latency; then
// GetPathway of the persons recorded, each answer after its access record.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "engine/status_macros.h"
#include "returnpath/v1/services.grpc.pb.h"
#include "tools/benchmarks/common.h"
#include "tools/benchmarks/daemon.h"
#include "tools/benchmarks/load.h"
#include "tools/benchmarks/population.h"

namespace returnpath::bench {
namespace {

namespace v1 = ::returnpath::v1;

constexpr int kClients = 64;
constexpr int kOpenLoopChannels = 8;

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

// GetPathway from 1 and 16 clients (closed loop) as the national reception:
// each answer waits for its durable access record (suite 2 compares the same
// read with and without it, in process).
absl::Status MeasureGetPathway(
    const Daemon& daemon,
    const std::vector<std::unique_ptr<v1::PathwayService::Stub>>& stubs,
    const std::vector<std::string>& persons, absl::Duration each,
    SuiteReport& report) {
  if (persons.empty()) return absl::InternalError("no person was recorded");
  RP_ASSIGN_OR_RETURN(const std::string token,
                      DevToken(daemon.data_dir, "reception"));
  std::atomic<uint64_t> next{0};
  auto get = [&](int client) {
    v1::GetPathwayRequest request;
    request.set_person_id(persons[next.fetch_add(1) % persons.size()]);
    v1::PathwayView view;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    return FromGrpc(stubs[client]->GetPathway(&ctx, request, &view));
  };
  for (int clients : {1, 16}) {
    LoadResult r;
    RunClosedLoop(clients, each, get, &r);
    if (r.failed > 0) return r.first_error;
    const std::string name = absl::StrCat(clients, " clients GetPathway");
    report.Add(absl::StrCat(name, " reads/s"), r.rate(), "reads/s");
    report.AddLatency(absl::StrCat(name, " latency"), r.latency.Summarize());
  }
  return absl::OkStatus();
}

absl::Status Run(SuiteReport& report) {
  const bool quick = absl::GetFlag(FLAGS_quick);
  const absl::Duration closed = quick ? absl::Seconds(3) : absl::Seconds(15);
  const absl::Duration open = quick ? absl::Seconds(3) : absl::Seconds(15);
  const double rate = absl::GetFlag(FLAGS_rate);
  RP_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("grpc-record"));
  RP_ASSIGN_OR_RETURN(Daemon daemon, StartDaemon(dir.path() + "/data", {},
                                                 absl::GetFlag(FLAGS_log_dir) +
                                                     "/returnpathd-3.log",
                                                 absl::Seconds(60)));
  RP_ASSIGN_OR_RETURN(RecordingBearers bearers,
                      RecordingBearers::Load(daemon.data_dir));
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), Oslo());
  LiveWorkload workload("BENCH3", today);

  std::vector<std::unique_ptr<v1::PathwayService::Stub>> stubs;
  for (int c = 0; c < kClients; ++c) {
    stubs.push_back(v1::PathwayService::NewStub(OwnChannel(daemon.port)));
  }
  absl::Mutex recorded_mu;
  std::vector<std::string> recorded;  // persons, for the reads below
  auto record = [&](int client) {
    LiveWorkload::Step step = workload.Next();
    if (step.index == 0) {
      absl::MutexLock lock(&recorded_mu);
      recorded.push_back(step.request.stream_id);
    }
    v1::RecordEventRequest request = ToRecordEvent(step.request);
    v1::RecordEventResponse response;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", bearers.For(request.event()));
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    grpc::Status s = stubs[client]->RecordEvent(&ctx, request, &response);
    workload.Done(step);
    return FromGrpc(s);
  };
  {
    LoadResult warm;
    RunClosedLoop(kClients, absl::Seconds(1), record, &warm);
    if (warm.failed > 0) return warm.first_error;
  }
  LoadResult c;
  RunClosedLoop(kClients, closed, record, &c);
  if (c.failed > 0) return c.first_error;
  report.Add("64 clients events/s", c.rate(), "events/s");
  report.AddLatency("64 clients RecordEvent latency", c.latency.Summarize());

  // Open loop: the callback API, so a late answer never delays a send.
  struct Call {
    grpc::ClientContext ctx;
    v1::RecordEventRequest request;
    v1::RecordEventResponse response;
    LiveWorkload::Step step;
  };
  std::atomic<uint64_t> n{0};
  LoadResult o;
  RunOpenLoop(
      rate, open, absl::Seconds(30),
      [&](absl::AnyInvocable<void(absl::Status)> done) {
        auto call = std::make_shared<Call>();
        call->step = workload.Next();
        call->request = ToRecordEvent(call->step.request);
        call->ctx.AddMetadata("authorization",
                              bearers.For(call->request.event()));
        call->ctx.set_deadline(
            absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
        auto* stub = stubs[n.fetch_add(1) % kOpenLoopChannels].get();
        stub->async()->RecordEvent(&call->ctx, &call->request, &call->response,
                                   [&workload, call,
                                    done = std::make_shared<decltype(done)>(
                                        std::move(done))](grpc::Status s) {
                                     workload.Done(call->step);
                                     (*done)(FromGrpc(s));
                                   });
      },
      &o);
  if (o.failed > 0) return o.first_error;
  const std::string name = absl::StrFormat("open loop %.0f/s", rate);
  report.Add(absl::StrCat(name, " events/s"), o.rate(), "events/s");
  report.AddLatency(absl::StrCat(name, " RecordEvent latency"),
                    o.latency.Summarize());
  RP_RETURN_IF_ERROR(
      MeasureGetPathway(daemon, stubs, recorded, closed, report));
  report.Note(absl::StrCat(
      "returnpathd with its defaults (system clock, sync=true, 8 RPC "
      "threads) on a fresh data directory; clients in this process share the "
      "2 cores with it. Closed loop ",
      absl::FormatDuration(closed), " after a 1 s warm-up; open loop ",
      absl::FormatDuration(open), " over ", kOpenLoopChannels,
      " connections, latency from each call's "
      "scheduled start."));
  const int exit_status = daemon.process.Stop(absl::Seconds(20));
  if (exit_status != 0) {
    report.Note(
        absl::StrCat("returnpathd exit status ", exit_status, " at SIGTERM"));
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace returnpath::bench

int main(int argc, char** argv) {
  return returnpath::bench::SuiteMain(
      argc, argv, 3, "End to end over gRPC (returnpathd, 64 clients)",
      returnpath::bench::Run);
}
