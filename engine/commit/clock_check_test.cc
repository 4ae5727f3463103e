// Recorded times never go backwards across a reopen, and a test's times
// never mix with real ones (StoreOptions::clock_behind,
// accept_test_clock_store).

#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/testing/store_test_util.h"
#include "engine/testing/test_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::Req;
using ::returnpath::engine::testing::TempDir;
using ::returnpath::engine::testing::TestStorePath;
using ::testing::HasSubstr;

// A clock that reads a fixed time and is not a test's (as the system clock).
class FixedRealClock final : public Clock {
 public:
  explicit FixedRealClock(absl::Time now) : now_(now) {}
  absl::Time Now() override { return now_; }
  absl::Duration RealWaitFor(absl::Time) override {
    return absl::InfiniteDuration();
  }

 private:
  absl::Time now_;
};

class ClockCheckTest : public ::testing::Test {
 protected:
  // Appends one event at `clock`'s time, and closes the store.
  void WriteWith(Clock& clock) {
    absl::StatusOr<std::unique_ptr<EventStore>> store = Open(clock);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->Append(Req("s-1", {"a"})).ok());
    ASSERT_TRUE((*store)->Close().ok());
  }
  absl::StatusOr<std::unique_ptr<EventStore>> Open(Clock& clock,
                                                   StoreOptions options = {}) {
    options.path = TestStorePath(dir_.path());
    options.clock = &clock;
    return EventStore::Open(options);
  }

  TempDir dir_;
};

TEST_F(ClockCheckTest, AClockBehindTheLastRecordedTimeIsRefused) {
  FixedRealClock later(Day(5));
  WriteWith(later);
  FixedRealClock earlier(Day(4));
  absl::StatusOr<std::unique_ptr<EventStore>> store = Open(earlier);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      store.status().message(),
      HasSubstr("before " + absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", Day(5),
                                             absl::UTCTimeZone())));
  EXPECT_THAT(store.status().message(), HasSubstr("position 1"));
  // The same time, or later, opens.
  EXPECT_TRUE(Open(later).ok());
}

TEST_F(ClockCheckTest, AClockMovedOnByTheHookOpens) {
  ManualClock writer(Day(5));
  WriteWith(writer);
  ManualClock behind(Day(2));
  StoreOptions options;
  absl::Time told;
  options.clock_behind = [&](absl::Time last) {
    told = last;
    behind.SetTime(last);
    return absl::OkStatus();
  };
  absl::StatusOr<std::unique_ptr<EventStore>> store = Open(behind, options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(told, Day(5));
  EXPECT_EQ(behind.Now(), Day(5));
  // A hook that cannot move it leaves the refusal.
  ASSERT_TRUE((*store)->Close().ok());
  ManualClock stuck(Day(2));
  options.clock_behind = [](absl::Time) { return absl::OkStatus(); };
  EXPECT_EQ(Open(stuck, options).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ClockCheckTest,
       ATestClocksStoreIsRefusedUnderAnotherClockUnlessAccepted) {
  ManualClock test_clock(Day(2));
  WriteWith(test_clock);
  FixedRealClock real(Day(9));
  absl::StatusOr<std::unique_ptr<EventStore>> store = Open(real);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("test clock"));
  StoreOptions accept;
  accept.accept_test_clock_store = true;
  EXPECT_TRUE(Open(real, accept).ok());
}

TEST_F(ClockCheckTest, AStoreWrittenUnderARealClockOpensUnderAnyLaterOne) {
  FixedRealClock real(Day(2));
  WriteWith(real);
  ManualClock test_clock(Day(3));
  ASSERT_TRUE(Open(test_clock).ok());
  // Once a test clock wrote to it, its times are a test's too.
  FixedRealClock later(Day(9));
  EXPECT_EQ(Open(later).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace returnpath::engine
