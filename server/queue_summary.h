#ifndef RETURNPATH_SERVER_QUEUE_SUMMARY_H_
#define RETURNPATH_SERVER_QUEUE_SUMMARY_H_

#include "absl/status/statusor.h"
#include "engine/task_queue.h"
#include "returnpath/v1/services.pb.h"
#include "server/service_deps.h"

namespace returnpath::engine {

// QueueSummary's answer, once the caller's role and queue are checked: per
// queue (the requested one, or each queue with tasks that the principal's
// scopes name), the counts over tasks whose person is in scope, as ListTasks
// would show them. Overdue: open or leased, due before the clock's now.
absl::StatusOr<v1::QueueSummaryResponse> SummarizeQueues(
    const ServiceDeps& deps, TaskQueue& tasks, const Principal& principal,
    const v1::QueueSummaryRequest& request);

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_QUEUE_SUMMARY_H_
