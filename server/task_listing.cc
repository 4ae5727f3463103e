#include "server/task_listing.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/proto_time.h"
#include "engine/status_macros.h"
#include "server/page_token.h"
#include "server/person_scope.h"
#include "server/scoped_listing.h"

namespace returnpath::engine {
namespace {

// How people read a task list: by priority (lower first), overdue before not
// overdue, then earliest due. Earliest due first already puts the overdue
// ones first within a priority, so the key needs no overdue flag.
void SortForPeople(std::vector<v1::Task>* tasks) {
  auto key = [](const v1::Task& t) {
    return std::make_tuple(t.priority(), FromTimestamp(t.due_time()),
                           t.stream_id(), t.id());
  };
  std::sort(
      tasks->begin(), tasks->end(),
      [&](const v1::Task& a, const v1::Task& b) { return key(a) < key(b); });
}

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
  SortForPeople(&page.entries);
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

namespace {

// More tasks than one person works at once; ListMine answers no pages.
constexpr size_t kMaxHeld = 1000;

bool HeldBy(const Principal& principal, absl::string_view owner) {
  return absl::ConsumePrefix(&owner, principal.name) &&
         (owner.empty() || owner.front() == '/');
}

absl::StatusOr<v1::ListMineResponse> ListHeldInScope(
    const ServiceDeps& deps, TaskQueue& tasks, const Principal& principal) {
  RP_ASSIGN_OR_RETURN(
      std::vector<v1::Task> held,
      tasks.ListHeld(
          [&](absl::string_view owner) { return HeldBy(principal, owner); },
          kMaxHeld));
  ScopeFilter scope(*deps.store, principal);
  std::vector<v1::Task> visible;
  for (v1::Task& task : held) {
    if (!ScopeCovers(principal, absl::StrCat("queue/", task.queue()))) continue;
    RP_ASSIGN_OR_RETURN(bool covered, scope.Covers(task.stream_id()));
    if (covered) visible.push_back(std::move(task));
  }
  const absl::Time now = deps.clock->Now();
  SortForPeople(&visible);
  v1::ListMineResponse listed;
  for (v1::Task& task : visible) {
    if (FromTimestamp(task.due_time()) < now) {
      listed.set_overdue(listed.overdue() + 1);
    }
    *listed.add_tasks() = std::move(task);
  }
  return listed;
}

}  // namespace

void ServeHeldTasks(const ServiceDeps& deps, TaskQueue& tasks,
                    const Principal& principal, v1::ListMineResponse* response,
                    Finish finish) {
  absl::StatusOr<v1::ListMineResponse> listed =
      ListHeldInScope(deps, tasks, principal);
  if (!listed.ok()) return finish(listed.status());
  std::vector<std::string> persons = PersonsNamedIn(listed->tasks());
  LogThenServe(
      deps, principal, "ListMine", std::move(persons),
      [response, listed = *std::move(listed)]() mutable {
        *response = std::move(listed);
        return absl::OkStatus();
      },
      std::move(finish));
}

}  // namespace returnpath::engine
