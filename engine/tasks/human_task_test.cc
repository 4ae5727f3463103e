// Tasks people work on: claiming a chosen task, handovers, requeued dead
// letters, leases that run out without counting as failures.

#include <string>

#include "commit/sequencer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tasks/task_queue_fixture.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::kLease;
using ::returnpath::engine::testing::TaskQueueTest;
using returnpath::v1::Task;
using ::testing::HasSubstr;

class HumanTaskTest : public TaskQueueTest {
 protected:
  absl::StatusOr<Task> Claim(const std::string& stream, const std::string& id,
                             const std::string& worker,
                             absl::Duration lease = kLease) {
    return AwaitAnswer<Task>([&](TaskQueue::Done<Task> done) {
      queue_->ClaimAsync(TaskRef{stream, id, worker}, lease,
                         absl::UTCTimeZone(), std::move(done));
    });
  }
  absl::StatusOr<Task> Requeue(const std::string& stream, const std::string& id,
                               const std::string& reason) {
    return AwaitAnswer<Task>([&](TaskQueue::Done<Task> done) {
      queue_->RequeueAsync(TaskRef{stream, id, "supervisor"}, reason,
                           std::move(done));
    });
  }
  absl::StatusOr<Task> Reassign(const std::string& stream,
                                const std::string& id, const std::string& from,
                                const std::string& to) {
    return AwaitAnswer<Task>([&](TaskQueue::Done<Task> done) {
      queue_->ReassignAsync(TaskRef{stream, id, from}, to, kLease,
                            std::move(done));
    });
  }
};

TEST_F(HumanTaskTest, ClaimLeasesTheChosenTaskNotTheFirst) {
  Open("p1", "first", 10);
  Open("p2", "chosen", 90);
  absl::StatusOr<Task> claimed = Claim("p2", "chosen", "w1");
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_EQ(claimed->lease_owner(), "w1");
  EXPECT_EQ(Stored("p2", "chosen").state(), returnpath::v1::TASK_STATE_LEASED);
  EXPECT_EQ(LeasedId("w2"), "first");
  EXPECT_FALSE(Lease("w3").has_value());
  EXPECT_TRUE(queue_->Complete(Completion("p2", "chosen", "w1")).ok());
}

TEST_F(HumanTaskTest, ClaimOfATaskHeldByAnotherNamesTheHolderAndLeaseEnd) {
  Open("p1", "k1");
  ASSERT_TRUE(Claim("p1", "k1", "w1").ok());
  absl::StatusOr<Task> second = Claim("p1", "k1", "w2");
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(),
              HasSubstr("held by \"w1\" until 2026-03-01 00:05 (UTC)"));
  EXPECT_EQ(Stored("p1", "k1").lease_owner(), "w1");
  clock_.Advance(kLease);  // w1's lease ran out: w2 may take it
  EXPECT_TRUE(Claim("p1", "k1", "w2").ok());
}

TEST_F(HumanTaskTest, ClaimRefusesClosedAndMissingTasks) {
  Open("p1", "k1");
  ASSERT_TRUE(Claim("p1", "k1", "w1").ok());
  ASSERT_TRUE(queue_->Complete(Completion("p1", "k1", "w1")).ok());
  EXPECT_EQ(Claim("p1", "k1", "w1").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Claim("p1", "nope", "w1").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(HumanTaskTest, HumanLeasesThatRunOutManyTimesNeverDeadLetter) {
  MakeQueue(TaskQueueOptions{.max_attempts = 2,
                             .lease_expiry_counts_as_failure = false});
  Open("p1", "k1");
  for (int lunch = 0; lunch < 10; ++lunch) {
    ASSERT_EQ(LeasedId(absl::StrCat("w", lunch)), "k1") << lunch;
    clock_.Advance(kLease);
  }
  Task task = Stored("p1", "k1");
  EXPECT_EQ(task.attempts(), 0);
  EXPECT_TRUE(queue_->ListDeadLetters("q", 10, "")->tasks.empty());
  EXPECT_EQ(LeasedId("w-last"), "k1");
}

TEST_F(HumanTaskTest, ARequeuedDeadLetterIsOpenWithItsReasonAndCompletes) {
  MakeQueue(TaskQueueOptions{.max_attempts = 1});
  Open("p1", "k1");
  ASSERT_EQ(LeasedId("w1"), "k1");
  ASSERT_TRUE(queue_->Fail(TaskRef{"p1", "k1", "w1"}, "no interpreter").ok());
  ASSERT_EQ(Stored("p1", "k1").state(), returnpath::v1::TASK_STATE_DEAD_LETTER);
  EXPECT_EQ(Claim("p1", "k1", "w1").status().code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<Task> back = Requeue("p1", "k1", "interpreter booked");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->state(), returnpath::v1::TASK_STATE_OPEN);
  EXPECT_EQ(back->attempts(), 0);
  ASSERT_EQ(back->handling_size(), 1);
  EXPECT_EQ(back->handling(0).action(), "requeued");
  EXPECT_EQ(back->handling(0).reason(), "interpreter booked");
  EXPECT_TRUE(queue_->ListDeadLetters("q", 10, "")->tasks.empty());
  EXPECT_EQ(Requeue("p1", "k1", "again").status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(LeasedId("w2"), "k1");
  EXPECT_TRUE(queue_->Complete(Completion("p1", "k1", "w2")).ok());
}

TEST_F(HumanTaskTest, AHandoverMovesTheLeaseAndIsRecorded) {
  Open("p1", "k1");
  ASSERT_TRUE(Claim("p1", "k1", "w1").ok());
  EXPECT_EQ(Reassign("p1", "k1", "w2", "w3").status().code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<Task> handed = Reassign("p1", "k1", "w1", "w2");
  ASSERT_TRUE(handed.ok()) << handed.status();
  EXPECT_EQ(handed->lease_owner(), "w2");
  ASSERT_EQ(handed->handling_size(), 1);
  EXPECT_EQ(handed->handling(0).by(), "w1");
  EXPECT_EQ(handed->handling(0).to(), "w2");
  EXPECT_EQ(queue_->Complete(Completion("p1", "k1", "w1")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(queue_->Complete(Completion("p1", "k1", "w2")).ok());
}

TEST_F(HumanTaskTest, ListHeldFindsLiveLeasesAcrossQueues) {
  Open("p1", "k1", 100, 5, "a");
  Open("p2", "k2", 100, 5, "b");
  Open("p3", "k3", 100, 5, "b");
  ASSERT_TRUE(Claim("p1", "k1", "me/desk").ok());
  ASSERT_TRUE(Claim("p2", "k2", "me").ok());
  ASSERT_TRUE(Claim("p3", "k3", "other").ok());
  auto mine = [](absl::string_view owner) {
    return owner == "me" || absl::StartsWith(owner, "me/");
  };
  absl::StatusOr<std::vector<Task>> held = queue_->ListHeld(mine, 10);
  ASSERT_TRUE(held.ok()) << held.status();
  std::set<std::string> ids;
  for (const Task& t : *held) ids.insert(t.id());
  EXPECT_EQ(ids, (std::set<std::string>{"k1", "k2"}));
  clock_.Advance(kLease);
  EXPECT_TRUE(queue_->ListHeld(mine, 10)->empty());
}

}  // namespace
}  // namespace returnpath::engine
