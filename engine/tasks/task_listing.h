#ifndef RETURNPATH_ENGINE_TASKS_TASK_LISTING_H_
#define RETURNPATH_ENGINE_TASKS_TASK_LISTING_H_

// Engine-internal: paged listings of a queue's tasks from one snapshot,
// over the ready index, the task queue's own entries (task_keys.h) and, for
// closed tasks, a bounded scan of the `tasks` column family.

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/event_store.h"
#include "engine/task_queue.h"

namespace returnpath::engine {

absl::StatusOr<TaskPage> ListTaskPage(EventStore& store,
                                      const TaskListQuery& query);

// Tasks of every queue under a lease still live at `now` whose owner
// `holds` accepts, at most `limit`, from one snapshot of the delayed entries.
absl::StatusOr<std::vector<returnpath::v1::Task>> ListHeldTasks(
    EventStore& store, absl::Time now,
    const std::function<bool(absl::string_view lease_owner)>& holds,
    size_t limit);

// Calls `visit` once for each OPEN, LEASED, DEAD_LETTER and PAUSED task of
// `queue` (of every queue when `queue` is empty), from one snapshot. It reads
// every such task: meant for counts, not for pages.
absl::Status VisitLiveTasks(
    EventStore& store, absl::string_view queue,
    const std::function<void(const returnpath::v1::Task&)>& visit);

// See TaskQueue::Tally.
absl::StatusOr<std::map<std::string, QueueTally>> TallyLiveTasks(
    EventStore& store, absl::Time now);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_TASKS_TASK_LISTING_H_
