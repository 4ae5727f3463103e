// Recorded times never go backwards across restarts: a daemon refuses a
// clock behind the store's last recorded time, refuses a test clock's store
// under the system clock unless told, and a manual clock without a start
// resumes where the store's time stands.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "engine/testing/test_store.h"
#include "gtest/gtest.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

class ClockRestartTest : public IntegrationTest {
 protected:
  // Records a person under the manual clock, moves it a month past real
  // time, and stops the daemon. Returns the last recorded time.
  absl::Time WriteAheadOfRealTimeAndStop() {
    PersonSpec person;
    person.id = "P-CLOCK";
    EXPECT_TRUE(Register(person).ok());
    const absl::StatusOr<absl::Time> ahead =
        AdvanceUntil(absl::Now() + absl::Hours(24 * 30));
    EXPECT_TRUE(ahead.ok()) << ahead.status();
    EXPECT_TRUE(Record(person.id, "first-rejection",
                       {{"notified", absl::FormatTime("%Y-%m-%d", *ahead,
                                                      absl::UTCTimeZone())}})
                    .ok());
    daemon().Stop();  // what was acknowledged is durable, however it stops
    return *ahead;
  }

  // Runs returnpathd on the stopped daemon's data directory with `flags`;
  // it must refuse to start.
  ProcessResult Refused(std::vector<std::string> flags) {
    std::vector<std::string> argv = {ReturnpathdPath(),
                                     "--data_dir=" + daemon().data_dir(),
                                     "--listen=127.0.0.1:0", "--dev_principals",
                                     "--policy_dir=" + PolicyDir()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    for (std::string& flag : StoreFlags(daemon().data_dir())) {
      argv.push_back(std::move(flag));
    }
    ProcessResult run = RunProcess(argv, absl::Seconds(60));
    EXPECT_EQ(run.exit_code, 1) << run.err;
    return run;
  }
};

TEST_F(ClockRestartTest, ATestClocksStoreIsRefusedUnderTheSystemClock) {
  WriteAheadOfRealTimeAndStop();
  EXPECT_THAT(Refused({"--clock=system"}).err,
              HasSubstr("the store was written under a test clock"));
  // Accepted, the system clock is still behind the last recorded time.
  EXPECT_THAT(Refused({"--clock=system", "--accept_test_clock_store"}).err,
              HasSubstr("recorded times must never go backwards"));
}

TEST_F(ClockRestartTest, AManualClockStartedBehindTheStoreIsRefused) {
  WriteAheadOfRealTimeAndStop();
  const ProcessResult run =
      Refused({"--clock=manual", "--clock_start=2026-03-01T00:00:00Z"});
  EXPECT_THAT(run.err, HasSubstr("the clock reads 2026-03-01T00:00:00.000Z, "
                                 "before "));
}

TEST_F(ClockRestartTest, AManualClockWithoutAStartResumesAtTheStoresTime) {
  const absl::Time last = WriteAheadOfRealTimeAndStop();
  DaemonOptions options;
  options.clock_start = "";  // the default: now, or the store's time
  options.store_of = daemon().data_dir();
  absl::StatusOr<std::unique_ptr<Daemon>> resumed = Daemon::Start(options);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  client::ConnectionOptions admin;
  admin.server = (*resumed)->address();
  admin.token = (*resumed)->Token("admin");
  admin.use_env_token = false;
  absl::StatusOr<std::unique_ptr<client::Client>> client =
      client::Client::Connect(admin);
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<absl::Time> now = (*client)->Now();
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_GE(*now, last);
}

}  // namespace
}  // namespace returnpath::integration
