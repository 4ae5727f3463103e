#include "server/queue_summary.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/proto_time.h"
#include "engine/status_macros.h"
#include "server/person_scope.h"

namespace returnpath::engine {
namespace {

void Count(absl::Time now, const v1::Task& task, v1::QueueCounts* counts) {
  const absl::Time due = FromTimestamp(task.due_time());
  switch (task.state()) {
    case v1::TASK_STATE_OPEN:
      counts->set_open(counts->open() + 1);
      if (!counts->has_earliest_open_due() ||
          due < FromTimestamp(counts->earliest_open_due())) {
        *counts->mutable_earliest_open_due() = task.due_time();
      }
      break;
    case v1::TASK_STATE_LEASED:
      counts->set_leased(counts->leased() + 1);
      break;
    case v1::TASK_STATE_DEAD_LETTER:
      counts->set_dead_lettered(counts->dead_lettered() + 1);
      return;
    case v1::TASK_STATE_PAUSED:
      counts->set_paused(counts->paused() + 1);
      return;
    default:
      return;
  }
  if (due < now) counts->set_overdue(counts->overdue() + 1);
}

}  // namespace

absl::StatusOr<std::map<std::string, v1::QueueCounts>> CountLiveTasks(
    TaskQueue& tasks, absl::Time now) {
  RP_ASSIGN_OR_RETURN(auto tallies, tasks.Tally(now));
  std::map<std::string, v1::QueueCounts> by_queue;
  for (const auto& [queue, tally] : tallies) {
    v1::QueueCounts& counts = by_queue[queue];
    counts.set_open(tally.open);
    counts.set_leased(tally.leased);
    counts.set_overdue(tally.overdue);
    counts.set_dead_lettered(tally.dead_lettered);
    counts.set_paused(tally.paused);
    if (tally.earliest_open_due != absl::InfiniteFuture()) {
      *counts.mutable_earliest_open_due() =
          ToTimestamp(tally.earliest_open_due);
    }
  }
  return by_queue;
}

absl::StatusOr<v1::QueueSummaryResponse> SummarizeQueues(
    const ServiceDeps& deps, TaskQueue& tasks, const Principal& principal,
    const v1::QueueSummaryRequest& request) {
  const absl::Time now = deps.clock->Now();
  ScopeFilter scope(*deps.store, principal);
  std::map<std::string, v1::QueueCounts> by_queue;
  if (!request.queue().empty()) by_queue[request.queue()];
  absl::Status error;
  RP_RETURN_IF_ERROR(
      tasks.VisitLive(request.queue(), [&](const v1::Task& task) {
        if (!error.ok() ||
            !ScopeCovers(principal, absl::StrCat("queue/", task.queue()))) {
          return;
        }
        absl::StatusOr<bool> covered = scope.Covers(task.stream_id());
        if (!covered.ok()) {
          error = covered.status();
          return;
        }
        if (*covered) Count(now, task, &by_queue[task.queue()]);
      }));
  RP_RETURN_IF_ERROR(error);
  v1::QueueSummaryResponse summary;
  for (auto& [queue, counts] : by_queue) {
    counts.set_queue(queue);
    *summary.add_queues() = std::move(counts);
  }
  return summary;
}

}  // namespace returnpath::engine
