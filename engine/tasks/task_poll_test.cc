// TaskQueue long polls.

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "absl/synchronization/notification.h"
#include "engine/task_queue.h"
#include "engine/testing/runtime_test_util.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::Task;

constexpr absl::Duration kLease = absl::Minutes(5);
constexpr absl::Duration kLong = absl::Seconds(60);
constexpr absl::Duration kPatience = absl::Seconds(30);

// One poll's answer, waited for in real time.
struct Answer {
  absl::Notification done;
  absl::StatusOr<std::optional<Task>> result = absl::UnknownError("unset");
  absl::Time at;

  TaskQueue::PollCallback Callback() {
    return [this](absl::StatusOr<std::optional<Task>> r) {
      result = std::move(r);
      at = absl::Now();
      done.Notify();
    };
  }
  bool Wait() { return done.WaitForNotificationWithTimeout(kPatience); }
  std::string TaskId() const {
    return result.ok() && result->has_value() ? (*result)->id() : "";
  }
};

class TaskPollTest : public testing::RuntimeTest {
 protected:
  TaskPollTest() {
    absl::StatusOr<std::unique_ptr<TaskQueue>> queue =
        TaskQueue::Create(store_.get(), &clock_);
    EXPECT_TRUE(queue.ok()) << queue.status();
    queue_ = *std::move(queue);
  }
  ~TaskPollTest() override { queue_.reset(); }

  uint64_t Poll(Answer& answer, absl::Duration wait,
                const std::string& worker = "w1", TaskFilter filter = {}) {
    absl::StatusOr<uint64_t> id = queue_->PollAsync(
        "q", worker, kLease, wait, answer.Callback(), std::move(filter));
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : 0;
  }

  void Open(const std::string& stream, const std::string& id) {
    Append(stream, "open:" + id + ":q:100:5");
  }

  std::unique_ptr<TaskQueue> queue_;
};

TEST_F(TaskPollTest, LeasesAtOnceWhenATaskIsReady) {
  Open("p1", "k1");
  Answer a;
  Poll(a, kLong);
  ASSERT_TRUE(a.Wait());
  ASSERT_TRUE(a.result.ok()) << a.result.status();
  EXPECT_EQ(a.TaskId(), "k1");
  EXPECT_EQ((*a.result)->state(), returnpath::v1::TASK_STATE_LEASED);
  EXPECT_EQ((*a.result)->lease_owner(), "w1");
}

TEST_F(TaskPollTest, WakesWhenATaskArrives) {
  Answer a;
  Poll(a, kLong);
  EXPECT_FALSE(a.done.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  Open("p1", "k1");
  ASSERT_TRUE(a.Wait());
  EXPECT_EQ(a.TaskId(), "k1");
}

TEST_F(TaskPollTest, WakesWhenAnUpdateMovesATaskIntoTheQueue) {
  Append("p1", "open:k1:elsewhere:100:5");
  Answer a;
  Poll(a, kLong);
  Append("p1", "update:k1:q:100:5");
  ASSERT_TRUE(a.Wait());
  EXPECT_EQ(a.TaskId(), "k1");
}

TEST_F(TaskPollTest, TimesOutEmptyAfterTheWait) {
  const absl::Time start = absl::Now();
  Answer a;
  Poll(a, absl::Milliseconds(100));
  ASSERT_TRUE(a.Wait());
  ASSERT_TRUE(a.result.ok()) << a.result.status();
  EXPECT_FALSE(a.result->has_value());
  EXPECT_GE(a.at - start, absl::Milliseconds(100));
}

TEST_F(TaskPollTest, ZeroWaitAnswersAtOnce) {
  Answer empty;
  Poll(empty, absl::ZeroDuration());
  ASSERT_TRUE(empty.Wait());
  EXPECT_TRUE(empty.result.ok() && !empty.result->has_value());
  Open("p1", "k1");
  Answer full;
  Poll(full, absl::ZeroDuration());
  ASSERT_TRUE(full.Wait());
  EXPECT_EQ(full.TaskId(), "k1");
}

TEST_F(TaskPollTest, WakesWhenALeaseRunsOut) {
  Open("p1", "k1");
  ASSERT_TRUE(queue_->Lease("q", "w1", kLease).ok());
  Answer a;
  Poll(a, kLong, "w2");
  EXPECT_FALSE(a.done.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  clock_.Advance(kLease);  // no commit: the clock alone wakes the poll
  ASSERT_TRUE(a.Wait());
  EXPECT_EQ(a.TaskId(), "k1");
  EXPECT_EQ((*a.result)->lease_owner(), "w2");
}

TEST_F(TaskPollTest, WakesWhenARetryDelayEnds) {
  Open("p1", "k1");
  ASSERT_TRUE(queue_->Lease("q", "w1", kLease).ok());
  ASSERT_TRUE(queue_->Fail(TaskRef{"p1", "k1", "w1"}, "busy").ok());
  Answer a;
  Poll(a, kLong, "w2");
  EXPECT_FALSE(a.done.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  clock_.Advance(absl::Seconds(30));
  ASSERT_TRUE(a.Wait());
  EXPECT_EQ(a.TaskId(), "k1");
}

TEST_F(TaskPollTest, OneTaskGoesToOnePollerOnly) {
  Answer first, second;
  Poll(first, kLong, "w1");
  Poll(second, kLong, "w2");
  Open("p1", "k1");
  ASSERT_TRUE(first.Wait());  // the older poll is served first
  EXPECT_EQ(first.TaskId(), "k1");
  EXPECT_FALSE(
      second.done.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  Open("p2", "k2");
  ASSERT_TRUE(second.Wait());
  EXPECT_EQ(second.TaskId(), "k2");
}

TaskFilter OnlyStream(const std::string& stream) {
  return TaskFilter{stream,
                    [stream](const returnpath::v1::StreamRecord& record) {
                      return record.stream_id() == stream;
                    }};
}

// Waiters with different filters share a queue: a task the first in line
// may not take must not hold up the next.
TEST_F(TaskPollTest, EachWaiterGetsOnlyWhatItsFilterAllowsAndNoneBlocksOthers) {
  Open("p1", "k1");
  Answer mine, theirs;
  Poll(mine, kLong, "w1", OnlyStream("p2"));
  Poll(theirs, kLong, "w2", OnlyStream("p1"));
  ASSERT_TRUE(theirs.Wait());
  EXPECT_EQ(theirs.TaskId(), "k1");
  EXPECT_FALSE(
      mine.done.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  Open("p2", "k2");
  ASSERT_TRUE(mine.Wait());
  EXPECT_EQ(mine.TaskId(), "k2");
}

TEST_F(TaskPollTest, ATaskNoWaiterMayTakeIsNotTriedOverAndOver) {
  Open("p1", "k1");
  auto asked = std::make_shared<std::atomic<int>>(0);
  TaskFilter never{"never", [asked](const returnpath::v1::StreamRecord&) {
                     ++*asked;
                     return false;
                   }};
  Answer a;
  const uint64_t id = Poll(a, kLong, "w1", never);
  EXPECT_FALSE(a.done.WaitForNotificationWithTimeout(absl::Milliseconds(200)));
  EXPECT_GE(asked->load(), 1);
  EXPECT_LE(asked->load(), 3);  // once per change, not in a loop
  EXPECT_EQ(store_->GetTask("p1", "k1")->state(),
            returnpath::v1::TASK_STATE_OPEN);
  queue_->CancelPoll(id);
  ASSERT_TRUE(a.Wait());
}

TEST_F(TaskPollTest, CancelAnswersCancelledAndTheTaskStaysServable) {
  Answer a;
  uint64_t id = Poll(a, kLong);
  queue_->CancelPoll(id);
  ASSERT_TRUE(a.Wait());
  EXPECT_EQ(a.result.status().code(), absl::StatusCode::kCancelled);
  queue_->CancelPoll(id);  // ignored
  Open("p1", "k1");
  absl::StatusOr<std::optional<Task>> leased = queue_->Lease("q", "w2", kLease);
  ASSERT_TRUE(leased.ok());
  ASSERT_TRUE(leased->has_value());
  EXPECT_EQ((*leased)->id(), "k1");
}

TEST_F(TaskPollTest, CallbacksMayCallBackIntoTheQueue) {
  Answer second;
  absl::Notification first_done;
  ASSERT_TRUE(queue_
                  ->PollAsync("q", "w1", kLease, absl::ZeroDuration(),
                              [&](absl::StatusOr<std::optional<Task>>) {
                                // Not under the queue's lock: polling again
                                // from here must not deadlock.
                                Poll(second, kLong);
                                first_done.Notify();
                              })
                  .ok());
  ASSERT_TRUE(first_done.WaitForNotificationWithTimeout(kPatience));
  Open("p1", "k1");
  ASSERT_TRUE(second.Wait());
  EXPECT_EQ(second.TaskId(), "k1");
}

TEST_F(TaskPollTest, StopAnswersWaitingPollsUnavailable) {
  Answer a;
  Poll(a, kLong);
  queue_->Stop();
  ASSERT_TRUE(a.done.HasBeenNotified());
  EXPECT_EQ(a.result.status().code(), absl::StatusCode::kUnavailable);
  Answer late;
  EXPECT_EQ(queue_->PollAsync("q", "w", kLease, kLong, late.Callback())
                .status()
                .code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(TaskPollTest, RejectsBadArguments) {
  Answer a;
  EXPECT_EQ(
      queue_->PollAsync("", "w", kLease, kLong, a.Callback()).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      queue_->PollAsync("q", "", kLease, kLong, a.Callback()).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      queue_->PollAsync("q", "w", absl::ZeroDuration(), kLong, a.Callback())
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue_->PollAsync("q", "w", kLease, -absl::Seconds(1), a.Callback())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace returnpath::engine
