// Scopes bind auditors too: a scoped auditor reads only the persons in scope
// (one NOT_FOUND for out of scope and missing), sees the access log of those
// persons only, and is refused the global log, which names every person.
// Every read of the global log is access-logged for the persons it names.

#include <set>

#include "gmock/gmock.h"
#include "tests/integration/scoped_fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

auto All = [](const auto&) { return true; };
// A live subscription never ends by itself: stop at the first event.
auto First = [](const auto&) { return false; };

absl::Status HistoryOf(client::Client& auditor, const std::string& person) {
  v1::HistoryRequest request;
  request.set_person_id(person);
  return auditor.History(request, All);
}

absl::Status AsOf(client::Client& auditor, const std::string& person) {
  v1::AsOfRequest request;
  request.set_person_id(person);
  request.set_position(1);
  return auditor.PathwayAsOf(request).status();
}

absl::Status AccessLogOf(client::Client& auditor, const std::string& person) {
  v1::AccessLogRequest request;
  request.set_person_id(person);
  return auditor.AccessLog(request).status();
}

using AuditorScopeTest = ScopedTest;

TEST_F(AuditorScopeTest, ScopedAuditorReadsPersonsInScopeOnly) {
  client::Client& auditor = Client("auditor-oslo");
  RP_EXPECT_OK(HistoryOf(auditor, "P-O1"));
  RP_EXPECT_OK(AsOf(auditor, "P-O1"));
  RP_EXPECT_OK(AccessLogOf(auditor, "P-O1"));
  for (auto read : {HistoryOf, AsOf, AccessLogOf}) {
    const absl::Status elsewhere = read(auditor, "P-B1");
    const absl::Status missing = read(auditor, "NOBODY");
    EXPECT_EQ(elsewhere.code(), absl::StatusCode::kNotFound) << elsewhere;
    EXPECT_EQ(WithoutId(elsewhere, "P-B1"), WithoutId(missing, "NOBODY"));
    EXPECT_EQ(elsewhere.message(), "no person with id P-B1 in your scope");
  }
  // Refused reads are not logged as reads.
  for (const v1::AccessRecord& record : AccessRecords("P-B1"))
    EXPECT_NE(record.principal(), "auditor-oslo") << record.method();
}

TEST_F(AuditorScopeTest, ScopedAuditorSeesTheAccessLogOfPersonsInScope) {
  RP_ASSERT_OK(Client("reception-oslo").GetPathway("P-O1"));
  RP_ASSERT_OK(Client("reception-bergen").GetPathway("P-B1"));
  absl::StatusOr<v1::AccessLogResponse> everyone =
      Client("auditor-oslo").AccessLog(v1::AccessLogRequest());
  RP_ASSERT_OK(everyone);
  std::set<std::string> persons;
  for (const v1::AccessRecord& record : everyone->records())
    persons.insert(record.person_id());
  EXPECT_EQ(persons, std::set<std::string>({"P-O1"}));
}

TEST_F(AuditorScopeTest, GlobalLogNeedsAnAuditorOfEverything) {
  client::Client& auditor = Client("auditor-oslo");
  const std::vector<v1::EventEnvelope> before = WholeLog();
  std::vector<absl::Status> refused = {
      auditor.Log(v1::LogRequest(), All),
      auditor.SubscribeEvents(v1::SubscribeEventsRequest(), First),
      auditor.ReplayCheck(v1::ReplayCheckRequest(), All)};
  for (const absl::Status& status : refused) {
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
    EXPECT_THAT(std::string(status.message()),
                HasSubstr("needs an auditor scoped to everything (*)"));
  }
  // What carries no personal data stays open to any auditor.
  RP_EXPECT_OK(auditor.Verify(v1::VerifyRequest(), All));
  RP_EXPECT_OK(auditor.Statistics(v1::StatisticsRequest()));
  RP_EXPECT_OK(
      Client("auditor-all").ReplayCheck(v1::ReplayCheckRequest(), All));
  EXPECT_EQ(WholeLog().size(), before.size());
}

TEST_F(AuditorScopeTest, GlobalLogReadsAreAccessLoggedForEveryPerson) {
  std::vector<v1::EventEnvelope> events = WholeLog();
  ASSERT_FALSE(events.empty());
  std::set<std::string> seen;
  RP_ASSERT_OK(Client("auditor-all")
                   .SubscribeEvents(v1::SubscribeEventsRequest(),
                                    [&](const v1::EventEnvelope& event) {
                                      seen.insert(event.stream_id());
                                      return seen.size() < 4;
                                    }));
  for (const char* id : {"P-O1", "P-O2", "P-B1", "P-B2"}) {
    std::set<std::string> methods;
    for (const v1::AccessRecord& record : AccessRecords(id)) {
      if (record.principal() == "auditor-all") methods.insert(record.method());
    }
    EXPECT_TRUE(methods.count("Log")) << id;
    EXPECT_TRUE(methods.count("SubscribeEvents")) << id;
  }
}

}  // namespace
}  // namespace returnpath::integration
