// A transition's tasks_to_update: the engine changes an open task in place,
// so the task keeps its id and whoever holds its lease keeps it; a task moved
// to another queue takes its queue entries along and leaves a lease behind.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commit/sequencer.h"
#include "engine/proto_time.h"
#include "engine/replay.h"
#include "engine/task_queue.h"
#include "engine/testing/runtime_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::Req;
using returnpath::v1::Task;
using ::testing::HasSubstr;

constexpr absl::Duration kLease = absl::Minutes(5);

class TaskUpdateTest : public testing::RuntimeTest {
 protected:
  TaskUpdateTest() { MakeQueue(TaskQueueOptions{}); }

  void MakeQueue(const TaskQueueOptions& options) {
    queue_.reset();
    absl::StatusOr<std::unique_ptr<TaskQueue>> queue =
        TaskQueue::Create(store_.get(), &clock_, options);
    EXPECT_TRUE(queue.ok()) << queue.status();
    if (queue.ok()) queue_ = *std::move(queue);
  }
  ~TaskUpdateTest() override { queue_.reset(); }

  Task Stored(const std::string& stream, const std::string& id) {
    absl::StatusOr<Task> task = store_->GetTask(stream, id);
    EXPECT_TRUE(task.ok()) << task.status();
    return task.ok() ? *task : Task();
  }

  std::optional<Task> Lease(const std::string& worker,
                            const std::string& queue = "q") {
    absl::StatusOr<std::optional<Task>> task =
        queue_->Lease(queue, worker, kLease);
    EXPECT_TRUE(task.ok()) << task.status();
    return task.ok() ? *task : std::nullopt;
  }

  std::vector<std::string> ReadyIds(const std::string& queue = "q") {
    absl::StatusOr<std::vector<Task>> ready = store_->ReadyTasks(queue, 10);
    EXPECT_TRUE(ready.ok()) << ready.status();
    std::vector<std::string> ids;
    if (ready.ok()) {
      for (const Task& t : *ready) ids.push_back(t.id());
    }
    return ids;
  }

  // The rebuild from the log alone gives what is stored.
  void ExpectReplayAgrees() {
    absl::StatusOr<ReplayReport> report =
        ReplayCheck(*store_, workflow_, ReplayCheckOptions{});
    ASSERT_TRUE(report.ok()) << report.status();
    for (const ReplayDifference& d : report->differences) {
      ADD_FAILURE() << d.stream_id << " " << d.what << ": " << d.detail;
    }
  }

  absl::StatusOr<Task> Claim(const std::string& id, const std::string& worker) {
    return AwaitAnswer<Task>([&](TaskQueue::Done<Task> done) {
      queue_->ClaimAsync(TaskRef{"p1", id, worker}, kLease, absl::UTCTimeZone(),
                         std::move(done));
    });
  }

  std::vector<std::string> ListedIds(returnpath::v1::TaskState state,
                                     const std::string& queue = "q") {
    TaskListQuery query;
    query.queue = queue;
    query.state = state;
    absl::StatusOr<TaskPage> page = queue_->List(query);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const Task& t : page->tasks) ids.push_back(t.id());
    }
    return ids;
  }

  std::unique_ptr<TaskQueue> queue_;
};

TEST_F(TaskUpdateTest, UpdateKeepsIdLeaseAndAttemptsAndRecordsTheChange) {
  const uint64_t opened = Append("p1", "open:k1:q:30:5").last_position;
  // A lease that runs out counts as an attempt; the next worker holds it.
  ASSERT_TRUE(Lease("w0").has_value());
  clock_.Advance(kLease);
  std::optional<Task> leased = Lease("w1");
  ASSERT_TRUE(leased.has_value());
  ASSERT_EQ(leased->attempts(), 1);

  const uint64_t at = Append("p1", "update:k1:q:20:9").last_position;
  const Task task = Stored("p1", "k1");
  EXPECT_EQ(task.id(), "k1");
  EXPECT_EQ(task.state(), returnpath::v1::TASK_STATE_LEASED);
  EXPECT_EQ(task.lease_owner(), "w1");
  EXPECT_EQ(FromTimestamp(task.lease_expires()),
            FromTimestamp(leased->lease_expires()));
  EXPECT_EQ(task.attempts(), 1);
  EXPECT_EQ(task.opened_at_position(), opened);
  EXPECT_EQ(FromTimestamp(task.created_time()), Day(1));
  EXPECT_EQ(task.priority(), 20);
  EXPECT_EQ(FromTimestamp(task.due_time()), Day(9));
  ASSERT_EQ(task.changes_size(), 1);
  EXPECT_EQ(task.changes(0).position(), at);
  EXPECT_EQ(FromTimestamp(task.changes(0).time()), clock_.Now());
  EXPECT_THAT(task.changes(0).what(), HasSubstr("priority 30 -> 20"));
  EXPECT_THAT(task.changes(0).what(), HasSubstr("due "));
  ExpectReplayAgrees();

  // The holder completes the task they hold, by its id.
  CompleteRequest done;
  done.task = TaskRef{"p1", "k1", "w1"};
  done.outcome = "held";
  ASSERT_TRUE(queue_->Complete(done).ok());
  EXPECT_EQ(Stored("p1", "k1").state(), returnpath::v1::TASK_STATE_COMPLETED);
  ExpectReplayAgrees();
}

TEST_F(TaskUpdateTest, TheReadyIndexFollowsTheNewPriority) {
  Append("p1", "open:a:q:30:5");
  Append("p2", "open:b:q:20:5");
  EXPECT_EQ(ReadyIds(), (std::vector<std::string>{"b", "a"}));
  Append("p1", "update:a:q:10:5");
  EXPECT_EQ(ReadyIds(), (std::vector<std::string>{"a", "b"}));
  // The same update twice in one event records one change, not two.
  Append("p1", "update:a:q:10:5 update:a:q:10:5");
  EXPECT_EQ(Stored("p1", "a").changes_size(), 2);
  std::optional<Task> first = Lease("w");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->id(), "a");
  ExpectReplayAgrees();
  Reopen();
  EXPECT_EQ(Stored("p1", "a").priority(), 10);
}

TEST_F(TaskUpdateTest, AnUpdateOfNoOpenTaskIsRefusedAndWritesNothing) {
  Append("p1", "open:k1:q:30:5 open:k2:q:30:5");
  Append("p1", "close:k2");
  const uint64_t version = Events("p1").size();
  for (const std::string& text :
       {std::string("update:nope:q:20:5"), std::string("update:k2:q:20:5")}) {
    absl::StatusOr<AppendResult> result = store_->Append(Req("p1", {text}));
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal) << text;
    EXPECT_THAT(result.status().message(), HasSubstr("nothing was written"));
  }
  EXPECT_EQ(Events("p1").size(), version);
  EXPECT_EQ(Stored("p1", "k1").priority(), 30);
  EXPECT_EQ(Stored("p1", "k1").changes_size(), 0);
  EXPECT_EQ(ReadyIds(), (std::vector<std::string>{"k1"}));
  ExpectReplayAgrees();
}

TEST_F(TaskUpdateTest, ATaskWaitingOutARetryStaysWithheldUntilItsTime) {
  Append("p1", "open:k1:q:30:5");
  ASSERT_TRUE(Lease("w").has_value());
  absl::StatusOr<Task> failed = queue_->Fail({"p1", "k1", "w"}, "no answer");
  ASSERT_TRUE(failed.ok()) << failed.status();
  const absl::Time visible = FromTimestamp(failed->visible_time());
  ASSERT_GT(visible, clock_.Now());
  Append("p1", "update:k1:q:10:5");
  EXPECT_TRUE(ReadyIds().empty());
  EXPECT_FALSE(Lease("w").has_value());
  ExpectReplayAgrees();
  clock_.SetTime(visible);
  std::optional<Task> again = Lease("w");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->priority(), 10);
  EXPECT_EQ(again->attempts(), 1);
}

TEST_F(TaskUpdateTest, ADeadLetteredTaskIsUpdatedAndStaysDeadLettered) {
  MakeQueue(TaskQueueOptions{.max_attempts = 1});
  Append("p1", "open:k1:q:30:5");
  ASSERT_TRUE(Lease("w").has_value());
  ASSERT_TRUE(queue_->Fail({"p1", "k1", "w"}, "no answer").ok());
  ASSERT_EQ(Stored("p1", "k1").state(), returnpath::v1::TASK_STATE_DEAD_LETTER);
  Append("p1", "update:k1:q:10:5");
  const Task task = Stored("p1", "k1");
  EXPECT_EQ(task.state(), returnpath::v1::TASK_STATE_DEAD_LETTER);
  EXPECT_EQ(task.priority(), 10);
  EXPECT_TRUE(ReadyIds().empty());
  ExpectReplayAgrees();
}

std::vector<std::string> DeadIds(TaskQueue& queue, const std::string& name) {
  absl::StatusOr<TaskPage> page = queue.ListDeadLetters(name, 10, "");
  EXPECT_TRUE(page.ok()) << page.status();
  std::vector<std::string> ids;
  if (page.ok()) {
    for (const Task& t : page->tasks) ids.push_back(t.id());
  }
  return ids;
}

TEST_F(TaskUpdateTest, AnOpenTaskMovesToTheNewQueueKeepingIdDueAndPriority) {
  Append("p1", "open:k1:q:30:5");
  const uint64_t at = Append("p1", "update:k1:q2:30:5").last_position;
  EXPECT_TRUE(ReadyIds("q").empty());
  EXPECT_EQ(ReadyIds("q2"), (std::vector<std::string>{"k1"}));
  const Task task = Stored("p1", "k1");
  EXPECT_EQ(task.queue(), "q2");
  EXPECT_EQ(task.priority(), 30);
  EXPECT_EQ(FromTimestamp(task.due_time()), Day(5));
  ASSERT_EQ(task.changes_size(), 1);
  EXPECT_EQ(task.changes(0).position(), at);
  EXPECT_THAT(task.changes(0).what(), ::testing::StartsWith("queue q -> q2"));
  ExpectReplayAgrees();
  EXPECT_FALSE(Lease("w", "q").has_value());
  std::optional<Task> served = Lease("w", "q2");
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(served->id(), "k1");
}

TEST_F(TaskUpdateTest, ALeasedTaskMovedLosesItsLeaseAndWaitsInTheNewQueue) {
  Append("p1", "open:k1:q:30:5");
  ASSERT_TRUE(Lease("w-old").has_value());
  Append("p1", "update:k1:q2:30:5");
  const Task task = Stored("p1", "k1");
  EXPECT_EQ(task.state(), returnpath::v1::TASK_STATE_OPEN);
  EXPECT_TRUE(task.lease_owner().empty());
  EXPECT_FALSE(task.has_lease_expires());
  ASSERT_EQ(task.handling_size(), 1);
  EXPECT_EQ(task.handling(0).action(), "lease ended");
  EXPECT_EQ(task.handling(0).by(), "w-old");
  EXPECT_EQ(task.handling(0).reason(), "moved to queue q2");
  EXPECT_EQ(ReadyIds("q2"), (std::vector<std::string>{"k1"}));
  ExpectReplayAgrees();

  // The old holder cannot complete it; the old lease's end frees nothing.
  CompleteRequest done;
  done.task = TaskRef{"p1", "k1", "w-old"};
  done.outcome = "held";
  EXPECT_EQ(queue_->Complete(done).status().code(),
            absl::StatusCode::kFailedPrecondition);
  clock_.Advance(kLease + absl::Seconds(1));
  EXPECT_FALSE(Lease("w", "q").has_value());
  std::optional<Task> served = Lease("w-new", "q2");
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(served->id(), "k1");
  EXPECT_EQ(served->attempts(), 0);
}

TEST_F(TaskUpdateTest, ATaskWaitingOutARetryMovesAndStaysWithheldUntilItsTime) {
  Append("p1", "open:k1:q:30:5");
  ASSERT_TRUE(Lease("w").has_value());
  absl::StatusOr<Task> failed = queue_->Fail({"p1", "k1", "w"}, "no answer");
  ASSERT_TRUE(failed.ok()) << failed.status();
  const absl::Time visible = FromTimestamp(failed->visible_time());
  Append("p1", "update:k1:q2:30:5");
  EXPECT_TRUE(ReadyIds("q2").empty());
  EXPECT_FALSE(Lease("w", "q2").has_value());
  ExpectReplayAgrees();
  clock_.SetTime(visible);
  EXPECT_FALSE(Lease("w", "q").has_value());
  std::optional<Task> again = Lease("w", "q2");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->id(), "k1");
}

TEST_F(TaskUpdateTest, ADeadLetteredTaskMovesAsADeadLetter) {
  MakeQueue(TaskQueueOptions{.max_attempts = 1});
  Append("p1", "open:k1:q:30:5");
  ASSERT_TRUE(Lease("w").has_value());
  ASSERT_TRUE(queue_->Fail({"p1", "k1", "w"}, "no answer").ok());
  ASSERT_EQ(DeadIds(*queue_, "q"), (std::vector<std::string>{"k1"}));
  Append("p1", "update:k1:q2:30:5");
  EXPECT_EQ(Stored("p1", "k1").state(), returnpath::v1::TASK_STATE_DEAD_LETTER);
  EXPECT_TRUE(DeadIds(*queue_, "q").empty());
  EXPECT_EQ(DeadIds(*queue_, "q2"), (std::vector<std::string>{"k1"}));
  EXPECT_TRUE(ReadyIds("q2").empty());
  ExpectReplayAgrees();
}

TEST_F(TaskUpdateTest,
       APausedTaskIsNeitherServedNorClaimedNorCompletedUntilResumed) {
  Append("p1", "open:k1:q:30:5");
  ASSERT_TRUE(Lease("w").has_value());
  const uint64_t at = Append("p1", "pause:k1:q:30:5", Day(2)).last_position;
  Task task = Stored("p1", "k1");
  EXPECT_EQ(task.state(), returnpath::v1::TASK_STATE_PAUSED);
  EXPECT_EQ(FromTimestamp(task.paused_time()), Day(2));
  EXPECT_EQ(FromTimestamp(task.due_time()), Day(5));
  EXPECT_TRUE(task.lease_owner().empty());
  ASSERT_EQ(task.handling_size(), 1);
  EXPECT_EQ(task.handling(0).action(), "lease ended");
  EXPECT_EQ(task.handling(0).by(), "w");
  EXPECT_EQ(task.handling(0).reason(), "paused");
  ASSERT_EQ(task.changes_size(), 1);
  EXPECT_EQ(task.changes(0).position(), at);
  EXPECT_THAT(task.changes(0).what(), ::testing::EndsWith("; paused"));
  ExpectReplayAgrees();

  // Not served, not claimable, and its old holder cannot complete it, even
  // after the old lease's end.
  EXPECT_TRUE(ReadyIds().empty());
  EXPECT_FALSE(Lease("w2").has_value());
  absl::StatusOr<Task> claimed = Claim("k1", "w2");
  EXPECT_EQ(claimed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(claimed.status().message(), HasSubstr("paused"));
  CompleteRequest done;
  done.task = TaskRef{"p1", "k1", "w"};
  done.outcome = "held";
  absl::StatusOr<CompleteResult> completed = queue_->Complete(done);
  EXPECT_EQ(completed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(completed.status().message(), HasSubstr("paused"));
  clock_.Advance(kLease + absl::Seconds(1));
  EXPECT_FALSE(Lease("w2").has_value());
  EXPECT_EQ(Stored("p1", "k1").state(), returnpath::v1::TASK_STATE_PAUSED);

  // Listed as paused, and among a queue's tasks by default.
  EXPECT_EQ(ListedIds(returnpath::v1::TASK_STATE_PAUSED),
            (std::vector<std::string>{"k1"}));
  EXPECT_EQ(ListedIds(returnpath::v1::TASK_STATE_UNSPECIFIED),
            (std::vector<std::string>{"k1"}));
  EXPECT_TRUE(ListedIds(returnpath::v1::TASK_STATE_OPEN).empty());

  // Resumed with a new due date: served again, from a fresh start.
  Append("p1", "update:k1:q:30:8", Day(4));
  task = Stored("p1", "k1");
  EXPECT_EQ(task.state(), returnpath::v1::TASK_STATE_OPEN);
  EXPECT_FALSE(task.has_paused_time());
  ASSERT_EQ(task.changes_size(), 2);
  EXPECT_THAT(task.changes(1).what(), HasSubstr("resumed"));
  EXPECT_THAT(task.changes(1).what(), HasSubstr("due "));
  EXPECT_TRUE(ListedIds(returnpath::v1::TASK_STATE_PAUSED).empty());
  ExpectReplayAgrees();
  std::optional<Task> served = Lease("w2");
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(served->id(), "k1");
  EXPECT_EQ(FromTimestamp(served->due_time()), Day(8));
}

TEST_F(TaskUpdateTest, ATaskOpenedPausedMovesAndClosesWithItsPausedEntry) {
  Append("p1", "openpaused:k1:q:30:5", Day(3));
  EXPECT_EQ(Stored("p1", "k1").state(), returnpath::v1::TASK_STATE_PAUSED);
  EXPECT_EQ(FromTimestamp(Stored("p1", "k1").paused_time()), Day(3));
  EXPECT_TRUE(ReadyIds().empty());
  EXPECT_EQ(ListedIds(returnpath::v1::TASK_STATE_PAUSED),
            (std::vector<std::string>{"k1"}));
  ExpectReplayAgrees();
  Append("p1", "pause:k1:q2:30:5");
  EXPECT_TRUE(ListedIds(returnpath::v1::TASK_STATE_PAUSED).empty());
  EXPECT_EQ(ListedIds(returnpath::v1::TASK_STATE_PAUSED, "q2"),
            (std::vector<std::string>{"k1"}));
  ExpectReplayAgrees();
  Append("p1", "close:k1");
  EXPECT_EQ(Stored("p1", "k1").state(), returnpath::v1::TASK_STATE_CANCELLED);
  EXPECT_TRUE(ListedIds(returnpath::v1::TASK_STATE_PAUSED, "q2").empty());
  ExpectReplayAgrees();
}

// The pathway closes a task however its queue left it: a dead letter that is
// no longer needed is cancelled, not left for someone to requeue.
TEST_F(TaskUpdateTest, TheWorkflowClosesADeadLetteredTask) {
  MakeQueue(TaskQueueOptions{.max_attempts = 1});
  Append("p1", "open:k1:q:30:5");
  ASSERT_TRUE(Lease("w").has_value());
  ASSERT_TRUE(queue_->Fail({"p1", "k1", "w"}, "no answer").ok());
  ASSERT_EQ(DeadIds(*queue_, "q"), (std::vector<std::string>{"k1"}));
  const uint64_t at = Append("p1", "close:k1").last_position;
  const Task task = Stored("p1", "k1");
  EXPECT_EQ(task.state(), returnpath::v1::TASK_STATE_CANCELLED);
  EXPECT_EQ(task.closed_at_position(), at);
  EXPECT_TRUE(DeadIds(*queue_, "q").empty());
  ExpectReplayAgrees();
}

}  // namespace
}  // namespace returnpath::engine
