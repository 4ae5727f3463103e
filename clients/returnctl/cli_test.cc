// returnctl without a daemon: parsing, help, usage errors and exit codes.
// Talking to a real daemon is in tests/integration/returnctl_test.cc.

#include <sstream>

#include "absl/strings/str_split.h"
#include "clients/returnctl/commands.h"
#include "clients/returnctl/output.h"
#include "clients/returnctl/pathway_text.h"
#include "clients/returnctl/session.h"
#include "gtest/gtest.h"

namespace returnpath::returnctl {
namespace {

struct Result {
  int code;
  std::string out, err;
};

Result Ctl(const std::vector<std::string>& argv) {
  std::ostringstream out, err;
  int code = RunReturnctl(argv, out, err);
  return {code, out.str(), err.str()};
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CliTest, TopLevelHelpListsEveryGroup) {
  Result r = Ctl({"--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* part :
       {"register", "record first-rejection", "show", "list", "tasks poll",
        "audit verify", "admin advance-clock", "Exit codes", "--as ROLE"}) {
    EXPECT_TRUE(Contains(r.out, part)) << part;
  }
  EXPECT_EQ(Ctl({}).code, kExitUsage);
  EXPECT_EQ(Ctl({"help"}).code, 0);
}

TEST(CliTest, EveryCommandHasHelp) {
  const CommandTable table = AllCommands();
  for (const Command& command : table.commands()) {
    std::vector<std::string> argv = absl::StrSplit(command.path, ' ');
    argv.push_back("--help");
    Result r = Ctl(argv);
    EXPECT_EQ(r.code, 0) << command.path;
    EXPECT_TRUE(Contains(r.out, "usage: returnctl " + command.path))
        << command.path;
    for (const Option& option : command.options) {
      EXPECT_TRUE(Contains(r.out, "--" + option.name))
          << command.path << " --" << option.name;
    }
  }
}

TEST(CliTest, GroupWithoutSubcommandIsUsage) {
  Result r = Ctl({"tasks"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(Contains(r.err, "needs a subcommand"));
  EXPECT_TRUE(Contains(r.err, "tasks poll"));
  EXPECT_EQ(Ctl({"record", "--help"}).code, 0);
}

TEST(CliTest, UnknownCommandAndOptionAreNamed) {
  Result r = Ctl({"frobnicate"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(Contains(r.err, "unknown command 'frobnicate'"));
  r = Ctl({"show", "--person", "P-1", "--colour", "red"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(Contains(r.err, "unknown option --colour"));
  EXPECT_TRUE(Contains(r.err, "usage: returnctl show"));
}

TEST(CliTest, MissingRequiredOptionIsNamed) {
  Result r = Ctl({"record", "first-rejection", "--person", "P-1"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(Contains(r.err, "missing --notified"));
  r = Ctl({"show"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(Contains(r.err, "missing --person"));
}

TEST(CliTest, BadValuesAreUsageErrors) {
  Result r = Ctl({"record", "first-rejection", "--person", "P", "--notified",
                  "2026-02-30"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(Contains(r.err, "--notified"));
  r = Ctl({"register", "--person", "P", "--household", "H", "--born",
           "1990-05-01", "--nationality", "AF", "--centre", "C", "--region",
           "Atlantis"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(Contains(r.err, "midt-norge"));
  EXPECT_EQ(Ctl({"admin", "advance-clock", "--by", "3 days"}).code, kExitUsage);
  EXPECT_EQ(Ctl({"admin", "advance-clock"}).code, kExitUsage);
  EXPECT_EQ(Ctl({"list"}).code, kExitUsage);
  EXPECT_EQ(Ctl({"list", "--stage", "overstayed", "--region", "oslo"}).code,
            kExitUsage);
  EXPECT_EQ(Ctl({"audit", "as-of", "--person", "P"}).code, kExitUsage);
  EXPECT_EQ(Ctl({"show", "--person", "P", "--person", "Q"}).code, kExitUsage);
  EXPECT_EQ(Ctl({"show", "--person"}).code, kExitUsage);
  EXPECT_EQ(Ctl({"show", "--person", "P", "stray"}).code, kExitUsage);
  EXPECT_EQ(Ctl({"show", "--person", "P", "--json=yes"}).code, kExitUsage);
}

TEST(CliTest, EffectiveMustMatchTheEventsDate) {
  Result r = Ctl({"record", "first-rejection", "--person", "P", "--notified",
                  "2026-03-02", "--effective", "2026-03-05"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(Contains(r.err, "not on the event's date"));
}

TEST(CliTest, CorrectionNeedsTheCorrectedEvent) {
  Result r = Ctl({"record", "correction", "--person", "P", "--position", "3",
                  "--reason", "x"});
  EXPECT_EQ(r.code, kExitUsage);
  r = Ctl({"record", "correction", "--person", "P", "--position", "3",
           "--reason", "x", "--", "first-rejection"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(Contains(r.err, "missing --notified"));
  EXPECT_EQ(Ctl({"show", "--person", "P", "--", "x"}).code, kExitUsage);
}

TEST(CliTest, TokenProblemsBeforeConnecting) {
  Result r =
      Ctl({"--as", "auditor", "--data-dir", "/nonexistent", "admin", "now"});
  EXPECT_EQ(r.code, kExitCannotConnect);
  EXPECT_TRUE(Contains(r.err, "/nonexistent/tokens/auditor.token"));
  r = Ctl({"admin", "now", "--as=auditor", "--token=x"});
  EXPECT_EQ(r.code, kExitUsage);
  r = Ctl({"--server", "10.1.2.3:7443", "--token", "x", "admin", "now"});
  EXPECT_EQ(r.code, kExitCannotConnect);
  EXPECT_TRUE(Contains(r.err, "clear text"));
}

TEST(CliTest, NoDaemonIsExitOne) {
  // Port 1 on loopback: nothing listens there.
  Result r = Ctl({"--server", "127.0.0.1:1", "--token", "x", "--timeout", "5s",
                  "admin", "now"});
  EXPECT_EQ(r.code, kExitCannotConnect) << r.err;
  EXPECT_TRUE(Contains(r.err, "cannot connect"));
}

TEST(CliTest, UnderscoresAndDashesAreTheSame) {
  Result r = Ctl({"--token_file", "/nonexistent/t", "admin", "now"});
  EXPECT_EQ(r.code, kExitCannotConnect);
  EXPECT_TRUE(Contains(r.err, "/nonexistent/t"));
}

}  // namespace
}  // namespace returnpath::returnctl

namespace returnpath::returnctl {
namespace {

TEST(OutputTest, PageTokensThatCannotBeTypedAreNotPrinted) {
  EXPECT_EQ(MorePages(std::string("due/2026-04-10\0P-2", 18)),
            "; more pages: add --all");
  EXPECT_EQ(MorePages("abc"), "; more: --page-token 'abc' (or --all)");
}

TEST(OutputTest, MidnightDueReadsAsTheDayBefore) {
  google::protobuf::Timestamp due;
  due.set_seconds(1773097200);  // 2026-03-09T23:00:00Z, 00:00 Oslo on 03-10
  EXPECT_EQ(DueText(due), "by 2026-03-09");
  due.set_seconds(1773097200 + 3600);
  EXPECT_EQ(DueText(due), "by 2026-03-10 01:00");
  EXPECT_EQ(Money(20000), "NOK 20,000");
  EXPECT_EQ(Money(1234567), "NOK 1,234,567");
}

TEST(OutputTest, APausedTaskShowsTheDaysItHasLeft) {
  v1::Task task;
  task.mutable_due_time()->set_seconds(1773097200);  // 00:00 Oslo on 03-10
  EXPECT_EQ(TaskDueText(task), "by 2026-03-09");
  task.set_state(v1::TASK_STATE_PAUSED);
  task.mutable_paused_time()->set_seconds(1773097200 - 4 * 86400);
  EXPECT_EQ(TaskDueText(task), "paused, 4 days left");
  task.mutable_paused_time()->set_seconds(1773097200 - 86400);
  EXPECT_EQ(TaskDueText(task), "paused, 1 day left");
  task.mutable_paused_time()->set_seconds(1773097200 + 2 * 86400);
  EXPECT_EQ(TaskDueText(task), "paused, 2 days overdue");
}

}  // namespace
}  // namespace returnpath::returnctl
