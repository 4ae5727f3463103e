// The police queue is shared by every region: police scoped to one region
// see, lease and act on the referrals of persons in that region only, and a
// task of a person elsewhere is answered as if it did not exist.

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/lib/time_text.h"
#include "gmock/gmock.h"
#include "returnpath/v1/engine.pb.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::ElementsAre;

// Reception and auditors over everything, the police over Oslo's region only.
// The fixture writes each one's token to the data directory, where As()
// reads it.
DaemonOptions ScopedRoles() {
  return WithPrincipals(
      {{"reception", v1::ROLE_RECEPTION, {"*"}},
       {"police", v1::ROLE_POLICE, {"queue/police/pu", "region/OSLO"}},
       {"auditor", v1::ROLE_AUDITOR, {"*"}},
       {"admin", v1::ROLE_ADMIN, {}}});
}

class TaskScopeTest : public IntegrationTest {
 protected:
  DaemonOptions Options() const override { return ScopedRoles(); }

  // Finally rejected on `notified` (2026-03-02: overstayed and referred to
  // the police once the clock passes midnight Oslo on 03-23).
  void RegisterFinallyRejected(const PersonSpec& person,
                               const std::string& notified = "2026-03-02") {
    RP_ASSERT_OK(Register(person));
    // A fact is recorded once it has happened: on that day, at 09:00 Oslo.
    absl::StatusOr<v1::Date> day = client::ParseDate(notified);
    RP_ASSERT_OK(day);
    const absl::Time on_the_day = client::StartOfDay(*day) + absl::Hours(9);
    absl::StatusOr<absl::Time> now = AdvanceBy(absl::ZeroDuration());
    RP_ASSERT_OK(now);
    if (*now < on_the_day) RP_ASSERT_OK(AdvanceUntil(on_the_day));
    RP_ASSERT_OK(
        Record(person.id, "final-rejection", {{"notified", notified}}));
  }

  // Moves the clock past the persons' departure deadline and waits until
  // each one's deadline timer has fired.
  void Overstay(absl::Time until, const std::vector<std::string>& persons) {
    RP_ASSERT_OK(AdvanceUntil(until));
    for (const std::string& person : persons) {
      RP_ASSERT_OK(WaitForTimer(person, "departure_deadline"));
    }
  }

  // The persons of each page the police are given listing police/pu at page
  // size 1, from the first page to the last.
  std::vector<std::vector<std::string>> PolicePages() {
    v1::ListTasksRequest request;
    request.set_queue("police/pu");
    request.set_page_size(1);
    std::vector<std::vector<std::string>> pages;
    FollowPages([&](const std::string& token) -> absl::StatusOr<std::string> {
      request.set_page_token(token);
      absl::StatusOr<v1::ListTasksResponse> page =
          As("police").ListTasks(request);
      if (!page.ok()) return page.status();
      std::vector<std::string>& persons = pages.emplace_back();
      for (const v1::Task& task : page->tasks())
        persons.push_back(task.stream_id());
      return page->next_page_token();
    });
    return pages;
  }

  absl::StatusOr<v1::PollTasksResponse> PollPolice() {
    v1::PollTasksRequest poll;
    poll.set_queue("police/pu");
    poll.mutable_wait()->set_seconds(0);
    return As("police").Poll(poll);
  }
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

namespace returnpath::integration {
namespace {

PersonSpec Iraqi(const std::string& id, const std::string& centre,
                 const std::string& region) {
  PersonSpec person;
  person.id = id;
  person.nationality = "IQ";
  person.centre = centre;
  person.region = region;
  return person;
}

PersonSpec InVest(const std::string& id) {
  return Iraqi(id, "Bergen-1", "vest");
}

// Whether another region has no, one or two referrals in the shared queue,
// the police of OSLO get one empty page and no token: nothing to count.
TEST_F(TaskScopeTest, AnotherRegionsReferralsCannotBeCounted) {
  const std::vector<std::vector<std::string>> empty = {{}};
  EXPECT_EQ(PolicePages(), empty);
  RegisterFinallyRejected(InVest("P-VEST-1"), "2026-03-02");
  RegisterFinallyRejected(InVest("P-VEST-2"), "2026-03-09");
  Overstay(Utc("2026-03-23T23:00:01Z"), {"P-VEST-1"});
  EXPECT_EQ(PolicePages(), empty);
  Overstay(Utc("2026-03-30T23:00:01Z"), {"P-VEST-2"});
  EXPECT_EQ(PolicePages(), empty);
}

// Referrals of both regions in the queue: a page of one holds one OSLO
// referral, each once, and the last page carries no token.
TEST_F(TaskScopeTest, PoliceTaskPagesCountOnlyTheirRegion) {
  for (const char* id : {"P-1", "P-3"}) {
    RegisterFinallyRejected(Iraqi(id, "Oslo-1", "oslo"));
  }
  for (const char* id : {"P-2", "P-4"}) RegisterFinallyRejected(InVest(id));
  Overstay(Utc("2026-03-23T23:00:01Z"), {"P-1", "P-2", "P-3", "P-4"});
  std::vector<std::vector<std::string>> pages = PolicePages();
  std::sort(pages.begin(), pages.end());
  EXPECT_EQ(pages, std::vector<std::vector<std::string>>({{"P-1"}, {"P-3"}}));
}

}  // namespace
}  // namespace returnpath::integration
