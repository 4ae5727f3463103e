#include "server/task_listing.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "server/page_token.h"
#include "server/person_scope.h"
#include "server/scoped_listing.h"

namespace returnpath::engine {
namespace {

// The store's page of `query` that `token` names.
absl::StatusOr<StorePage<v1::Task>> ReadTaskPage(TaskQueue& tasks,
                                                 TaskListQuery query,
                                                 const std::string& token) {
  query.page_token = token;
  RP_ASSIGN_OR_RETURN(TaskPage page, tasks.List(query));
  return StorePage<v1::Task>{std::move(page.tasks),
                             std::move(page.resume_tokens),
                             std::move(page.next_page_token)};
}

// The page of tasks in scope, not yet served.
absl::StatusOr<v1::ListTasksResponse> ListTasksInScope(
    const ServiceDeps& deps, TaskQueue& tasks, const Principal& principal,
    absl::string_view method, const v1::ListTasksRequest& request,
    v1::TaskState state) {
  RP_ASSIGN_OR_RETURN(const size_t page_size,
                      RequestedPageSize(request.page_size()));
  const std::string binding =
      PageTokenBinding({method, principal.name, request.queue(),
                        absl::StrCat(static_cast<int>(state))});
  const PageTokens& tokens = PageTokens::ForProcess();
  RP_ASSIGN_OR_RETURN(std::string token,
                      tokens.Open(request.page_token(), binding));
  const TaskListQuery query{request.queue(), state,
                            static_cast<int>(kScanPageSize), ""};
  ScopeFilter scope(*deps.store, principal);
  RP_ASSIGN_OR_RETURN(
      ScopedPage<v1::Task> page,
      CollectInScope<v1::Task>(
          page_size, std::move(token),
          [&](const std::string& at) { return ReadTaskPage(tasks, query, at); },
          [&](const v1::Task& task) {
            return scope.Covers(task.stream_id());
          }));
  v1::ListTasksResponse listed;
  for (v1::Task& task : page.entries) *listed.add_tasks() = std::move(task);
  listed.set_next_page_token(tokens.Seal(page.next_page_token, binding));
  return listed;
}

}  // namespace

void ServeTasksInScope(const ServiceDeps& deps, TaskQueue& tasks,
                       const Principal& principal, absl::string_view method,
                       const v1::ListTasksRequest& request,
                       v1::TaskState state, v1::ListTasksResponse* response,
                       Finish finish) {
  absl::StatusOr<v1::ListTasksResponse> listed =
      ListTasksInScope(deps, tasks, principal, method, request, state);
  if (!listed.ok()) return finish(listed.status());
  std::vector<std::string> persons = PersonsNamedIn(listed->tasks());
  LogThenServe(
      deps, principal, method, std::move(persons),
      [response, listed = *std::move(listed)]() mutable {
        *response = std::move(listed);
        return absl::OkStatus();
      },
      std::move(finish));
}

}  // namespace returnpath::engine
