#include "engine/clock.h"

#include <atomic>

#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1767225600);  // 2026-01-01

TEST(ManualClockTest, MovesOnlyForwardAndNotifiesListeners) {
  ManualClock clock(kStart);
  std::atomic<int> calls{0};
  clock.AddListener([&] { ++calls; });
  clock.Advance(absl::Hours(1));
  EXPECT_EQ(clock.Now(), kStart + absl::Hours(1));
  clock.SetTime(kStart);  // earlier: ignored
  EXPECT_EQ(clock.Now(), kStart + absl::Hours(1));
  EXPECT_EQ(calls.load(), 2);
}

TEST(ManualClockTest, WaitsUntilToldUnlessDue) {
  ManualClock clock(kStart);
  EXPECT_EQ(clock.RealWaitFor(kStart), absl::ZeroDuration());
  EXPECT_EQ(clock.RealWaitFor(kStart + absl::Seconds(1)),
            absl::InfiniteDuration());
}

TEST(VirtualClockTest, JumpsToTheDeadline) {
  VirtualClock clock(kStart);
  EXPECT_EQ(clock.RealWaitFor(kStart + absl::Hours(24)), absl::ZeroDuration());
  EXPECT_EQ(clock.Now(), kStart + absl::Hours(24));
}

TEST(SystemClockTest, IsNearAbslNow) {
  auto clock = NewSystemClock();
  EXPECT_LT(absl::AbsDuration(clock->Now() - absl::Now()), absl::Seconds(5));
}

}  // namespace
}  // namespace returnpath::engine
