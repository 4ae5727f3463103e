// Backups from the running daemon, on its schedule, and a daemon restored
// from one: it verifies the chain before serving, and serves what was
// recorded before the backup.

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class BackupRestoreTest : public IntegrationTest {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dir = MakeTempDir("rp_backups_");
    ASSERT_TRUE(dir.ok()) << dir.status();
    backups_ = *dir;
    IntegrationTest::SetUp();
  }
  void TearDown() override {
    IntegrationTest::TearDown();
    std::filesystem::remove_all(backups_);
  }
  DaemonOptions Options() const override {
    DaemonOptions options;
    options.extra_flags = {"--backup_dir=" + backups_, "--backup_every=24h",
                           "--backup_keep=2"};
    return options;
  }

  // Waits until the daemon logs that backup `id` is done (pruning included).
  absl::Status BackedUp(int id) {
    const std::string done = absl::StrCat("msg=\"backed up\" backup=\"", id);
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (daemon().LogTail(100000).find(done) == std::string::npos) {
      if (absl::Now() > give_up) {
        return absl::DeadlineExceededError(
            absl::StrCat("no backup ", id, ":\n", daemon().LogTail()));
      }
      absl::SleepFor(absl::Milliseconds(20));  // polls the log, not a clock
    }
    return absl::OkStatus();
  }

  // Registers `id` and moves the clock a day on, to the first backup.
  void RegisterAndBackUp(const std::string& id) {
    PersonSpec person;
    person.id = id;
    RP_ASSERT_OK(Register(person));
    RP_ASSERT_OK(AdvanceBy(absl::Hours(25)));
    RP_ASSERT_OK(BackedUp(1));
  }

  std::string backups_;
};

TEST_F(BackupRestoreTest, TheScheduleBacksUpAndARestoredDaemonServesIt) {
  // The schedule runs on the daemon's clock: a day on, a backup.
  RegisterAndBackUp("P-KEPT");
  RP_ASSERT_OK(AdvanceBy(absl::Hours(25)));
  RP_ASSERT_OK(BackedUp(2));
  RP_ASSERT_OK(AdvanceBy(absl::Hours(25)));
  RP_ASSERT_OK(BackedUp(3));
  // Two kept.
  EXPECT_FALSE(std::filesystem::exists(backups_ + "/meta/1"));

  DaemonOptions restored;
  restored.clock_start = "";  // resumes at the backup's last recorded time
  // The backup's events are sealed under the first daemon's master key.
  restored.extra_flags = {
      "--restore_from=" + backups_,
      "--master_key_file=" + daemon().data_dir() + "/master.key"};
  absl::StatusOr<std::unique_ptr<Daemon>> copy = Daemon::Start(restored);
  ASSERT_TRUE(copy.ok()) << copy.status();
  const std::string log = (*copy)->LogTail();
  EXPECT_THAT(log, HasSubstr("msg=\"restored\""));
  EXPECT_THAT(log, HasSubstr("backup=\"3\""));
  EXPECT_THAT(log, HasSubstr("msg=\"verified the restored chain\""));
  const ProcessResult shown = RunProcess(
      {ReturnctlPath(), "--server", (*copy)->address(), "--data-dir",
       (*copy)->data_dir(), "--as=reception", "show", "--person", "P-KEPT"});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("P-KEPT"));
}

TEST_F(BackupRestoreTest, AnAdministratorBacksUpOnDemand) {
  PersonSpec person;
  person.id = "P-NOW";
  RP_ASSERT_OK(Register(person));
  const ProcessResult backup =
      Ctl({"--as=admin", "admin", "backup", "--to", "before-upgrade"});
  EXPECT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_THAT(backup.out, HasSubstr("backup 1 in before-upgrade: every event "
                                    "up to position 1,"));
  EXPECT_TRUE(std::filesystem::exists(backups_ + "/before-upgrade/meta/1"));
  // Only inside --backup_dir, and only administrators.
  const ProcessResult outside =
      Ctl({"--as=admin", "admin", "backup", "--to", "/tmp/elsewhere"});
  EXPECT_NE(outside.exit_code, 0);
  EXPECT_THAT(outside.err, HasSubstr("a directory name inside --backup_dir"));
  const ProcessResult reception = Ctl({"--as=reception", "admin", "backup"});
  EXPECT_NE(reception.exit_code, 0);
  EXPECT_THAT(reception.err, HasSubstr("PERMISSION_DENIED"));
}

TEST_F(BackupRestoreTest, RestoringOverAStoreIsRefused) {
  RegisterAndBackUp("P-ANY");
  daemon().Stop();
  const ProcessResult run =
      RunProcess({ReturnpathdPath(), "--data_dir=" + daemon().data_dir(),
                  "--listen=127.0.0.1:0", "--dev_principals", "--clock=manual",
                  "--policy_dir=" + PolicyDir(), "--restore_from=" + backups_});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("the store to restore into is not empty"));
}

TEST_F(BackupRestoreTest, AnotherMasterKeyStopsTheDaemonBeforeServing) {
  PersonSpec person;
  person.id = "P-SEALED";
  RP_ASSERT_OK(Register(person));
  daemon().Stop();
  const std::vector<std::string> argv = {
      ReturnpathdPath(),      "--data_dir=" + daemon().data_dir(),
      "--listen=127.0.0.1:0", "--dev_principals",
      "--clock=manual",       "--policy_dir=" + PolicyDir()};
  const ProcessResult wrong =
      RunProcess(argv, absl::Seconds(60),
                 {"RETURNPATH_MASTER_KEY=" + std::string(64, 'e')});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("does not open this store"));
  EXPECT_THAT(wrong.err, Not(HasSubstr("msg=\"serving\"")));
  std::vector<std::string> both = argv;
  both.push_back("--master_key_file=" + daemon().data_dir() + "/master.key");
  const ProcessResult ambiguous =
      RunProcess(both, absl::Seconds(60),
                 {"RETURNPATH_MASTER_KEY=" + std::string(64, 'e')});
  EXPECT_EQ(ambiguous.exit_code, 1);
  EXPECT_THAT(ambiguous.err, HasSubstr("give one"));
}

}  // namespace
}  // namespace returnpath::integration
