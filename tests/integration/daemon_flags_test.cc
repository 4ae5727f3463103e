// The daemon explains itself: --help lists its flags with their defaults and
// a sentence each, --version says what it was built from, and a running
// daemon logs the configuration it runs with.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/child_process.h"
#include "tests/integration/daemon.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

process::ProcessResult Returnpathd(std::vector<std::string> args) {
  args.insert(args.begin(), ReturnpathdPath());
  return process::RunProcess(args);
}

TEST(DaemonFlagsTest, HelpListsEveryFlagWithItsDefault) {
  const process::ProcessResult help = Returnpathd({"--help"});
  const std::string text = help.out + help.err;
  EXPECT_EQ(help.exit_code, 1) << text;  // Abseil's usage exit
  EXPECT_THAT(text, Not(HasSubstr("No flags matched")));
  EXPECT_THAT(text, HasSubstr("the returnpath daemon"));
  for (const char* flag :
       {"--data_dir (directory of the embedded store", "default: \"./data\"",
        "--listen (address to serve gRPC on", "default: \"127.0.0.1:7443\"",
        "--principals (principals file", "--tls_client_ca (CA (PEM)",
        "--min_free_disk_mib (writes are refused", "default: 256",
        "--clock (system, or manual", "--policy_dir"}) {
    EXPECT_THAT(text, HasSubstr(flag));
  }
}

TEST(DaemonFlagsTest, VersionSaysWhatItWasBuiltFrom) {
  const process::ProcessResult version = Returnpathd({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_THAT(version.out, StartsWith("returnpathd 0.9.0\ncommit "));
  EXPECT_THAT(version.out, HasSubstr("\nbuild type "));
  EXPECT_THAT(version.out, Not(HasSubstr("commit \n")));
}

TEST(DaemonFlagsTest, AnUnknownFlagIsRefused) {
  const process::ProcessResult run = Returnpathd({"--data-dir=/tmp/x"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr("Unknown command line flag 'data-dir'"));
}

TEST(DaemonFlagsTest, TheRunningDaemonLogsItsConfiguration) {
  absl::StatusOr<std::unique_ptr<Daemon>> daemon = Daemon::Start();
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const std::string log = (*daemon)->LogTail();
  EXPECT_THAT(log, HasSubstr("msg=\"configuration\""));
  EXPECT_THAT(log, HasSubstr("data_dir=\"" + (*daemon)->data_dir() + "\""));
  EXPECT_THAT(log, HasSubstr("listen=\"127.0.0.1:0\""));
  EXPECT_THAT(log, HasSubstr("rpc_threads=\"8\""));
}

}  // namespace
}  // namespace returnpath::integration
