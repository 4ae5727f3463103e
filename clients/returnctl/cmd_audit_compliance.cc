// audit compliance: were deadlines and exemptions respected, duties done in
// time, and do the records and statistics agree with the policy?
// (docs/compliance.md)

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/returnctl/commands.h"
#include "clients/returnctl/output.h"
#include "clients/returnctl/session.h"

namespace returnpath::returnctl {
namespace {

void PrintFinding(const v1::ComplianceFinding& f, std::ostream& out) {
  out << "FINDING (" << (f.by_system() ? "system" : "staff") << ") "
      << f.rule();
  if (!f.person_id().empty()) out << " " << f.person_id();
  out << ": " << f.message() << "\n";
  if (!f.policy_version().empty()) {
    out << "  policy " << f.policy_version() << "\n";
  }
  if (f.positions_size() > 0) {
    out << "  events at positions " << absl::StrJoin(f.positions(), ", ")
        << "\n";
  }
  if (f.dates_size() > 0) out << "  " << absl::StrJoin(f.dates(), "; ") << "\n";
}

void PrintSummary(const v1::ComplianceSummary& summary, std::ostream& out) {
  out << "checked " << summary.persons() << " persons, " << summary.events()
      << " events"
      << (summary.statistics_compared() ? ", and the statistics" : "") << ": "
      << (summary.findings() == 0
              ? "no findings"
              : absl::StrCat(summary.findings(), " findings"))
      << "\n";
  for (const v1::ComplianceRuleCount& c : summary.by_rule()) {
    out << "  " << c.rule() << ": " << c.findings() << "\n";
  }
}

int RunCompliance(const Args& args, Session& s) {
  v1::ComplianceRequest request;
  request.set_person_id(args.Get("person"));
  int exit = SetTimeRange(args, s, &request);
  if (exit != kExitOk) return exit;
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  std::optional<v1::ComplianceSummary> summary;
  {
    Progress progress("compliance");
    absl::Status status =
        client->Compliance(request, [&](const v1::ComplianceResponse& r) {
          if (r.has_progress()) {
            progress.Update(r.progress().done(), r.progress().total());
          } else if (r.has_finding()) {
            if (s.json()) {
              exit = s.Json(r.finding());
            } else {
              PrintFinding(r.finding(), s.out());
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
    s.err() << "returnctl: the daemon ended compliance without a summary\n";
    return kExitRefused;
  }
  if (s.json()) {
    exit = s.Json(*summary);
    if (exit != kExitOk) return exit;
  } else {
    PrintSummary(*summary, s.out());
  }
  return summary->findings() == 0 ? kExitOk : kExitProblemFound;
}

}  // namespace

void AddComplianceCommands(CommandTable* table) {
  table->Add({"audit compliance",
              "check the history against the policy: referrals, exemptions, "
              "conversations, information to children, escalations, tiers "
              "and statistics; exit 4 on a finding",
              {{"person", "ID",
                "only this person (default: everyone, which needs an auditor "
                "scoped to everything)"},
               {"from", "DATE|TIME", "only findings at or after this time"},
               {"to", "DATE|TIME", "only findings before this time"}},
              "Each finding names the rule, the policy version, the person, "
              "the events (log positions) and the dates. Over everyone the "
              "statistics are recounted from the history too.",
              "",
              RunCompliance});
}

}  // namespace returnpath::returnctl
