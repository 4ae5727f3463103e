// The daemon explains itself: --help lists its flags with their defaults and
// a sentence each, --version says what it was built from, and a running
// daemon logs the configuration it runs with.

#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "engine/testing/child_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/daemon_config.pb.h"
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

// A file `name` in a fresh directory holding `text`; its path.
std::string WriteConfig(const std::string& text) {
  absl::StatusOr<std::string> dir = process::MakeTempDir("rp_config");
  EXPECT_TRUE(dir.ok()) << dir.status();
  const std::string path = *dir + "/returnpathd.textproto";
  std::ofstream(path) << text;
  return path;
}

TEST(DaemonFlagsTest, AConfigFileGivesFlagsAndTheCommandLineWins) {
  const std::string config = WriteConfig(
      "# what a deployment would write\n"
      "rpc_threads: 3\n"
      "min_free_disk_mib: 17\n"
      "backup_keep: 4\n");
  DaemonOptions options;
  options.extra_flags = {"--config=" + config, "--rpc_threads=5"};
  absl::StatusOr<std::unique_ptr<Daemon>> daemon = Daemon::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const std::string log = (*daemon)->LogTail();
  EXPECT_THAT(log, HasSubstr("config=\"" + config + "\""));
  EXPECT_THAT(log, HasSubstr("min_free_disk_mib=\"17\""));
  EXPECT_THAT(log, HasSubstr("backup_keep=\"4\""));
  EXPECT_THAT(log, HasSubstr("rpc_threads=\"5\""));
}

TEST(DaemonFlagsTest, ABadConfigFileIsRefusedNamingWhere) {
  const process::ProcessResult unknown =
      Returnpathd({"--config=" + WriteConfig("rpc_threads: 3\nthreads: 4\n")});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, HasSubstr("returnpathd.textproto:2:"));
  EXPECT_THAT(unknown.err, HasSubstr("threads"));

  const process::ProcessResult bad_value =
      Returnpathd({"--config=" + WriteConfig("backup_every: \"soon\"\n")});
  EXPECT_NE(bad_value.exit_code, 0);
  EXPECT_THAT(bad_value.err, HasSubstr("backup_every"));

  const process::ProcessResult missing =
      Returnpathd({"--config=/nonexistent/returnpathd.textproto"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, HasSubstr("cannot read the configuration file"));
}

TEST(DaemonFlagsTest, EveryFlagCanBeGivenInTheConfigFile) {
  const process::ProcessResult help = Returnpathd({"--help"});
  const std::string text = help.out + help.err;
  std::set<std::string> flags;
  const std::regex flag("--([a-z_]+) \\(");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), flag);
       it != std::sregex_iterator(); ++it) {
    if ((*it)[1] != "config") flags.insert((*it)[1]);
  }
  std::set<std::string> fields;
  const google::protobuf::Descriptor& config = *v1::DaemonConfig::descriptor();
  for (int i = 0; i < config.field_count(); ++i) {
    fields.insert(config.field(i)->name());
  }
  EXPECT_GT(flags.size(), 20u) << text;
  EXPECT_EQ(flags, fields);
}

}  // namespace
}  // namespace returnpath::integration
