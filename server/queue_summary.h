#ifndef RETURNPATH_SERVER_QUEUE_SUMMARY_H_
#define RETURNPATH_SERVER_QUEUE_SUMMARY_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
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

// The same counts over every live task of every queue, for an operator's
// metrics (no principal, no scope).
absl::StatusOr<std::map<std::string, v1::QueueCounts>> CountLiveTasks(
    TaskQueue& tasks, absl::Time now);

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_QUEUE_SUMMARY_H_
