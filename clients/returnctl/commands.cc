#include "clients/returnctl/commands.h"

#include <iostream>

#include "absl/strings/str_join.h"
#include "clients/returnctl/session.h"

namespace returnpath::returnctl {
namespace {

constexpr char kTopLevelNotes[] = R"(
Tokens: --token, --token_file, or --as=ROLE (reads <data_dir>/tokens/ROLE.token, the
dev tokens a fresh daemon writes), else $RETURNPATH_TOKEN. Explicit options win.

Dates (2026-03-02) mean 00:00 Europe/Oslo; times print in Europe/Oslo. An event
with a date (--notified, --lodged) takes it as its effective time; other events
take the daemon's clock unless --effective is given.

Exit codes: 0 ok; 1 cannot connect; 2 usage error; 3 the server said no (its gRPC
code and message are printed); 4 verify or replay-check found a problem, or an import file has errors.
)";

}  // namespace

CommandTable AllCommands() {
  CommandTable table(GlobalOptions());
  AddRecordCommands(&table);
  AddPathwayCommands(&table);
  AddTaskCommands(&table);
  AddTaskSummaryCommands(&table);
  AddAuditCommands(&table);
  AddComplianceCommands(&table);
  AddAuditExportCommands(&table);
  AddAuditWhatIfCommands(&table);
  AddAdminCommands(&table);
  AddImportCommands(&table);
  AddErasureCommands(&table);
  return table;
}

int RunReturnctl(const std::vector<std::string>& argv, std::ostream& out,
                 std::ostream& err) {
  static const CommandTable* const table = new CommandTable(AllCommands());
  Invocation inv = table->Parse(argv);
  if (inv.command == nullptr) {
    std::string help = table->GroupHelp(inv.words);
    if (inv.words.empty()) help += kTopLevelNotes;
    if (!inv.error.empty()) {
      err << "returnctl: " << inv.error << "\n\n" << help;
      return kExitUsage;
    }
    out << help;
    return kExitOk;
  }
  if (!inv.error.empty()) {
    err << "returnctl: " << inv.error << "\n\n" << table->Help(*inv.command);
    return kExitUsage;
  }
  if (inv.help) {
    out << table->Help(*inv.command);
    return kExitOk;
  }
  Session session(*table, *inv.command, inv.globals, out, err);
  return inv.command->run(inv.args, session);
}

}  // namespace returnpath::returnctl
