#include "store/keys.h"

#include "gtest/gtest.h"

namespace returnpath::engine::keys {
namespace {

TEST(KeysTest, PositionsSortNumerically) {
  EXPECT_LT(Event(255), Event(256));
  EXPECT_LT(Event(1), Event(uint64_t{1} << 40));
  uint64_t p = 0;
  ASSERT_TRUE(DecodeEvent(Event(123456789), &p));
  EXPECT_EQ(p, 123456789u);
  EXPECT_FALSE(DecodeEvent("short", &p));
}

TEST(KeysTest, TimesSortNumericallyAcrossTheEpoch) {
  absl::Time before = absl::FromUnixMicros(-5);
  absl::Time after = absl::FromUnixMicros(5);
  EXPECT_LT(TimeOnly(absl::InfinitePast()), TimeOnly(before));
  EXPECT_LT(TimeOnly(before), TimeOnly(absl::UnixEpoch()));
  EXPECT_LT(TimeOnly(after), TimeOnly(absl::InfiniteFuture()));
  EXPECT_LT(TimerDue(before, "zz", "zz"), TimerDue(after, "aa", "aa"));
}

TEST(KeysTest, StreamVersionsStayWithinTheirStream) {
  // "a" and "a b" must not interleave: the separator sorts first.
  EXPECT_LT(StreamVersion("a", ~uint64_t{0}), StreamVersion("a b", 1));
  std::string stream;
  uint64_t version = 0;
  ASSERT_TRUE(DecodeStreamVersion(StreamVersion("p-1", 7), &stream, &version));
  EXPECT_EQ(stream, "p-1");
  EXPECT_EQ(version, 7u);
}

TEST(KeysTest, ReadyOrderIsPriorityThenDue) {
  absl::Time early = absl::FromUnixSeconds(100),
             late = absl::FromUnixSeconds(200);
  EXPECT_LT(TaskReady("q", -1, late, "s", "t"),
            TaskReady("q", 0, early, "s", "t"));
  EXPECT_LT(TaskReady("q", 5, early, "z", "z"),
            TaskReady("q", 5, late, "a", "a"));
  std::string queue, stream, id;
  ASSERT_TRUE(
      DecodeTaskReady(TaskReady("advisers/oslo", 3, early, "p-1", "t-1"),
                      &queue, &stream, &id));
  EXPECT_EQ(queue, "advisers/oslo");
  EXPECT_EQ(stream, "p-1");
  EXPECT_EQ(id, "t-1");
}

TEST(KeysTest, TimerAndIndexKeysRoundTrip) {
  absl::Time due = absl::FromUnixMicros(1234567);
  absl::Time got;
  std::string stream, id;
  ASSERT_TRUE(
      DecodeTimerDue(TimerDue(due, "p-1", "deadline"), &got, &stream, &id));
  EXPECT_EQ(got, due);
  EXPECT_EQ(stream, "p-1");
  EXPECT_EQ(id, "deadline");
  std::string index_key;
  ASSERT_TRUE(DecodeIndexEntry(IndexEntry("stage/OVERSTAYED", "p-2"),
                               &index_key, &stream));
  EXPECT_EQ(index_key, "stage/OVERSTAYED");
  EXPECT_EQ(stream, "p-2");
}

// Caller keys are UTF-8 (the append path refuses others), which never holds
// 0xff: whatever a caller writes, it cannot spell an engine key.
TEST(KeysTest, EngineIdempotencyKeysAreOutOfCallersReach) {
  const std::string key = "timer:2:p1:t1@5#1";
  EXPECT_EQ(CallerIdempotency(key), key);
  EXPECT_NE(EngineIdempotency(key), CallerIdempotency(key));
  EXPECT_EQ(EngineIdempotency(key).front(), '\xff');
}

}  // namespace
}  // namespace returnpath::engine::keys
