#include "tools/benchmarks/tasks_grpc.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
#include "absl/time/clock.h"
#include "engine/status_macros.h"
#include "returnpath/v1/services.grpc.pb.h"
#include "tools/benchmarks/common.h"
#include "tools/benchmarks/daemon.h"

namespace returnpath::bench {
namespace {

namespace v1 = ::returnpath::v1;

constexpr int kWorkers = 100;
constexpr int kRecorders = 16;
constexpr char kQueue[] = "advisers/Oslo-1";

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

// A call's context with the bearer token and a generous deadline.
std::unique_ptr<grpc::ClientContext> Context(const std::string& bearer) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", bearer);
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  return ctx;
}

// Registers `count` persons at Oslo-1 and records each one's first
// rejection (which opens a return conversation for the advisers there),
// `kRecorders` clients at a time.
absl::Status OpenTasks(int port, const std::string& bearer, int count,
                       absl::CivilDay day) {
  std::atomic<int> next{0};
  std::vector<absl::Status> errors(kRecorders);
  std::vector<std::thread> threads;
  for (int r = 0; r < kRecorders; ++r) {
    threads.emplace_back([&, r] {
      auto stub = v1::PathwayService::NewStub(OwnChannel(port));
      for (int i = next++; i < count && errors[r].ok(); i = next++) {
        Person person = MakePerson("BENCH7G", i + 1, day - 1);
        person.centre = "Oslo-1";
        person.region = v1::REGION_OSLO;
        for (const auto& [ev, on] : {std::pair{Ev::kRegistered, day - 1},
                                     std::pair{Ev::kFirstRejection, day}}) {
          v1::RecordEventResponse response;
          errors[r] = FromGrpc(stub->RecordEvent(
              Context(bearer).get(), ToRecordEvent(OneEvent(person, ev, on)),
              &response));
          if (!errors[r].ok()) break;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& e : errors) RP_RETURN_IF_ERROR(e);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Task>> OpenTasksOfQueue(
    int port, const std::string& bearer) {
  auto stub = v1::TaskService::NewStub(OwnChannel(port));
  std::vector<v1::Task> tasks;
  v1::ListTasksRequest request;
  request.set_queue(kQueue);
  request.set_state(v1::TASK_STATE_OPEN);
  request.set_page_size(1000);
  do {
    v1::ListTasksResponse page;
    RP_RETURN_IF_ERROR(
        FromGrpc(stub->ListTasks(Context(bearer).get(), request, &page)));
    for (v1::Task& t : *page.mutable_tasks()) tasks.push_back(std::move(t));
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return tasks;
}

}  // namespace

engine::AppendRequest OneEvent(const Person& person, Ev ev,
                               absl::CivilDay day) {
  engine::AppendRequest r;
  r.stream_id = person.id;
  r.principal = "bench";
  r.events.push_back({At(day, 10), Payload(ev, person)});
  return r;
}

absl::Status MeasureClaimAndComplete(SuiteReport& report, absl::CivilDay day) {
  const int per_worker = absl::GetFlag(FLAGS_quick) ? 5 : 20;
  RP_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("tasks-grpc"));
  RP_ASSIGN_OR_RETURN(Daemon daemon, StartDaemon(dir.path() + "/data", {},
                                                 absl::GetFlag(FLAGS_log_dir) +
                                                     "/returnpathd-7.log",
                                                 absl::Seconds(60)));
  RP_ASSIGN_OR_RETURN(std::string reception,
                      DevToken(daemon.data_dir, "reception"));
  RP_ASSIGN_OR_RETURN(std::string adviser,
                      DevToken(daemon.data_dir, "adviser"));
  const std::string adviser_bearer = absl::StrCat("Bearer ", adviser);
  RP_RETURN_IF_ERROR(OpenTasks(daemon.port, absl::StrCat("Bearer ", reception),
                               kWorkers * per_worker, day));
  RP_ASSIGN_OR_RETURN(std::vector<v1::Task> tasks,
                      OpenTasksOfQueue(daemon.port, adviser_bearer));
  if (tasks.size() != static_cast<size_t>(kWorkers * per_worker)) {
    return absl::InternalError(absl::StrCat("expected ", kWorkers * per_worker,
                                            " open tasks, found ",
                                            tasks.size()));
  }

  LatencySamples claim, complete, both;
  std::vector<absl::Status> errors(kWorkers);
  absl::Barrier* start = new absl::Barrier(kWorkers + 1);
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      auto stub = v1::TaskService::NewStub(OwnChannel(daemon.port));
      const std::string worker = absl::StrCat("w", w);
      if (start->Block()) delete start;
      for (size_t i = w; i < tasks.size() && errors[w].ok(); i += kWorkers) {
        v1::ClaimTaskRequest request;
        request.mutable_task()->set_person_id(tasks[i].stream_id());
        request.mutable_task()->set_task_id(tasks[i].id());
        request.mutable_task()->set_worker(worker);
        v1::CompleteTaskRequest done;
        *done.mutable_task() = request.task();
        done.set_outcome("held");
        v1::Task claimed;
        v1::CompleteTaskResponse completed;
        const absl::Time t0 = absl::Now();
        errors[w] = FromGrpc(
            stub->Claim(Context(adviser_bearer).get(), request, &claimed));
        const absl::Time t1 = absl::Now();
        if (errors[w].ok()) {
          errors[w] = FromGrpc(
              stub->Complete(Context(adviser_bearer).get(), done, &completed));
        }
        const absl::Time t2 = absl::Now();
        claim.Add(t1 - t0);
        complete.Add(t2 - t1);
        both.Add(t2 - t0);
      }
    });
  }
  const absl::Time began = absl::Now();
  if (start->Block()) delete start;
  for (std::thread& t : workers) t.join();
  const absl::Duration took = absl::Now() - began;
  for (const absl::Status& e : errors) RP_RETURN_IF_ERROR(e);

  report.AddLatency("100 workers gRPC Claim", claim.Summarize());
  report.AddLatency("100 workers gRPC Complete", complete.Summarize());
  report.AddLatency("100 workers gRPC Claim + Complete", both.Summarize());
  report.Add("100 workers tasks claimed and completed/s",
             static_cast<double>(tasks.size()) / absl::ToDoubleSeconds(took),
             "tasks/s");
  report.Note(absl::StrCat(
      "gRPC: returnpathd with its defaults (system clock, sync=true); ",
      kWorkers, " workers in this process, each on its own connection, each ",
      "claiming ", per_worker, " return conversations by id from ", kQueue,
      " and completing them, one after the other. Claim and Complete are one "
      "fsync'd write each."));
  const int exit_status = daemon.process.Stop(absl::Seconds(20));
  if (exit_status != 0) {
    report.Note(
        absl::StrCat("returnpathd exit status ", exit_status, " at SIGTERM"));
  }
  return absl::OkStatus();
}

}  // namespace returnpath::bench
