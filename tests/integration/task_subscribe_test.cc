// A task subscription with max_tasks ends by itself after that many tasks and
// leases no further one; without it, it serves until the subscriber hangs up.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

class TaskSubscribeTest : public IntegrationTest {
 protected:
  DaemonOptions Options() const override { return NationalTeam(); }

  // Three finally rejected persons at Oslo-1: three relocation tasks ready in
  // reception/Oslo-1.
  void ThreeRelocationsReady() {
    for (int i = 1; i <= 3; ++i) {
      const std::string id = absl::StrCat("S-", i);
      RP_ASSERT_OK(Register({.id = id}));
      RP_ASSERT_OK(Record(id, "final-rejection", {{"notified", "2026-03-01"}}));
    }
    absl::StatusOr<std::vector<v1::Task>> ready =
        QueueTasks("reception", "reception/Oslo-1");
    RP_ASSERT_OK(ready);
    ASSERT_EQ(ready->size(), 3u);
  }

  int Leased() {
    absl::StatusOr<std::vector<v1::Task>> tasks =
        QueueTasks("reception", "reception/Oslo-1");
    if (!tasks.ok()) {
      ADD_FAILURE() << tasks.status();
      return -1;
    }
    int leased = 0;
    for (const v1::Task& task : *tasks)
      leased += task.state() == v1::TASK_STATE_LEASED;
    return leased;
  }
};

TEST_F(TaskSubscribeTest, MaxTasksEndsTheStreamAndLeasesNoMore) {
  ASSERT_NO_FATAL_FAILURE(ThreeRelocationsReady());
  v1::SubscribeTasksRequest request;
  request.set_queue("reception/Oslo-1");
  request.set_worker("desk-1");
  request.set_max_tasks(2);
  std::vector<std::string> served;
  // Ends because the daemon ends the stream; the callback would stop it only
  // at a third task, which must not come.
  RP_ASSERT_OK(As("reception").SubscribeTasks(request, [&](const v1::Task& t) {
    served.push_back(t.id());
    return served.size() < 3;
  }));
  EXPECT_EQ(served.size(), 2u);
  EXPECT_EQ(Leased(), 2);
}

TEST_F(TaskSubscribeTest, ReturnctlCountAsksTheDaemonToStop) {
  ASSERT_NO_FATAL_FAILURE(ThreeRelocationsReady());
  ProcessResult r =
      Ctl({"--as=reception", "tasks", "subscribe", "--queue",
           "reception/Oslo-1", "--worker", "desk-1", "--count", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Leased(), 1);
  r = Ctl({"--as=reception", "tasks", "subscribe", "--queue",
           "reception/Oslo-1", "--count", "0"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find("--count must be between 1 and"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace returnpath::integration
