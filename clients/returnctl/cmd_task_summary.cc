// tasks summary: per queue, how many tasks are open, leased, overdue and
// dead-lettered, and when the earliest open one is due.

#include "absl/strings/str_cat.h"
#include "clients/returnctl/commands.h"
#include "clients/returnctl/output.h"
#include "clients/returnctl/pathway_text.h"
#include "clients/returnctl/session.h"

namespace returnpath::returnctl {
namespace {

int RunSummary(const Args& args, Session& s) {
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  v1::QueueSummaryRequest request;
  request.set_queue(args.Get("queue"));
  absl::StatusOr<v1::QueueSummaryResponse> summary =
      client->QueueSummary(request);
  if (!summary.ok()) return s.Fail(summary.status());
  if (s.json()) return s.Json(*summary);
  Table table(
      {"QUEUE", "OPEN", "LEASED", "OVERDUE", "DEAD", "PAUSED", "EARLIEST DUE"});
  for (const v1::QueueCounts& q : summary->queues()) {
    table.AddRow(
        {q.queue(), absl::StrCat(q.open()), absl::StrCat(q.leased()),
         absl::StrCat(q.overdue()), absl::StrCat(q.dead_lettered()),
         absl::StrCat(q.paused()),
         q.has_earliest_open_due() ? DueText(q.earliest_open_due()) : "-"});
  }
  if (table.empty()) {
    s.out() << "no tasks in the queues you work\n";
    return kExitOk;
  }
  table.Print(s.out());
  return kExitOk;
}

}  // namespace

void AddTaskSummaryCommands(CommandTable* table) {
  table->Add({"tasks summary",
              "per queue: open, leased, overdue, dead-lettered and paused "
              "tasks",
              {{"queue", "QUEUE", "one queue (default: every queue you work)"}},
              "Counts only tasks of persons in your scope. OVERDUE counts open "
              "and leased tasks past their due time; PAUSED counts tasks held "
              "while a person's whereabouts are unknown (never overdue); "
              "EARLIEST DUE is the "
              "earliest open task's day in Europe/Oslo. --json keeps the "
              "timestamps.",
              "",
              RunSummary});
}

}  // namespace returnpath::returnctl
