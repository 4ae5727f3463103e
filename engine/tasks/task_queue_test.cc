#include "engine/task_queue.h"

#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "commit/sequencer.h"
#include "engine/testing/runtime_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/codec.h"
#include "tasks/task_commands.h"
#include "tasks/task_queue_fixture.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::kLease;
using ::returnpath::engine::testing::TaskQueueTest;
using returnpath::v1::Task;
using returnpath::v1::TaskCompleted;
using ::testing::HasSubstr;

TEST_F(TaskQueueTest, PoliceReferralsAreServedByFeasibilityThenOverstay) {
  // The workflow writes feasibility as priority (lower first) and a longer
  // overstay as an earlier due date.
  Open("p1", "infeasible-long", 30, 1, "police/pu");
  Open("p2", "feasible-short", 10, 9, "police/pu");
  Open("p3", "partly-feasible", 20, 3, "police/pu");
  Open("p4", "feasible-long", 10, 4, "police/pu");
  Open("p5", "elsewhere", 1, 1, "advisers/oslo");
  std::vector<std::string> order;
  while (std::optional<Task> t = Lease("pu-1", "police/pu")) {
    order.push_back(t->id());
  }
  EXPECT_EQ(order,
            (std::vector<std::string>{"feasible-long", "feasible-short",
                                      "partly-feasible", "infeasible-long"}));
}

TEST_F(TaskQueueTest, LeaseMarksTheTaskLeasedWithOwnerAndExpiry) {
  Open("p1", "k1");
  std::optional<Task> task = Lease("w1");
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(task->state(), returnpath::v1::TASK_STATE_LEASED);
  EXPECT_EQ(task->lease_owner(), "w1");
  EXPECT_EQ(FromTimestamp(task->lease_expires()), Day(1) + kLease);
  EXPECT_EQ(Stored("p1", "k1").state(), returnpath::v1::TASK_STATE_LEASED);
  EXPECT_TRUE(store_->ReadyTasks("q", 10)->empty());
  EXPECT_FALSE(Lease("w2").has_value());
}

TEST_F(TaskQueueTest, ExpiredLeaseMakesTheTaskServableAgain) {
  Open("p1", "k1");
  ASSERT_EQ(LeasedId("w1"), "k1");
  clock_.Advance(kLease - absl::Seconds(1));
  EXPECT_FALSE(Lease("w2").has_value());
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(LeasedId("w2"), "k1");
  EXPECT_EQ(queue_->Complete(Completion("p1", "k1", "w1")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(queue_->Complete(Completion("p1", "k1", "w2")).ok());
}

TEST_F(TaskQueueTest, LeasesThatRunOutCountAsFailedAttemptsThenDeadLetter) {
  MakeQueue(TaskQueueOptions{.max_attempts = 2});
  Open("p1", "k1");
  ASSERT_EQ(LeasedId("w1"), "k1");
  clock_.Advance(kLease);  // w1 crashed
  ASSERT_EQ(LeasedId("w2"), "k1");
  Task second = Stored("p1", "k1");
  EXPECT_EQ(second.attempts(), 1);
  EXPECT_EQ(second.lease_owner(), "w2");
  EXPECT_THAT(second.last_error(), HasSubstr("lease of \"w1\" ran out"));
  clock_.Advance(kLease);  // w2 crashed too
  EXPECT_FALSE(Lease("w3").has_value());
  Task dead = Stored("p1", "k1");
  EXPECT_EQ(dead.state(), returnpath::v1::TASK_STATE_DEAD_LETTER);
  EXPECT_EQ(dead.attempts(), 2);
  EXPECT_THAT(dead.last_error(), HasSubstr("lease of \"w2\" ran out"));
  absl::StatusOr<TaskPage> letters = queue_->ListDeadLetters("q", 0, "");
  ASSERT_TRUE(letters.ok()) << letters.status();
  ASSERT_EQ(letters->tasks.size(), 1u);
  EXPECT_EQ(letters->tasks[0].id(), "k1");
  EXPECT_EQ(queue_->Complete(Completion("p1", "k1", "w2")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(TaskQueueTest, CompleteRecordsTaskCompletedAndTheWorkflowClosesTheTask) {
  Open("p1", "k1");
  ASSERT_EQ(LeasedId("w1"), "k1");
  CompleteRequest request = Completion("p1", "k1", "w1");
  request.principal = "adviser:kari";
  request.idempotency_key = "complete-k1";
  absl::StatusOr<CompleteResult> done = queue_->Complete(request);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_FALSE(done->deduplicated);

  std::vector<returnpath::v1::EventEnvelope> events = Events("p1");
  ASSERT_EQ(events.size(), 2u);
  const returnpath::v1::EventEnvelope& e = events.back();
  EXPECT_EQ(e.position(), done->position);
  EXPECT_EQ(e.principal(), "adviser:kari");
  EXPECT_EQ(e.causation_id(), "task:k1");
  EXPECT_EQ(FromTimestamp(e.effective_time()), Day(1));
  TaskCompleted completed;
  ASSERT_TRUE(e.payload().UnpackTo(&completed));
  EXPECT_EQ(completed.task_id(), "k1");
  EXPECT_EQ(completed.kind(), "visit");
  EXPECT_EQ(completed.outcome(), "held");
  EXPECT_EQ(completed.note(), "went well");
  EXPECT_EQ(completed.worker(), "w1");

  Task task = Stored("p1", "k1");
  EXPECT_EQ(task.state(), returnpath::v1::TASK_STATE_COMPLETED);
  EXPECT_EQ(task.outcome(), "held");
  EXPECT_EQ(task.closed_at_position(), done->position);
}

// The asynchronous calls answer from the sequencer once the group is
// durable: not while writes are held back, then with the result (its event
// already at the durable end of the log) or the error.
TEST_F(TaskQueueTest, AsyncCallsAnswerOnceTheWriteIsDurable) {
  Open("p1", "k1");
  ASSERT_EQ(LeasedId("w1"), "k1");
  absl::Notification release;
  CommandQueueOf(*store_)->Submit(
      Command{[&release](CommandContext&) {
                release.WaitForNotification();  // holds every later write back
                return absl::OkStatus();
              },
              [](absl::Status) {}});

  absl::Notification completed;
  absl::StatusOr<CompleteResult> result = absl::UnknownError("not answered");
  uint64_t durable_end = 0;
  queue_->CompleteAsync(Completion("p1", "k1", "w1"),
                        [&](absl::StatusOr<CompleteResult> r) {
                          durable_end = store_->LastPosition();
                          result = std::move(r);
                          completed.Notify();
                        });
  absl::Notification failed;
  absl::Status refusal;
  queue_->FailAsync(TaskRef{"p1", "k1", "w2"}, "not mine",
                    [&](absl::StatusOr<Task> r) {
                      refusal = r.status();
                      failed.Notify();
                    });
  EXPECT_FALSE(completed.HasBeenNotified());
  EXPECT_FALSE(failed.HasBeenNotified());

  release.Notify();
  completed.WaitForNotification();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->deduplicated);
  EXPECT_GE(durable_end, result->position);
  failed.WaitForNotification();
  EXPECT_EQ(refusal.code(), absl::StatusCode::kFailedPrecondition) << refusal;

  // A bad reference is answered at once, on the caller's thread.
  absl::Status bad;
  queue_->ReleaseAsync(TaskRef{"", "k1", "w1"},
                       [&](absl::StatusOr<Task> r) { bad = r.status(); });
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument) << bad;
}

TEST_F(TaskQueueTest, CompletingACompletedTaskAgainReturnsTheFirstResult) {
  Open("p1", "k1");
  ASSERT_EQ(LeasedId("w1"), "k1");
  absl::StatusOr<CompleteResult> first =
      queue_->Complete(Completion("p1", "k1", "w1"));
  ASSERT_TRUE(first.ok());
  absl::StatusOr<CompleteResult> second =
      queue_->Complete(Completion("p1", "k1", "w1"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->deduplicated);
  EXPECT_EQ(second->position, first->position);
  EXPECT_EQ(Events("p1").size(), 2u);
}

// Another outcome, or another worker, is not a retry: answering OK would tell
// them their outcome was recorded.
TEST_F(TaskQueueTest, CompletingACompletedTaskDifferentlyIsAlreadyExists) {
  Open("p1", "k1");
  ASSERT_EQ(LeasedId("w1"), "k1");
  ASSERT_TRUE(queue_->Complete(Completion("p1", "k1", "w1")).ok());
  CompleteRequest other_outcome = Completion("p1", "k1", "w1");
  other_outcome.outcome = "something else";
  absl::Status refused = queue_->Complete(other_outcome).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kAlreadyExists) << refused;
  EXPECT_THAT(std::string(refused.message()), HasSubstr("\"held\""));
  refused = queue_->Complete(Completion("p1", "k1", "w2")).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kAlreadyExists) << refused;
  EXPECT_EQ(Events("p1").size(), 2u);
  EXPECT_EQ(Stored("p1", "k1").outcome(), "held");
}

// A filter over the task's stream: a caller leases only tasks of the streams
// it may see.
TEST_F(TaskQueueTest, LeaseTakesOnlyWhatTheFilterAllowsAndLeavesTheRest) {
  Open("p1", "k1", /*priority=*/10);  // first in serving order
  Open("p2", "k2", /*priority=*/20);
  TaskFilter only_p2{"p2", [](const returnpath::v1::StreamRecord& stream) {
                       return stream.stream_id() == "p2";
                     }};
  absl::StatusOr<std::optional<Task>> got =
      queue_->Lease("q", "w1", kLease, only_p2);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->id(), "k2");
  got = queue_->Lease("q", "w1", kLease, only_p2);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->has_value());
  EXPECT_EQ(Stored("p1", "k1").state(), returnpath::v1::TASK_STATE_OPEN);
  EXPECT_EQ(LeasedId("w2"), "k1");  // still there for a worker who may

  // An expired lease comes back for everyone, but only the allowed lease it.
  clock_.Advance(kLease * 2);
  got = queue_->Lease("q", "w3", kLease, only_p2);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->id(), "k2");
  EXPECT_EQ(Stored("p1", "k1").state(), returnpath::v1::TASK_STATE_OPEN);
}

TEST_F(TaskQueueTest, CompleteWithAKeyUsedForAnotherRequestChangesNothing) {
  Open("p1", "k1");
  ASSERT_EQ(LeasedId("w1"), "k1");
  ASSERT_TRUE(
      store_->Append(testing::Req("p1", {"note"}, std::nullopt, "used")).ok());
  const uint64_t last = store_->LastPosition();
  CompleteRequest request = Completion("p1", "k1", "w1");
  request.idempotency_key = "used";
  EXPECT_EQ(queue_->Complete(request).status(),
            absl::AlreadyExistsError(
                "idempotency_key was already used for a different request"));
  EXPECT_EQ(store_->LastPosition(), last);
  Task task = Stored("p1", "k1");
  EXPECT_EQ(task.state(), returnpath::v1::TASK_STATE_LEASED);
  EXPECT_EQ(task.lease_owner(), "w1");

  // With a fresh key it completes; a true retry is answered as before.
  request.idempotency_key = "complete-k1";
  absl::StatusOr<CompleteResult> done = queue_->Complete(request);
  ASSERT_TRUE(done.ok()) << done.status();
  absl::StatusOr<CompleteResult> retry = queue_->Complete(request);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->deduplicated);
  EXPECT_EQ(retry->position, done->position);
}

TEST_F(TaskQueueTest, TheEngineClosesACompletedTaskTheWorkflowLeftOpen) {
  Append("p1", "deaf");  // the fake workflow stops closing on completion
  Open("p1", "k1");
  ASSERT_EQ(LeasedId("w1"), "k1");
  absl::StatusOr<CompleteResult> done =
      queue_->Complete(Completion("p1", "k1", "w1"));
  ASSERT_TRUE(done.ok());
  Task task = Stored("p1", "k1");
  EXPECT_EQ(task.state(), returnpath::v1::TASK_STATE_COMPLETED);
  EXPECT_EQ(task.closed_at_position(), done->position);
  clock_.Advance(kLease * 2);
  EXPECT_FALSE(Lease("w2").has_value());
}

TEST_F(TaskQueueTest, CompleteNamesTheTaskWhenItCannot) {
  Open("p1", "open-task");
  Open("p1", "cancelled");
  Append("p1", "close:cancelled");
  Open("p2", "leased");
  absl::Status s = queue_->Complete(Completion("p1", "nope", "w1")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "task \"nope\" of \"p1\" does not exist");

  s = queue_->Complete(Completion("p1", "open-task", "w1")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "task \"open-task\" of \"p1\" is not leased by \"w1\"; "
            "lease it before completing it");

  s = queue_->Complete(Completion("p1", "cancelled", "w1")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);

  while (std::optional<Task> t = Lease("w9")) {
    if (t->id() == "leased") break;
  }
  s = queue_->Complete(Completion("p2", "leased", "w1")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "task \"leased\" of \"p2\" is leased by \"w9\", not by \"w1\"");

  EXPECT_EQ(queue_->Complete(Completion("p1", "open-task", "")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TaskQueueTest, CompleteAfterTheLeaseRanOutIsAllowedForTheLastHolder) {
  Open("p1", "k1");
  ASSERT_EQ(LeasedId("w1"), "k1");
  clock_.Advance(kLease * 3);
  EXPECT_TRUE(queue_->Complete(Completion("p1", "k1", "w1")).ok());
}

TEST_F(TaskQueueTest, FailRetriesWithExponentialBackoffThenDeadLetters) {
  MakeQueue(TaskQueueOptions{.max_attempts = 3,
                             .retry_base = absl::Seconds(30),
                             .retry_max = absl::Hours(1)});
  Open("p1", "k1");
  ASSERT_EQ(LeasedId("w1"), "k1");
  TaskRef ref{"p1", "k1", "w1"};

  absl::StatusOr<Task> failed = queue_->Fail(ref, "phone line down");
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->state(), returnpath::v1::TASK_STATE_OPEN);
  EXPECT_EQ(failed->attempts(), 1);
  EXPECT_EQ(failed->last_error(), "phone line down");
  EXPECT_EQ(FromTimestamp(failed->visible_time()), Day(1) + absl::Seconds(30));
  EXPECT_TRUE(store_->ReadyTasks("q", 10)->empty());  // not before its time
  EXPECT_FALSE(Lease("w1").has_value());
  clock_.Advance(absl::Seconds(30));
  ASSERT_EQ(LeasedId("w1"), "k1");

  failed = queue_->Fail(ref, "still down");
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->attempts(), 2);
  clock_.Advance(absl::Seconds(59));
  EXPECT_FALSE(Lease("w1").has_value());
  clock_.Advance(absl::Seconds(1));  // 30 s * 2^1
  ASSERT_EQ(LeasedId("w1"), "k1");

  failed = queue_->Fail(ref, "gave up");
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->state(), returnpath::v1::TASK_STATE_DEAD_LETTER);
  EXPECT_EQ(failed->attempts(), 3);
  clock_.Advance(absl::Hours(10));
  EXPECT_FALSE(Lease("w1").has_value());
  absl::StatusOr<TaskPage> dead = queue_->ListDeadLetters("q", 0, "");
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->tasks.size(), 1u);
  EXPECT_EQ(dead->tasks[0].id(), "k1");
  EXPECT_EQ(queue_->Complete(Completion("p1", "k1", "w1")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(queue_->Fail(ref, "again").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// Tally reads open tasks from their ready entries' keys alone; it must count
// what reading every live task's record counts.
TEST_F(TaskQueueTest, TallyCountsWhatTheTaskRecordsSay) {
  MakeQueue(TaskQueueOptions{.max_attempts = 2,
                             .retry_base = absl::Hours(1),
                             .retry_max = absl::Hours(1)});
  // Lower priorities are served first: dead, then retrying, then leased.
  Open("p1", "open-later", 100, 9);
  Open("p2", "open-overdue", 100, 2);
  Open("p3", "open-other", 50, 3, "r");
  Open("p4", "leased", 3, 2);
  Open("p5", "retrying", 2, 2);
  Open("p6", "dead", 1, 2);
  ASSERT_EQ(LeasedId("w"), "dead");
  ASSERT_TRUE(queue_->Fail(TaskRef{"p6", "dead", "w"}, "busy").ok());
  clock_.Advance(absl::Hours(2));
  ASSERT_EQ(LeasedId("w"), "dead");
  ASSERT_TRUE(queue_->Fail(TaskRef{"p6", "dead", "w"}, "gave up").ok());
  ASSERT_EQ(LeasedId("w"), "retrying");
  ASSERT_TRUE(queue_->Fail(TaskRef{"p5", "retrying", "w"}, "busy").ok());
  ASSERT_EQ(LeasedId("w"), "leased");

  std::map<std::string, QueueTally> read;
  ASSERT_TRUE(queue_
                  ->VisitLive("",
                              [&](const Task& task) {
                                QueueTally& q = read[task.queue()];
                                const absl::Time due =
                                    FromTimestamp(task.due_time());
                                switch (task.state()) {
                                  case returnpath::v1::TASK_STATE_OPEN:
                                    ++q.open;
                                    q.earliest_open_due =
                                        std::min(q.earliest_open_due, due);
                                    q.overdue += due < Day(4);
                                    break;
                                  case returnpath::v1::TASK_STATE_LEASED:
                                    ++q.leased;
                                    q.overdue += due < Day(4);
                                    break;
                                  case returnpath::v1::TASK_STATE_DEAD_LETTER:
                                    ++q.dead_lettered;
                                    break;
                                  default:
                                    break;
                                }
                              })
                  .ok());
  absl::StatusOr<std::map<std::string, QueueTally>> tallied =
      queue_->Tally(Day(4));
  ASSERT_TRUE(tallied.ok()) << tallied.status();
  ASSERT_EQ(tallied->size(), 2u);
  for (const auto& [name, expected] : read) {
    const QueueTally& got = tallied->at(name);
    EXPECT_EQ(got.open, expected.open) << name;
    EXPECT_EQ(got.leased, expected.leased) << name;
    EXPECT_EQ(got.overdue, expected.overdue) << name;
    EXPECT_EQ(got.dead_lettered, expected.dead_lettered) << name;
    EXPECT_EQ(got.paused, expected.paused) << name;
    EXPECT_EQ(got.earliest_open_due, expected.earliest_open_due) << name;
  }
  const QueueTally& q = tallied->at("q");
  EXPECT_EQ(q.open, 3);  // later, overdue, and the one in its retry delay
  EXPECT_EQ(q.leased, 1);
  EXPECT_EQ(q.overdue, 3);
  EXPECT_EQ(q.dead_lettered, 1);
  EXPECT_EQ(tallied->at("r").open, 1);
}

TEST_F(TaskQueueTest, RetryDelayDoublesUpToTheCap) {
  TaskQueueOptions o{.retry_base = absl::Seconds(30),
                     .retry_max = absl::Minutes(5)};
  EXPECT_EQ(task_commands::RetryDelay(o, 0), absl::Seconds(30));
  EXPECT_EQ(task_commands::RetryDelay(o, 1), absl::Seconds(60));
  EXPECT_EQ(task_commands::RetryDelay(o, 3), absl::Seconds(240));
  EXPECT_EQ(task_commands::RetryDelay(o, 4), absl::Minutes(5));
  EXPECT_EQ(task_commands::RetryDelay(o, 1000), absl::Minutes(5));
}

TEST_F(TaskQueueTest, ReleaseMakesTheTaskServableAtOnce) {
  Open("p1", "k1");
  ASSERT_EQ(LeasedId("w1"), "k1");
  EXPECT_EQ(queue_->Release(TaskRef{"p1", "k1", "w2"}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<Task> released = queue_->Release(TaskRef{"p1", "k1", "w1"});
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(released->state(), returnpath::v1::TASK_STATE_OPEN);
  EXPECT_TRUE(released->lease_owner().empty());
  EXPECT_EQ(LeasedId("w2"), "k1");
  EXPECT_EQ(queue_->Release(TaskRef{"p1", "nope", "w2"}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(TaskQueueTest, ExtendLeaseKeepsTheTaskPastItsFirstExpiry) {
  Open("p1", "k1");
  ASSERT_EQ(LeasedId("w1"), "k1");
  clock_.Advance(absl::Minutes(4));
  absl::StatusOr<Task> extended =
      queue_->ExtendLease(TaskRef{"p1", "k1", "w1"}, absl::Minutes(10));
  ASSERT_TRUE(extended.ok()) << extended.status();
  EXPECT_EQ(FromTimestamp(extended->lease_expires()),
            Day(1) + absl::Minutes(14));
  clock_.Advance(absl::Minutes(5));  // past the first expiry
  EXPECT_FALSE(Lease("w2").has_value());
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(LeasedId("w2"), "k1");
  EXPECT_EQ(
      queue_->ExtendLease(TaskRef{"p1", "k1", "w1"}, kLease).status().code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST_F(TaskQueueTest, LeaseRejectsBadArguments) {
  EXPECT_EQ(queue_->Lease("q", "w", absl::ZeroDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue_->Lease("q", "w", absl::Hours(13)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue_->Lease("", "w", kLease).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue_->Lease("q", "", kLease).status().code(),
            absl::StatusCode::kInvalidArgument);
}

std::vector<std::string> Ids(const std::vector<Task>& tasks) {
  std::vector<std::string> ids;
  for (const Task& t : tasks) ids.push_back(t.id());
  return ids;
}

TEST_F(TaskQueueTest, ListsByStateInPages) {
  // a..g in serving order.
  for (char c = 'a'; c <= 'g'; ++c) Open("p1", std::string(1, c), 100 + c);
  ASSERT_EQ(LeasedId("w"), "a");
  ASSERT_EQ(LeasedId("w"), "b");
  ASSERT_EQ(LeasedId("w"), "c");
  ASSERT_TRUE(queue_->Fail(TaskRef{"p1", "a", "w"}, "later").ok());
  ASSERT_TRUE(queue_->Complete(Completion("p1", "c", "w")).ok());
  Append("p1", "close:g");

  auto list_all = [&](returnpath::v1::TaskState state, int page_size) {
    std::vector<std::string> ids;
    TaskListQuery query{"q", state, page_size, ""};
    for (int pages = 0; pages < 20; ++pages) {
      absl::StatusOr<TaskPage> page = queue_->List(query);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      EXPECT_LE(page->tasks.size(), size_t(page_size));
      for (const std::string& id : Ids(page->tasks)) ids.push_back(id);
      if (page->next_page_token.empty()) break;
      query.page_token = page->next_page_token;
    }
    return ids;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(list_all(returnpath::v1::TASK_STATE_OPEN, 2),
            (V{"d", "e", "f", "a"}));  // servable first, then waiting
  EXPECT_EQ(list_all(returnpath::v1::TASK_STATE_LEASED, 2), (V{"b"}));
  EXPECT_EQ(list_all(returnpath::v1::TASK_STATE_UNSPECIFIED, 3),
            (V{"d", "e", "f", "a", "b"}));
  EXPECT_EQ(list_all(returnpath::v1::TASK_STATE_COMPLETED, 1), (V{"c"}));
  EXPECT_EQ(list_all(returnpath::v1::TASK_STATE_CANCELLED, 5), (V{"g"}));
  EXPECT_EQ(list_all(returnpath::v1::TASK_STATE_DEAD_LETTER, 5), V{});

  EXPECT_EQ(queue_->List(TaskListQuery{"q", {}, 2, "garbage!"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue_->List(TaskListQuery{"q", {}, -1, ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(queue_->List(TaskListQuery{"", {}, 2, ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TaskQueueTest, ConcurrentWorkersNeverGetTheSameTask) {
  constexpr int kTasks = 300;
  for (int i = 0; i < kTasks; i += 30) {
    std::string text;
    for (int j = i; j < i + 30; ++j)
      absl::StrAppend(&text, "open:k", j, ":q:100:5 ");
    Append(absl::StrCat("p", i), text);
  }
  std::vector<std::vector<std::string>> got(8);
  std::vector<std::thread> workers;
  for (int w = 0; w < 8; ++w) {
    workers.emplace_back([&, w] {
      while (true) {
        absl::StatusOr<std::optional<Task>> t =
            queue_->Lease("q", absl::StrCat("w", w), kLease);
        if (!t.ok() || !t->has_value()) break;
        got[w].push_back(absl::StrCat((*t)->stream_id(), "/", (*t)->id()));
      }
    });
  }
  for (std::thread& t : workers) t.join();
  std::set<std::string> all;
  size_t total = 0;
  for (const auto& ids : got) {
    total += ids.size();
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(total, size_t{kTasks});
  EXPECT_EQ(all.size(), size_t{kTasks});
}

TEST_F(TaskQueueTest, LeasesSurviveARestart) {
  Open("p1", "k1");
  ASSERT_EQ(LeasedId("w1"), "k1");
  queue_.reset();
  Reopen();
  MakeQueue(TaskQueueOptions{});
  EXPECT_FALSE(Lease("w2").has_value());
  clock_.Advance(kLease);
  EXPECT_EQ(LeasedId("w2"), "k1");
}

// The asynchronous task calls, awaited.
}  // namespace
}  // namespace returnpath::engine
