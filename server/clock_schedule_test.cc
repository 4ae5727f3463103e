#include "server/clock_schedule.h"

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

constexpr absl::Duration kEvery = absl::Hours(24);

// Counts runs; the first run waits until the test lets it end.
struct Job {
  absl::Mutex mu;
  int runs ABSL_GUARDED_BY(mu) = 0;
  absl::Notification first_started;
  absl::Notification let_first_end;

  void Run() {
    int run;
    {
      absl::MutexLock lock(&mu);
      run = ++runs;
    }
    if (run == 1) {
      first_started.Notify();
      let_first_end.WaitForNotification();
    }
  }
  bool AwaitRuns(int n) {
    absl::MutexLock lock(&mu);
    auto reached = [this, n]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu) { return runs >= n; };
    return mu.AwaitWithTimeout(absl::Condition(&reached), absl::Seconds(30));
  }
  int Runs() {
    absl::MutexLock lock(&mu);
    return runs;
  }
};

TEST(ClockScheduleTest, RunsWhenTheClockPassesEachPeriod) {
  ManualClock clock(absl::FromUnixSeconds(1'700'000'000));
  Job job;
  job.let_first_end.Notify();
  ClockSchedule schedule(&clock, kEvery, [&job] { job.Run(); });
  clock.Advance(kEvery - absl::Minutes(1));
  clock.Advance(absl::Minutes(1));
  ASSERT_TRUE(job.AwaitRuns(1));
  clock.Advance(kEvery);
  ASSERT_TRUE(job.AwaitRuns(2));
  schedule.Stop();
  EXPECT_EQ(job.Runs(), 2);
}

// The retention pass of a test ran while the test moved the clock another
// day; measured from the run's end, the next pass never came.
TEST(ClockScheduleTest, AMoveDuringARunIsNotSwallowed) {
  ManualClock clock(absl::FromUnixSeconds(1'700'000'000));
  Job job;
  ClockSchedule schedule(&clock, kEvery, [&job] { job.Run(); });
  clock.Advance(kEvery);
  ASSERT_TRUE(
      job.first_started.WaitForNotificationWithTimeout(absl::Seconds(30)));
  clock.Advance(kEvery);
  job.let_first_end.Notify();
  EXPECT_TRUE(job.AwaitRuns(2));
}

TEST(ClockScheduleTest, NothingRunsBeforeThePeriodOrAfterStop) {
  ManualClock clock(absl::FromUnixSeconds(1'700'000'000));
  Job job;
  job.let_first_end.Notify();
  ClockSchedule schedule(&clock, kEvery, [&job] { job.Run(); });
  clock.Advance(kEvery - absl::Seconds(1));
  schedule.Stop();
  clock.Advance(kEvery);
  EXPECT_EQ(job.Runs(), 0);
}

}  // namespace
}  // namespace returnpath::engine
