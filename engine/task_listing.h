#ifndef RETURNPATH_ENGINE_TASK_LISTING_H_
#define RETURNPATH_ENGINE_TASK_LISTING_H_

// Engine-internal: paged listings of a queue's tasks from one snapshot,
// over the ready index, the task queue's own entries (task_keys.h) and, for
// closed tasks, a bounded scan of the `tasks` column family.

#include "absl/status/statusor.h"
#include "engine/event_store.h"
#include "engine/task_queue.h"

namespace returnpath::engine {

absl::StatusOr<TaskPage> ListTaskPage(EventStore& store,
                                      const TaskListQuery& query);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_TASK_LISTING_H_
