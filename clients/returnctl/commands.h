#ifndef RETURNPATH_CLIENTS_RETURNCTL_COMMANDS_H_
#define RETURNPATH_CLIENTS_RETURNCTL_COMMANDS_H_

// The command groups; each file declares its commands once.

#include "clients/returnctl/cli.h"

namespace returnpath::returnctl {

void AddRecordCommands(CommandTable* table);   // register, record <event>
void AddPathwayCommands(CommandTable* table);  // show, list
void AddTaskCommands(CommandTable* table);     // tasks ...
void AddTaskSummaryCommands(CommandTable* table);  // tasks summary
void AddAuditCommands(CommandTable* table);    // audit ...
void AddComplianceCommands(CommandTable* table);  // audit compliance
void AddAuditExportCommands(CommandTable* table);  // audit export ...
void AddAuditWhatIfCommands(CommandTable* table);  // audit what-if
void AddAdminCommands(CommandTable* table);    // admin ...
void AddImportCommands(CommandTable* table);   // admin import
// audit approve-erasure, admin erase
void AddErasureCommands(CommandTable* table);

// Every command, with the global options.
CommandTable AllCommands();

// Parses and runs one command line (argv without the program name).
int RunReturnctl(const std::vector<std::string>& argv, std::ostream& out,
                 std::ostream& err);

}  // namespace returnpath::returnctl

#endif  // RETURNPATH_CLIENTS_RETURNCTL_COMMANDS_H_
