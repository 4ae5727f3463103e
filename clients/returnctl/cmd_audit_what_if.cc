// audit what-if: a person's pathway, or everyone's, refolded under another
// policy, side by side with what the policies in force made of it
// (docs/what-if.md).

#include <filesystem>
#include <optional>

#include "absl/strings/str_cat.h"
#include "clients/lib/time_text.h"
#include "clients/returnctl/commands.h"
#include "clients/returnctl/output.h"
#include "clients/returnctl/session.h"
#include "engine/read_file.h"

namespace returnpath::returnctl {
namespace {

// A task as a person reads it: due in Oslo time, queue, priority, state.
std::string TaskSide(const std::string& text, const v1::Task& task,
                     bool present) {
  if (!present) return text.empty() ? "(none)" : text;
  return absl::StrCat("due ", client::TimeText(task.due_time()), ", ",
                      task.queue(), ", priority ", task.priority(), ", ",
                      v1::TaskState_Name(task.state()).substr(11));
}

void PrintPerson(const v1::WhatIfPerson& person, std::ostream& out) {
  if (person.differences().empty()) {
    out << person.person_id() << ": nothing would differ\n";
    return;
  }
  out << person.person_id() << ": " << person.differences_size()
      << (person.differences_size() == 1 ? " difference" : " differences")
      << " (in force -> other policy)\n";
  for (const v1::WhatIfDifference& d : person.differences()) {
    out << "  " << d.what() << ": "
        << TaskSide(d.current(), d.current_task(), d.has_current_task())
        << "  ->  "
        << TaskSide(d.alternative(), d.alternative_task(),
                    d.has_alternative_task())
        << "\n";
  }
}

void PrintSummary(const v1::WhatIfSummary& summary, std::ostream& out) {
  out << "under policy " << summary.policy_version() << ": "
      << summary.persons_differing() << " of " << summary.persons_checked()
      << (summary.persons_checked() == 1 ? " person" : " persons")
      << " would differ\n";
  for (const v1::WhatIfKindCount& count : summary.by_kind()) {
    out << "  " << count.what() << ": " << count.persons()
        << (count.persons() == 1 ? " person" : " persons") << "\n";
  }
  if (summary.statistics().empty()) return;
  out << "statistics that would differ (category month group: in force -> "
         "other policy)\n";
  for (const v1::WhatIfStatisticsRow& row : summary.statistics()) {
    out << "  " << row.category() << " " << row.month() << " " << row.group()
        << ": " << row.current() << " -> " << row.alternative() << "\n";
  }
}

int RunWhatIf(const Args& args, Session& s) {
  v1::WhatIfRequest request;
  const std::string policy = args.Get("policy");
  // A file is read here and sent whole: the daemon need not have it.
  if (std::filesystem::is_regular_file(policy)) {
    absl::StatusOr<std::string> text =
        engine::ReadFileText(policy, "policy file");
    if (!text.ok()) return s.Usage(text.status().message());
    request.set_policy_text(*text);
    request.set_policy_source(policy);
  } else {
    request.set_policy_version(policy);
  }
  if (args.Has("all") == args.Has("person")) {
    return s.Usage("give --person P or --all");
  }
  request.set_all(args.Has("all"));
  request.set_person_id(args.Get("person"));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  std::optional<v1::WhatIfSummary> summary;
  int exit = kExitOk;
  {
    Progress progress("what-if");
    absl::Status status =
        client->WhatIf(request, [&](const v1::WhatIfResponse& r) {
          if (r.has_progress()) {
            progress.Update(r.progress().events_done(),
                            r.progress().events_total());
          } else if (r.has_person()) {
            if (s.json()) {
              exit = s.Json(r.person());
            } else {
              PrintPerson(r.person(), s.out());
            }
          } else if (r.has_summary()) {
            summary = r.summary();
          }
          return exit == kExitOk;
        });
    if (!status.ok()) return s.Fail(status);
  }
  if (exit != kExitOk) return exit;
  if (!summary.has_value()) {
    s.err() << "returnctl: the daemon ended what-if without a summary\n";
    return kExitRefused;
  }
  if (s.json()) return s.Json(*summary);
  if (request.all()) PrintSummary(*summary, s.out());
  return kExitOk;
}

}  // namespace

void AddAuditWhatIfCommands(CommandTable* table) {
  table->Add(
      {"audit what-if",
       "what would have differed had another policy governed the whole "
       "history: stage, deadlines, tasks, support tiers, statistics",
       {{"policy", "FILE|VERSION",
         "a policy file (read here and sent; it need not be in force) or a "
         "version stored in the daemon's policy directory",
         true},
        {"person", "ID", "one person (case number)"},
        {"all", "",
         "everyone: progress, each person who differs, a summary "
         "(needs an auditor scoped to everything)"}},
       "Give exactly one of --person, --all. The other policy governs every "
       "event, as if it had been in force throughout; the history itself (the "
       "events, their order, corrections) stays as recorded. Nothing is "
       "written. Example: returnctl audit what-if --policy draft.textproto "
       "--all",
       "",
       RunWhatIf});
}

}  // namespace returnpath::returnctl
