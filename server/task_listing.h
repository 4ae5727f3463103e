#ifndef RETURNPATH_SERVER_TASK_LISTING_H_
#define RETURNPATH_SERVER_TASK_LISTING_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/task_queue.h"
#include "returnpath/v1/services.pb.h"
#include "server/service_deps.h"

namespace returnpath::engine {

// Answers a listing of the request's queue in `state` with a page of the
// tasks whose person is in the principal's scope, the page sorted by
// priority, overdue first, then earliest due (scoped_listing.h: pages
// and tokens count nothing out of scope). A task names its person, so reading
// it is reading the person: they are access-logged (as `method`) before
// anything is served: `finish` is called once that entry is durable
// (LogThenServe), never on this thread's wait. The page token is sealed for the
// caller, `method`, the queue and `state`.
void ServeTasksInScope(const ServiceDeps& deps, TaskQueue& tasks,
                       const Principal& principal, absl::string_view method,
                       const v1::ListTasksRequest& request,
                       v1::TaskState state, v1::ListTasksResponse* response,
                       Finish finish);

// Answers ListMine: the tasks the principal holds under a live lease in any
// queue (a lease owner is "<principal>" or "<principal>/<worker>", and a
// principal's name holds no '/'), of queues and persons still in its scope,
// by priority, overdue first, earliest due. Access-logged as "ListMine" before
// anything is served.
void ServeHeldTasks(const ServiceDeps& deps, TaskQueue& tasks,
                    const Principal& principal, v1::ListMineResponse* response,
                    Finish finish);

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_TASK_LISTING_H_
