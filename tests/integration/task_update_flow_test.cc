// A fact that changes an open task, end to end through the real daemon: a
// travel document recorded while the police hold the referral re-ranks it in
// place, so the officer keeps the lease and completes it by its id, and the
// task says what changed and why.

#include "gmock/gmock.h"
#include "returnpath/v1/engine.pb.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

class TaskUpdateFlowTest : public IntegrationTest {
 protected:
  DaemonOptions Options() const override { return NationalTeam(); }
};

TEST_F(TaskUpdateFlowTest, ATravelDocumentReRanksTheReferralThePoliceHold) {
  RP_ASSERT_OK(Register({.id = "P-9", .switches = {"identity-unclarified"}}));
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T08:00:00Z")));
  RP_ASSERT_OK(Record("P-9", "final-rejection", {{"notified", "2026-03-02"}}));
  // The deadline (2026-03-23) passes: the police get the referral.
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-25T08:00:00Z")));
  RP_ASSERT_OK(WaitForTimer("P-9", "departure_deadline"));

  v1::PollTasksRequest poll;
  poll.set_queue("police/pu");
  poll.set_worker("pu-officer-1");
  absl::StatusOr<v1::PollTasksResponse> polled = As("police").Poll(poll);
  RP_ASSERT_OK(polled);
  ASSERT_TRUE(polled->has_task());
  const v1::Task held = polled->task();
  ASSERT_EQ(held.kind(), "police_referral");
  ASSERT_EQ(held.priority(), 100);

  absl::StatusOr<v1::RecordEventResponse> document =
      Record("P-9", "travel-document", {{"country", "AF"}}, "police");
  RP_ASSERT_OK(document);

  absl::StatusOr<std::vector<v1::Task>> police =
      QueueTasks("police", "police/pu");
  RP_ASSERT_OK(police);
  ASSERT_EQ(police->size(), 1u);
  const v1::Task& now = police->front();
  EXPECT_EQ(now.id(), held.id());
  EXPECT_EQ(now.state(), v1::TASK_STATE_LEASED);
  EXPECT_EQ(now.lease_owner(), held.lease_owner());
  EXPECT_EQ(now.priority(), 80);
  ASSERT_EQ(now.changes_size(), 1);
  EXPECT_EQ(now.changes(0).position(), document->position());
  EXPECT_THAT(now.changes(0).what(), HasSubstr("priority 100 -> 80"));

  // The officer sees why, on the task they hold.
  ProcessResult extended =
      Ctl({"--as=police", "tasks", "extend", "--person", "P-9", "--task",
           held.id(), "--worker", "pu-officer-1", "--lease", "10m"});
  EXPECT_EQ(extended.exit_code, 0) << extended.err;
  EXPECT_THAT(extended.out,
              HasSubstr(absl::StrCat("changed by position ",
                                     document->position(), " (")));
  EXPECT_THAT(extended.out, HasSubstr("priority 100 -> 80"));

  v1::CompleteTaskRequest complete;
  complete.mutable_task()->set_person_id("P-9");
  complete.mutable_task()->set_task_id(held.id());
  complete.mutable_task()->set_worker("pu-officer-1");
  complete.set_outcome("referred");
  RP_ASSERT_OK(As("police").Complete(complete));
  police = QueueTasks("police", "police/pu");
  RP_ASSERT_OK(police);
  EXPECT_TRUE(police->empty());
}

}  // namespace
}  // namespace returnpath::integration
