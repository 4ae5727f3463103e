// The police queue is shared by every region: police scoped to one region
// see, lease and act on the referrals of persons in that region only, and a
// task of a person elsewhere is answered as if it did not exist.

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "engine/server/auth.h"
#include "gmock/gmock.h"
#include "returnpath/v1/engine.pb.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::ElementsAre;

struct ScopedRole {
  const char* name;
  const char* role;
  const char* scopes;  // textproto fields
};

constexpr ScopedRole kRoles[] = {
    {"reception", "ROLE_RECEPTION", "scopes: \"*\""},
    {"police", "ROLE_POLICE",
     "scopes: \"queue/police/pu\" scopes: \"region/OSLO\""},
    {"auditor", "ROLE_AUDITOR", "scopes: \"*\""},
    {"admin", "ROLE_ADMIN", ""},
};

std::string TokenOf(const std::string& role) {
  return absl::StrCat("test-token-", role);
}

class TaskScopeTest : public IntegrationTest {
 protected:
  TaskScopeTest() {
    std::string dir = ::testing::TempDir() + "/rp_scope_XXXXXX";
    EXPECT_NE(mkdtemp(dir.data()), nullptr);
    principals_ = dir + "/principals.textproto";
    std::ofstream out(principals_);
    for (const ScopedRole& r : kRoles) {
      out << "principal { name: \"" << r.name << "\" role: " << r.role
          << " token_sha256: \"" << engine::Sha256Hex(TokenOf(r.name)) << "\" "
          << r.scopes << " }\n";
    }
  }
  ~TaskScopeTest() override {
    std::filesystem::remove_all(
        std::filesystem::path(principals_).parent_path());
  }

  DaemonOptions Options() const override {
    DaemonOptions options;
    options.extra_flags = {"--principals=" + principals_};
    return options;
  }

  // The fixture's clients read each role's token from the data directory.
  void SetUp() override {
    IntegrationTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const std::filesystem::path tokens =
        std::filesystem::path(daemon().data_dir()) / "tokens";
    std::filesystem::create_directories(tokens);
    for (const ScopedRole& r : kRoles) {
      std::ofstream(tokens / absl::StrCat(r.name, ".token")) << TokenOf(r.name);
    }
  }

  // Finally rejected on 2026-03-02; overstayed and referred to the police
  // once the clock passes midnight Oslo on 03-23.
  void RegisterFinallyRejected(const PersonSpec& person) {
    RP_ASSERT_OK(Register(person));
    RP_ASSERT_OK(
        Record(person.id, "final-rejection", {{"notified", "2026-03-02"}}));
  }

  absl::StatusOr<v1::PollTasksResponse> PollPolice() {
    v1::PollTasksRequest poll;
    poll.set_queue("police/pu");
    poll.mutable_wait()->set_seconds(0);
    return As("police").Poll(poll);
  }

  std::string principals_;
};

TEST_F(TaskScopeTest, PoliceOfOneRegionWorkOnlyThatRegionsReferrals) {
  RegisterFinallyRejected({.id = "P-OSLO", .nationality = "IQ"});
  RegisterFinallyRejected({.id = "P-VEST",
                           .nationality = "IQ",
                           .centre = "Bergen-1",
                           .region = "vest"});
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-23T23:00:01Z")));
  RP_ASSERT_OK(WaitForTimer("P-OSLO", "departure_deadline"));
  RP_ASSERT_OK(WaitForTimer("P-VEST", "departure_deadline"));
  absl::StatusOr<v1::PathwayView> vest = As("reception").GetPathway("P-VEST");
  RP_ASSERT_OK(vest);
  std::vector<v1::Task> referral = TasksOfKind(*vest, "police_referral");
  ASSERT_EQ(referral.size(), 1u);
  ASSERT_EQ(referral[0].queue(), "police/pu");

  absl::StatusOr<std::vector<v1::Task>> listed =
      QueueTasks("police", "police/pu");
  RP_ASSERT_OK(listed);
  std::vector<std::string> listed_persons;
  for (const v1::Task& task : *listed)
    listed_persons.push_back(task.stream_id());
  EXPECT_THAT(listed_persons, ElementsAre("P-OSLO"));

  absl::StatusOr<v1::PollTasksResponse> got = PollPolice();
  RP_ASSERT_OK(got);
  ASSERT_TRUE(got->has_task());
  EXPECT_EQ(got->task().stream_id(), "P-OSLO");
  got = PollPolice();  // the other region's referral stays in the queue
  RP_ASSERT_OK(got);
  EXPECT_FALSE(got->has_task()) << got->task().DebugString();

  // Acting on it is answered exactly as acting on a task that does not exist.
  auto complete = [&](const std::string& task_id) {
    v1::CompleteTaskRequest request;
    request.mutable_task()->set_person_id("P-VEST");
    request.mutable_task()->set_task_id(task_id);
    request.set_outcome("arrested");
    return As("police").Complete(request).status();
  };
  const absl::Status elsewhere = complete(referral[0].id());
  EXPECT_EQ(elsewhere.code(), absl::StatusCode::kNotFound) << elsewhere;
  EXPECT_EQ(elsewhere.message(),
            absl::StrCat("no task ", referral[0].id(),
                         " for person P-VEST in your scope"));
  const absl::Status missing = complete("no-such-task");
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);

  // The lease was a read of the person, logged before it was served.
  v1::AccessLogRequest access;
  access.set_person_id("P-OSLO");
  absl::StatusOr<v1::AccessLogResponse> log = As("auditor").AccessLog(access);
  RP_ASSERT_OK(log);
  bool logged = false;
  for (const v1::AccessRecord& record : log->records()) {
    logged |= record.principal() == "police" && record.method() == "PollTasks";
  }
  EXPECT_TRUE(logged) << log->DebugString();
}

}  // namespace
}  // namespace returnpath::integration
