#include "engine/timer_loop.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/testing/runtime_test_util.h"
#include "gtest/gtest.h"
#include "store/codec.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using returnpath::v1::EventEnvelope;
using returnpath::v1::TimerFired;

constexpr absl::Duration kWait = absl::Seconds(60);

class TimerLoopTest : public testing::RuntimeTest {
 protected:
  ~TimerLoopTest() override { StopLoop(); }

  void StartLoop(TimerLoopOptions options = {}) {
    absl::StatusOr<std::unique_ptr<TimerLoop>> loop =
        TimerLoop::Start(store_.get(), &clock_, options);
    ASSERT_TRUE(loop.ok()) << loop.status();
    loop_ = *std::move(loop);
  }

  void StopLoop() { loop_.reset(); }

  void Settle() { ASSERT_TRUE(loop_->WaitIdle(kWait).ok()); }

  // The stream's TimerFired events.
  std::vector<EventEnvelope> FiredEvents(const std::string& stream) {
    std::vector<EventEnvelope> out;
    for (EventEnvelope& e : Events(stream)) {
      if (e.payload().Is<TimerFired>()) out.push_back(std::move(e));
    }
    return out;
  }

  std::unique_ptr<TimerLoop> loop_;
};

TEST_F(TimerLoopTest, FiresOnceWhenDueAsASystemEventInTheSameBatch) {
  Append("p1", "arm:t1:3");
  StartLoop();
  Settle();
  EXPECT_EQ(Fired("p1", "t1"), 0);

  clock_.SetTime(Day(3));
  Settle();
  std::vector<EventEnvelope> fired = FiredEvents("p1");
  ASSERT_EQ(fired.size(), 1u);
  const EventEnvelope& e = fired[0];
  EXPECT_EQ(e.principal(), "system:timer");
  EXPECT_EQ(e.causation_id(), "timer:t1");
  EXPECT_EQ(FromTimestamp(e.effective_time()), Day(3));
  returnpath::v1::Timer armed;
  armed.set_stream_id("p1");
  armed.set_id("t1");
  *armed.mutable_due_time() = ToTimestamp(Day(3));
  armed.set_armed_at_position(1);
  EXPECT_EQ(e.idempotency_key(), TimerFiredKey(armed));
  TimerFired payload;
  ASSERT_TRUE(e.payload().UnpackTo(&payload));
  EXPECT_EQ(payload.timer_id(), "t1");
  EXPECT_EQ(payload.kind(), "deadline");
  EXPECT_EQ(payload.payload(), "p");
  EXPECT_EQ(FromTimestamp(payload.due_time()), Day(3));
  EXPECT_TRUE(store_->TimersForStream("p1")->empty());

  clock_.Advance(absl::Hours(24 * 30));
  Settle();
  EXPECT_EQ(Fired("p1", "t1"), 1);
  EXPECT_EQ(loop_->stats().fired, 1u);
}

TEST_F(TimerLoopTest, CancelledTimerNeverFires) {
  Append("p1", "arm:t1:3");
  Append("p1", "cancel:t1");
  StartLoop();
  clock_.SetTime(Day(10));
  Settle();
  EXPECT_EQ(Fired("p1", "t1"), 0);
}

TEST_F(TimerLoopTest, ReArmedTimerFiresAtItsNewTimeOnly) {
  Append("p1", "arm:t1:3");
  Append("p1", "arm:t1:6");
  StartLoop();
  clock_.SetTime(Day(4));
  Settle();
  EXPECT_EQ(Fired("p1", "t1"), 0);
  clock_.SetTime(Day(6));
  Settle();
  std::vector<EventEnvelope> fired = FiredEvents("p1");
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(FromTimestamp(fired[0].effective_time()), Day(6));
}

TEST_F(TimerLoopTest, PastDueTimerFiresAtOnceOnTheCommit) {
  StartLoop();
  clock_.SetTime(Day(10));
  Settle();
  // A late-recorded event whose deadline has already passed. No clock move
  // and no Wake: the commit alone must wake the loop.
  Append("p1", "arm:t1:3", Day(2));
  absl::Time give_up = absl::Now() + kWait;
  while (Fired("p1", "t1") == 0 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(2));
  }
  std::vector<EventEnvelope> fired = FiredEvents("p1");
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(FromTimestamp(fired[0].effective_time()), Day(3));
  EXPECT_EQ(FromTimestamp(fired[0].recorded_time()), Day(10));
}

TEST_F(TimerLoopTest, RestartWithTimersPendingFiresEachExactlyOnce) {
  Append("p1", "arm:early:2 arm:late:4");
  StartLoop();
  clock_.SetTime(Day(2));
  Settle();
  EXPECT_EQ(Fired("p1", "early"), 1);
  StopLoop();
  Reopen();  // a restart: early has fired, late is pending

  StartLoop();
  Settle();
  EXPECT_EQ(Fired("p1", "early"), 1);
  EXPECT_EQ(Fired("p1", "late"), 0);
  clock_.SetTime(Day(4));
  Settle();
  EXPECT_EQ(Fired("p1", "early"), 1);
  EXPECT_EQ(Fired("p1", "late"), 1);
}

TEST_F(TimerLoopTest, StopInTheMiddleOfABacklogThenRestartFiresEachOnce) {
  constexpr int kStreams = 20, kPerStream = 50;
  for (int s = 0; s < kStreams; ++s) {
    std::string text;
    for (int i = 0; i < kPerStream; ++i)
      absl::StrAppend(&text, "arm:t", i, ":2 ");
    Append(absl::StrCat("p", s), text);
  }
  StartLoop(TimerLoopOptions{.batch_size = 16});
  clock_.SetTime(Day(2));
  StopLoop();  // wherever it got to
  Reopen();
  StartLoop();
  Settle();
  for (int s = 0; s < kStreams; ++s) {
    for (int i = 0; i < kPerStream; ++i) {
      ASSERT_EQ(Fired(absl::StrCat("p", s), absl::StrCat("t", i)), 1)
          << "p" << s << " t" << i;
    }
  }
}

TEST_F(TimerLoopTest, RejectedTimerIsParkedUntilItsStreamChanges) {
  Append("bad", "armbad:b1:2");
  Append("good", "arm:g1:2");
  StartLoop();
  clock_.SetTime(Day(2));
  Settle();
  EXPECT_EQ(Fired("good", "g1"), 1);
  EXPECT_EQ(Fired("bad", "b1"), 0);
  EXPECT_EQ(loop_->stats().failed, 1u);
  std::vector<TimerLoop::ParkedTimer> parked = loop_->Parked();
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].timer_id, "b1");
  EXPECT_EQ(parked[0].error.code(), absl::StatusCode::kFailedPrecondition);
  // Still armed, as the log says; and not retried while nothing changed.
  EXPECT_EQ(store_->TimersForStream("bad")->size(), 1u);
  clock_.Advance(absl::Hours(1));
  Settle();
  Settle();
  EXPECT_EQ(loop_->stats().failed, 1u);

  Append("bad", "fix");  // the stream changed: try again
  Settle();
  EXPECT_EQ(Fired("bad", "b1"), 1);
  EXPECT_EQ(loop_->stats().parked, 0u);
  EXPECT_TRUE(store_->TimersForStream("bad")->empty());
}

TEST_F(TimerLoopTest, LargeBacklogFiresInBoundedBatchesWhileAppendsComplete) {
  constexpr int kStreams = 200, kPerStream = 100;  // 20,000 timers
  for (int s = 0; s < kStreams; ++s) {
    std::string text;
    for (int i = 0; i < kPerStream; ++i)
      absl::StrAppend(&text, "arm:t", i, ":2 ");
    Append(absl::StrCat("p", s), text);
  }
  StartLoop();
  clock_.SetTime(Day(2));
  absl::Time give_up = absl::Now() + kWait;
  while (loop_->stats().fired < 256 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  // Other writers get in between the loop's batches.
  for (int i = 0; i < 10; ++i) Append("busy", absl::StrCat("note:", i));
  const uint64_t fired_when_appended = loop_->stats().fired;
  EXPECT_LT(fired_when_appended, kStreams * kPerStream);

  ASSERT_TRUE(loop_->WaitIdle(absl::Minutes(5)).ok());
  TimerLoop::Stats stats = loop_->stats();
  EXPECT_EQ(stats.fired, uint64_t{kStreams * kPerStream});
  EXPECT_GE(stats.rounds,
            uint64_t{kStreams * kPerStream} / TimerLoopOptions().batch_size);
  absl::StatusOr<std::vector<returnpath::v1::Timer>> left =
      store_->TimersDue(absl::InfinitePast(), absl::InfiniteFuture(), 10);
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

// The firing key is no secret (reads of a stream show every part of it), so a
// caller who records an event with it first must not switch the timer off:
// on the same stream that made the firing look like a retry (the timer was
// deleted unfired); on another stream it made the firing fail (parked).
TEST_F(TimerLoopTest, ACallerClaimingTheFiringKeyCannotStopOrParkTheTimer) {
  Append("same", "arm:t1:3");
  Append("victim", "arm:t1:3");
  for (const auto& [armed, claimant] :
       {std::pair{"same", "same"}, std::pair{"victim", "other"}}) {
    const std::string key =
        TimerFiredKey(store_->TimersForStream(armed)->at(0));
    ASSERT_TRUE(
        store_->Append(testing::Req(claimant, {"note"}, std::nullopt, key))
            .ok());
  }
  StartLoop();
  clock_.SetTime(Day(3));
  Settle();
  EXPECT_EQ(Fired("same", "t1"), 1);
  EXPECT_EQ(Fired("victim", "t1"), 1);
  EXPECT_EQ(loop_->stats().parked, 0u);
  EXPECT_TRUE(
      store_->TimersDue(absl::InfinitePast(), absl::InfiniteFuture(), 10)
          ->empty());
}

TEST_F(TimerLoopTest, TimersDueAfterPagesOnFromTheLastTimerRead) {
  Append("p1", "arm:a:2 arm:b:2 arm:c:3");
  Append("p2", "arm:a:2");
  absl::StatusOr<std::vector<returnpath::v1::Timer>> all =
      store_->TimersDue(absl::InfinitePast(), absl::InfiniteFuture(), 10);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 4u);
  absl::StatusOr<std::vector<returnpath::v1::Timer>> rest =
      store_->TimersDueAfter((*all)[0], absl::InfiniteFuture(), 10);
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->size(), 3u);
  EXPECT_EQ((*rest)[0].stream_id(), "p1");
  EXPECT_EQ((*rest)[0].id(), "b");
  EXPECT_EQ((*rest)[1].stream_id(), "p2");
  EXPECT_EQ((*rest)[2].id(), "c");
  // `to` still bounds the page: only the day-2 timers are due before day 3.
  rest = store_->TimersDueAfter((*all)[0], Day(3), 10);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->size(), 2u);
}

TEST_F(TimerLoopTest, TimerArmedBehindABacklogIsFiredOnceTheBacklogIsDone) {
  constexpr int kStreams = 20, kPerStream = 50;
  for (int s = 0; s < kStreams; ++s) {
    std::string text;
    for (int i = 0; i < kPerStream; ++i)
      absl::StrAppend(&text, "arm:t", i, ":5 ");
    Append(absl::StrCat("p", s), text);
  }
  StartLoop(TimerLoopOptions{.batch_size = 16});
  clock_.SetTime(Day(10));
  absl::Time give_up = absl::Now() + kWait;
  while (loop_->stats().fired < 64 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  // Due on day 3, before every timer of the backlog: behind the loop's scan.
  Append("late", "arm:x:3", Day(2));
  Settle();
  EXPECT_EQ(Fired("late", "x"), 1);
  for (int s = 0; s < kStreams; ++s) {
    for (int i = 0; i < kPerStream; ++i) {
      ASSERT_EQ(Fired(absl::StrCat("p", s), absl::StrCat("t", i)), 1)
          << "p" << s << " t" << i;
    }
  }
}

TEST_F(TimerLoopTest, StartRejectsBadArguments) {
  EXPECT_EQ(TimerLoop::Start(nullptr, &clock_).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TimerLoop::Start(store_.get(), nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      TimerLoop::Start(store_.get(), &clock_, TimerLoopOptions{.batch_size = 0})
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(TimerLoopTest, ReArmingAFiredTimerForTheSameTimeFiresItAgain) {
  Append("p1", "arm:t1:2");
  StartLoop();
  clock_.SetTime(Day(2));
  Settle();
  ASSERT_EQ(Fired("p1", "t1"), 1);
  Append("p1", "arm:t1:2");  // the workflow wants it again
  Settle();
  EXPECT_EQ(Fired("p1", "t1"), 2);
  EXPECT_TRUE(store_->TimersForStream("p1")->empty());
}

returnpath::v1::Timer MakeTimer(const std::string& stream,
                                const std::string& id, absl::Time due,
                                uint64_t armed_at) {
  returnpath::v1::Timer t;
  t.set_stream_id(stream);
  t.set_id(id);
  *t.mutable_due_time() = ToTimestamp(due);
  t.set_armed_at_position(armed_at);
  return t;
}

TEST(TimerFiredKeyTest, NamesOneArmedTimer) {
  EXPECT_NE(TimerFiredKey(MakeTimer("a:b", "c", Day(1), 1)),
            TimerFiredKey(MakeTimer("a", "b:c", Day(1), 1)));
  EXPECT_NE(TimerFiredKey(MakeTimer("a", "b", Day(1), 1)),
            TimerFiredKey(MakeTimer("a", "b", Day(2), 1)));
  EXPECT_NE(TimerFiredKey(MakeTimer("a", "b", Day(1), 1)),
            TimerFiredKey(MakeTimer("a", "b", Day(1), 7)));
  EXPECT_EQ(TimerFiredKey(MakeTimer("a", "b", Day(1), 1)),
            TimerFiredKey(MakeTimer("a", "b", Day(1), 1)));
}

}  // namespace
}  // namespace returnpath::engine
