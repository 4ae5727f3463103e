#ifndef RETURNPATH_ENGINE_SERVER_TASK_LISTING_H_
#define RETURNPATH_ENGINE_SERVER_TASK_LISTING_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/server/service_deps.h"
#include "engine/task_queue.h"
#include "returnpath/v1/services.pb.h"

namespace returnpath::engine {

// Answers a task listing with the page's tasks whose person is in the
// principal's scope. A task names its person, so reading it is reading the
// person: they are access-logged (as `method`) before anything is served.
// `page.next_page_token` must already be sealed for the caller.
absl::Status ServeTasksInScope(const ServiceDeps& deps,
                               const Principal& principal,
                               absl::string_view method, TaskPage& page,
                               v1::ListTasksResponse* response);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_SERVER_TASK_LISTING_H_
