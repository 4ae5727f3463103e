#include "engine/server/task_listing.h"

#include <string>
#include <vector>

#include "engine/server/person_scope.h"
#include "engine/status_macros.h"

namespace returnpath::engine {

absl::Status ServeTasksInScope(const ServiceDeps& deps,
                               const Principal& principal,
                               absl::string_view method, TaskPage& page,
                               v1::ListTasksResponse* response) {
  ScopeFilter scope(*deps.store, principal);
  v1::ListTasksResponse listed;
  std::vector<std::string> read;
  for (v1::Task& task : page.tasks) {
    RP_ASSIGN_OR_RETURN(bool covered, scope.Covers(task.stream_id()));
    if (!covered) continue;
    if (read.empty() || read.back() != task.stream_id())
      read.push_back(task.stream_id());
    *listed.add_tasks() = std::move(task);
  }
  listed.set_next_page_token(std::move(page.next_page_token));
  RP_RETURN_IF_ERROR(deps.access_log->Record(principal, method, read));
  *response = std::move(listed);
  return absl::OkStatus();
}

}  // namespace returnpath::engine
