// Suite 7: a task's round trip through a durable queue, in process, with
// sync=true. Each round registers a person, parks a long poll
// (TaskQueue::PollAsync) on the advisers' queue of the person's centre, then
// records the first rejection, whose transition opens a return-conversation
// task in that queue. Measured: from the append being durable to the leased
// task reaching the poll's callback, and the Complete call (a TaskCompleted
// event through the normal append path). Then the people's side over gRPC:
// 100 workers claiming tasks by id and completing them (tasks_grpc.h).

#include <memory>
#include <optional>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/status_macros.h"
#include "engine/task_queue.h"
#include "tools/benchmarks/common.h"
#include "tools/benchmarks/pathway_store.h"
#include "tools/benchmarks/population.h"
#include "tools/benchmarks/tasks_grpc.h"

namespace returnpath::bench {
namespace {

absl::Status Run(SuiteReport& report) {
  const int rounds = absl::GetFlag(FLAGS_quick) ? 100 : 1000;
  RP_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("tasks"));
  std::unique_ptr<engine::Clock> clock = engine::NewSystemClock();
  RP_ASSIGN_OR_RETURN(
      PathwayStore opened,
      OpenPathwayStore(dir.path() + "/store", clock.get(), /*sync=*/true));
  std::unique_ptr<engine::EventStore>& store = opened.store;
  RP_ASSIGN_OR_RETURN(std::unique_ptr<engine::TaskQueue> queue,
                      engine::TaskQueue::Create(store.get(), clock.get()));
  // Events at 10:00 Oslo of days already past: one of today would be in the
  // future, and refused, before 10:00.
  const absl::CivilDay yesterday = absl::ToCivilDay(absl::Now(), Oslo()) - 1;
  LatencySamples delivery, delivery_from_submit, complete;
  for (int round = 1; round <= rounds; ++round) {
    const Person person = MakePerson("BENCH7", round, yesterday - 1);
    RP_RETURN_IF_ERROR(
        store->Append(OneEvent(person, Ev::kRegistered, yesterday - 1))
            .status());
    absl::Notification delivered;
    absl::Time delivered_at;
    absl::StatusOr<std::optional<returnpath::v1::Task>> got;
    RP_RETURN_IF_ERROR(
        queue
            ->PollAsync(
                absl::StrCat("advisers/", person.centre), "adviser-1",
                absl::Minutes(5), absl::Seconds(30),
                [&](absl::StatusOr<std::optional<returnpath::v1::Task>> task) {
                  delivered_at = absl::Now();
                  got = std::move(task);
                  delivered.Notify();
                })
            .status());
    absl::SleepFor(absl::Milliseconds(5));  // let the poll park
    const absl::Time submitted = absl::Now();
    RP_RETURN_IF_ERROR(
        store->Append(OneEvent(person, Ev::kFirstRejection, yesterday))
            .status());
    const absl::Time durable = absl::Now();
    delivered.WaitForNotification();
    if (!got.ok()) return got.status();
    if (!got->has_value()) {
      return absl::InternalError("the long poll ended without the task");
    }
    delivery.Add(delivered_at - durable);
    delivery_from_submit.Add(delivered_at - submitted);
    engine::CompleteRequest done;
    done.task = {person.id, (*got)->id(), "adviser-1"};
    done.outcome = "held";
    const absl::Time t0 = absl::Now();
    RP_RETURN_IF_ERROR(queue->Complete(done).status());
    complete.Add(absl::Now() - t0);
  }
  report.AddLatency("open (durable) -> leased delivery", delivery.Summarize(),
                    5);
  report.AddLatency("open (submitted) -> leased delivery",
                    delivery_from_submit.Summarize());
  report.AddLatency("Complete", complete.Summarize(), 5);
  report.Note(absl::StrCat(
      rounds,
      " rounds, one at a time, one queue per centre; the poll is "
      "parked 5 ms before the append. Delivery needs the append's commit, a "
      "lease command on the sequencer and its own commit (fsync); Complete is "
      "one append with its fsync."));
  queue->Stop();
  RP_RETURN_IF_ERROR(store->Close());
  return MeasureClaimAndComplete(report, yesterday);
}

}  // namespace
}  // namespace returnpath::bench

int main(int argc, char** argv) {
  return returnpath::bench::SuiteMain(
      argc, argv, 7,
      "Tasks (parked long poll, complete; claim and complete over gRPC)",
      returnpath::bench::Run);
}
