// Tasks follow the person, through the real daemon: a person who moves centre
// takes their open adviser task along to the new centre's queue (same id and
// due time), where that centre's adviser is served it and the old centre's
// is not; the lease the old adviser held ends, and the task's history says so.

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "returnpath/v1/engine.pb.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

// Reception everywhere; an adviser at Oslo-1 and one at Bergen-1.
DaemonOptions AdvisersAtTwoCentres() {
  return WithPrincipals({{"reception", v1::ROLE_RECEPTION, {"*"}},
                         {"adviser-oslo",
                          v1::ROLE_ADVISER,
                          {"queue/advisers/Oslo-1", "centre/Oslo-1"}},
                         {"adviser-bergen",
                          v1::ROLE_ADVISER,
                          {"queue/advisers/Bergen-1", "centre/Bergen-1"}},
                         {"auditor", v1::ROLE_AUDITOR, {"*"}},
                         {"admin", v1::ROLE_ADMIN, {}}});
}

class TaskFollowFlowTest : public IntegrationTest {
 protected:
  DaemonOptions Options() const override { return AdvisersAtTwoCentres(); }

  std::optional<v1::Task> Conversation(const std::string& person) {
    absl::StatusOr<v1::PathwayView> view = View(person);
    EXPECT_TRUE(view.ok()) << view.status();
    if (!view.ok()) return std::nullopt;
    std::vector<v1::Task> tasks = TasksOfKind(*view, "return_conversation");
    if (tasks.size() != 1u) return std::nullopt;
    return tasks[0];
  }

  absl::StatusOr<v1::PollTasksResponse> Poll(const std::string& who,
                                             const std::string& queue) {
    v1::PollTasksRequest poll;
    poll.set_queue(queue);
    return As(who).Poll(poll);
  }
};

TEST_F(TaskFollowFlowTest, AMovedPersonsAdviserTaskIsServedAtTheNewCentre) {
  RP_ASSERT_OK(Register({.id = "P-1"}));
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T09:00:00Z")));
  RP_ASSERT_OK(Record("P-1", "first-rejection", {{"notified", "2026-03-02"}}));
  std::optional<v1::Task> before = Conversation("P-1");
  ASSERT_TRUE(before.has_value());
  ASSERT_EQ(before->queue(), "advisers/Oslo-1");
  // The Oslo adviser holds it when the person moves.
  absl::StatusOr<v1::PollTasksResponse> held =
      Poll("adviser-oslo", "advisers/Oslo-1");
  RP_ASSERT_OK(held);
  ASSERT_EQ(held->task().id(), before->id());

  absl::StatusOr<v1::RecordEventResponse> moved = Record(
      "P-1", "moved-centre", {{"centre", "Bergen-1"}, {"region", "vest"}});
  RP_ASSERT_OK(moved);

  std::optional<v1::Task> after = Conversation("P-1");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->id(), before->id());
  EXPECT_EQ(after->queue(), "advisers/Bergen-1");
  EXPECT_EQ(after->due_time().seconds(), before->due_time().seconds());
  EXPECT_EQ(after->priority(), before->priority());
  EXPECT_EQ(after->state(), v1::TASK_STATE_OPEN);
  EXPECT_TRUE(after->lease_owner().empty());
  ASSERT_EQ(after->changes_size(), 1);
  EXPECT_EQ(after->changes(0).position(), moved->position());
  EXPECT_EQ(after->changes(0).what(),
            "queue advisers/Oslo-1 -> advisers/Bergen-1");
  ASSERT_EQ(after->handling_size(), 1);
  EXPECT_EQ(after->handling(0).action(), "lease ended");
  EXPECT_EQ(after->handling(0).by(), "adviser-oslo");

  // Not served at the old centre, not completed by its old holder.
  absl::StatusOr<v1::PollTasksResponse> old =
      Poll("adviser-oslo", "advisers/Oslo-1");
  RP_ASSERT_OK(old);
  EXPECT_FALSE(old->has_task());
  v1::CompleteTaskRequest complete;
  complete.mutable_task()->set_person_id("P-1");
  complete.mutable_task()->set_task_id(before->id());
  complete.set_outcome("held");
  EXPECT_FALSE(As("adviser-oslo").Complete(complete).ok());

  // Served at the new centre, and completed there.
  absl::StatusOr<v1::PollTasksResponse> served =
      Poll("adviser-bergen", "advisers/Bergen-1");
  RP_ASSERT_OK(served);
  ASSERT_TRUE(served->has_task());
  EXPECT_EQ(served->task().id(), before->id());
  RP_ASSERT_OK(As("adviser-bergen").Complete(complete));
  EXPECT_FALSE(Conversation("P-1").has_value());
}

}  // namespace
}  // namespace returnpath::integration
