// tasks ...: poll, subscribe, claim, complete, fail, release, extend,
// handover, mine, list, dead letters and requeue, for advisers, reception
// staff and police liaison.

#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"
#include "clients/lib/enum_text.h"
#include "clients/lib/time_text.h"
#include "clients/returnctl/commands.h"
#include "clients/returnctl/output.h"
#include "clients/returnctl/pathway_text.h"
#include "clients/returnctl/session.h"

namespace returnpath::returnctl {
namespace {

const Option kPerson = {"person", "ID", "the person the task is about", true};
const Option kTask = {"task", "ID", "the task id (see tasks list / show)",
                      true};
const Option kWorker = {"worker", "NAME",
                        "who holds the lease (default $USER@host)"};

std::string Worker(const Args& args) {
  return args.Get("worker", Session::DefaultWorker());
}

v1::TaskRef Ref(const Args& args) {
  v1::TaskRef ref;
  ref.set_person_id(args.Get("person"));
  ref.set_task_id(args.Get("task"));
  ref.set_worker(Worker(args));
  return ref;
}

void PrintTask(const v1::Task& task, std::ostream& out) {
  out << "task " << task.id() << " for " << task.stream_id() << " in "
      << task.queue() << "\n"
      << "  " << task.title() << "\n"
      << "  kind " << task.kind() << ", due " << TaskDueText(task)
      << ", priority " << task.priority() << ", "
      << client::EnumText(v1::TaskState_descriptor(), "TASK_STATE_",
                          task.state());
  if (!task.lease_owner().empty()) {
    out << " by " << task.lease_owner() << " until "
        << client::TimeText(task.lease_expires());
  }
  out << "\n";
  if (!task.rule().empty()) {
    out << "  rule " << task.rule() << " (policy " << task.policy_version()
        << ")";
    if (task.caused_by_positions_size() > 0) {
      out << ", caused by position";
      for (uint64_t p : task.caused_by_positions()) out << " " << p;
    }
    out << "\n";
  }
  // Why an open task changed since it opened (re-ranked, a new due date).
  for (const v1::TaskChange& change : task.changes()) {
    out << "  changed by position " << change.position() << " ("
        << client::TimeText(change.time()) << "): " << change.what() << "\n";
  }
  if (task.attempts() > 0) out << "  attempts " << task.attempts() << "\n";
  if (!task.last_error().empty())
    out << "  last error: " << task.last_error() << "\n";
  if (!task.outcome().empty()) out << "  outcome: " << task.outcome() << "\n";
  for (const v1::TaskHandling& h : task.handling()) {
    out << "  " << client::TimeText(h.at()) << " " << h.action() << " by "
        << h.by();
    if (!h.to().empty()) out << " to " << h.to();
    if (!h.reason().empty()) out << ": " << h.reason();
    out << "\n";
  }
}

int PrintOne(absl::StatusOr<v1::Task> task, Session& s,
             absl::string_view done) {
  if (!task.ok()) return s.Fail(task.status());
  if (s.json()) return s.Json(*task);
  s.out() << done << ": ";
  PrintTask(*task, s.out());
  return kExitOk;
}

int RunPoll(const Args& args, Session& s) {
  int exit = kExitOk;
  v1::PollTasksRequest request;
  request.set_queue(args.Get("queue"));
  request.set_worker(Worker(args));
  std::optional<absl::Duration> wait = s.DurationOption(args, "wait", &exit);
  if (exit != kExitOk) return exit;
  std::optional<absl::Duration> lease = s.DurationOption(args, "lease", &exit);
  if (exit != kExitOk) return exit;
  if (wait.has_value())
    *request.mutable_wait() = client::ToDurationProto(*wait);
  if (lease.has_value())
    *request.mutable_lease() = client::ToDurationProto(*lease);
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::StatusOr<v1::PollTasksResponse> response = client->Poll(request);
  if (!response.ok()) return s.Fail(response.status());
  if (s.json()) return s.Json(*response);
  if (!response->has_task()) {
    s.out() << "no task in " << request.queue()
            << (wait.has_value()
                    ? absl::StrCat(" within ", client::DurationText(*wait))
                    : "")
            << "\n";
    return kExitOk;
  }
  s.out() << "leased to " << request.worker() << ": ";
  PrintTask(response->task(), s.out());
  return kExitOk;
}

int RunSubscribe(const Args& args, Session& s) {
  int exit = kExitOk;
  v1::SubscribeTasksRequest request;
  request.set_queue(args.Get("queue"));
  request.set_worker(Worker(args));
  std::optional<absl::Duration> lease = s.DurationOption(args, "lease", &exit);
  if (exit != kExitOk) return exit;
  std::optional<uint64_t> count = s.NumberOption(args, "count", &exit);
  if (exit != kExitOk) return exit;
  if (lease.has_value())
    *request.mutable_lease() = client::ToDurationProto(*lease);
  if (count.has_value()) {
    if (*count == 0 || *count > std::numeric_limits<uint32_t>::max()) {
      return s.Usage(absl::StrCat("--count must be between 1 and ",
                                  std::numeric_limits<uint32_t>::max()));
    }
    // The daemon ends the stream after N: it leases no task beyond them.
    request.set_max_tasks(static_cast<uint32_t>(*count));
  }
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::Status status =
      client->SubscribeTasks(request, [&](const v1::Task& task) {
        if (s.json()) {
          if (s.Json(task) != kExitOk) return false;
        } else {
          PrintTask(task, s.out());
          s.out().flush();
        }
        return true;
      });
  if (!status.ok()) return s.Fail(status);
  return kExitOk;
}

int RunComplete(const Args& args, Session& s) {
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  v1::CompleteTaskRequest request;
  *request.mutable_task() = Ref(args);
  request.set_outcome(args.Get("outcome"));
  request.set_note(args.Get("note"));
  request.set_idempotency_key(args.Get("idempotency-key"));
  absl::StatusOr<v1::CompleteTaskResponse> response = client->Complete(request);
  if (!response.ok()) return s.Fail(response.status());
  if (s.json()) return s.Json(*response);
  s.out() << "completed " << request.task().task_id() << " for "
          << request.task().person_id() << " (" << request.outcome()
          << "): recorded at position " << response->position()
          << (response->deduplicated()
                  ? " (already completed by an earlier call)"
                  : "")
          << "\n";
  return kExitOk;
}

int RunFail(const Args& args, Session& s) {
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  v1::FailTaskRequest request;
  *request.mutable_task() = Ref(args);
  request.set_error(args.Get("error"));
  return PrintOne(client->Fail(request), s, "failed");
}

int RunRelease(const Args& args, Session& s) {
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  v1::ReleaseTaskRequest request;
  *request.mutable_task() = Ref(args);
  return PrintOne(client->Release(request), s, "released");
}

int RunExtend(const Args& args, Session& s) {
  int exit = kExitOk;
  std::optional<absl::Duration> lease = s.DurationOption(args, "lease", &exit);
  if (exit != kExitOk) return exit;
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  v1::ExtendLeaseRequest request;
  *request.mutable_task() = Ref(args);
  *request.mutable_lease() = client::ToDurationProto(*lease);
  return PrintOne(client->ExtendLease(request), s, "extended");
}

int RunClaim(const Args& args, Session& s) {
  int exit = kExitOk;
  std::optional<absl::Duration> lease = s.DurationOption(args, "lease", &exit);
  if (exit != kExitOk) return exit;
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  v1::ClaimTaskRequest request;
  *request.mutable_task() = Ref(args);
  if (lease.has_value())
    *request.mutable_lease() = client::ToDurationProto(*lease);
  return PrintOne(client->Claim(request), s,
                  absl::StrCat("claimed by ", request.task().worker()));
}

int RunMine(const Args&, Session& s) {
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::StatusOr<v1::ListMineResponse> mine =
      client->ListMine(v1::ListMineRequest());
  if (!mine.ok()) return s.Fail(mine.status());
  if (s.json()) return s.Json(*mine);
  const std::vector<v1::Task> tasks(mine->tasks().begin(),
                                    mine->tasks().end());
  PrintTasks(tasks, s.out());
  s.out() << tasks.size() << (tasks.size() == 1 ? " task" : " tasks")
          << " held, " << mine->overdue()
          << " overdue (first within each priority)\n";
  return kExitOk;
}

int RunHandover(const Args& args, Session& s) {
  int exit = kExitOk;
  std::optional<absl::Duration> lease = s.DurationOption(args, "lease", &exit);
  if (exit != kExitOk) return exit;
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  v1::ReassignTaskRequest request;
  *request.mutable_task() = Ref(args);
  request.set_to_principal(args.Get("to"));
  request.set_to_worker(args.Get("to-worker"));
  if (lease.has_value())
    *request.mutable_lease() = client::ToDurationProto(*lease);
  return PrintOne(client->Reassign(request), s,
                  absl::StrCat("handed over to ", request.to_principal()));
}

int RunRequeue(const Args& args, Session& s) {
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  v1::RequeueTaskRequest request;
  *request.mutable_task() = Ref(args);
  request.set_reason(args.Get("reason"));
  return PrintOne(client->Requeue(request), s, "requeued");
}

int RunListing(const Args& args, Session& s, bool dead_letters) {
  int exit = kExitOk;
  v1::ListTasksRequest request;
  request.set_queue(args.Get("queue"));
  if (args.Has("state")) {
    absl::StatusOr<int> state = client::ParseEnum(
        v1::TaskState_descriptor(), "TASK_STATE_", args.Get("state"), "state");
    if (!state.ok()) return s.Usage(state.status().message());
    request.set_state(static_cast<v1::TaskState>(*state));
  }
  std::optional<uint64_t> page_size = s.NumberOption(args, "page-size", &exit);
  if (exit != kExitOk) return exit;
  if (page_size.has_value())
    request.set_page_size(static_cast<int32_t>(*page_size));
  request.set_page_token(args.Get("page-token"));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  std::vector<v1::Task> tasks;
  std::string next;
  do {
    absl::StatusOr<v1::ListTasksResponse> page =
        dead_letters ? client->ListDeadLetters(request)
                     : client->ListTasks(request);
    if (!page.ok()) return s.Fail(page.status());
    if (s.json()) {
      exit = s.Json(*page);
      if (exit != kExitOk) return exit;
    }
    tasks.insert(tasks.end(), page->tasks().begin(), page->tasks().end());
    next = page->next_page_token();
    request.set_page_token(next);
  } while (args.Has("all") && !next.empty());
  if (s.json()) return kExitOk;
  PrintTasks(tasks, s.out());
  s.out() << tasks.size() << (tasks.size() == 1 ? " task" : " tasks");
  if (!next.empty()) s.out() << MorePages(next);
  s.out() << "\n";
  return kExitOk;
}

}  // namespace

void AddTaskCommands(CommandTable* table) {
  const Option queue = {
      "queue", "QUEUE",
      "e.g. advisers/Oslo-1, reception/Oslo-1, region/OSLO, police/pu", true};
  const Option lease = {"lease", "DURATION",
                        "how long the lease lasts (default 5m)"};
  const std::vector<Option> paging = {
      {"page-size", "N", "tasks per page"},
      {"page-token", "TOKEN", "continue after an earlier page"},
      {"all", "", "follow every page"}};
  table->Add({"tasks poll",
              "take the next task of a queue (a lease), waiting up to --wait",
              {queue,
               {"wait", "DURATION",
                "long-poll up to this long, e.g. 30s (at most 60s)"},
               kWorker,
               lease},
              "",
              "",
              RunPoll});
  table->Add({"tasks subscribe",
              "receive tasks of a queue as they become ready (leased)",
              {queue, kWorker, lease, {"count", "N", "stop after N tasks"}},
              "",
              "",
              RunSubscribe});
  table->Add(
      {"tasks complete",
       "complete a task you hold; recorded in the person's history",
       {kPerson,
        kTask,
        {"outcome", "OUTCOME", "e.g. held, relocated, referred", true},
        {"note", "TEXT", "a note"},
        kWorker,
        {"idempotency-key", "KEY", "a retry with the same key completes once"}},
       "",
       "",
       RunComplete});
  table->Add(
      {"tasks fail",
       "report that a task could not be done (retried later)",
       {kPerson, kTask, {"error", "TEXT", "what went wrong", true}, kWorker},
       "",
       "",
       RunFail});
  table->Add({"tasks release",
              "give a leased task back to its queue",
              {kPerson, kTask, kWorker},
              "",
              "",
              RunRelease});
  table->Add({"tasks claim",
              "take a particular task you chose from the list (a lease)",
              {kPerson, kTask, kWorker, lease},
              "",
              "",
              RunClaim});
  table->Add({"tasks mine",
              "the tasks you hold, in every queue: by priority, overdue first",
              {},
              "",
              "",
              RunMine});
  table->Add({"tasks handover",
              "hand a task you hold to a colleague on the same queue",
              {kPerson,
               kTask,
               {"to", "PRINCIPAL", "the colleague who takes it over", true},
               {"to-worker", "NAME", "the colleague's worker (default: none)"},
               kWorker,
               {"lease", "DURATION", "the colleague's lease (default 5m)"}},
              "",
              "",
              RunHandover});
  table->Add({"tasks requeue",
              "put a dead-lettered task back in its queue",
              {kPerson,
               kTask,
               {"reason", "TEXT", "why it is worth another try", true},
               kWorker},
              "",
              "",
              RunRequeue});
  table->Add({"tasks extend",
              "extend the lease on a task you hold",
              {kPerson,
               kTask,
               {"lease", "DURATION", "the new lease, e.g. 10m", true},
               kWorker},
              "",
              "",
              RunExtend});
  std::vector<Option> list_options = {
      {"queue", "QUEUE", "the queue, e.g. advisers/Oslo-1", true},
      {"state", "STATE",
       absl::StrCat(
           client::EnumChoices(v1::TaskState_descriptor(), "TASK_STATE_"),
           " (default: open and leased)")}};
  list_options.insert(list_options.end(), paging.begin(), paging.end());
  table->Add({"tasks list",
              "the tasks of a queue: by priority, overdue first, earliest due",
              list_options, "", "", [](const Args& args, Session& s) {
                return RunListing(args, s, false);
              }});
  std::vector<Option> dead_options = {
      {"queue", "QUEUE", "the queue, e.g. police/pu", true}};
  dead_options.insert(dead_options.end(), paging.begin(), paging.end());
  table->Add({"tasks dead-letters",
              "tasks that failed too often: by priority, overdue first",
              dead_options, "", "", [](const Args& args, Session& s) {
                return RunListing(args, s, true);
              }});
}

}  // namespace returnpath::returnctl
