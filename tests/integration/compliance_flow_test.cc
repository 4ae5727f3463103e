// The compliance report over gRPC and returnctl: findings name the rule, the
// policy, the person, the events and the dates; a report on a person is a
// read of them (logged before it runs), over everyone each person with a
// finding is logged; scopes apply as to every audit read.

#include <set>

#include "gmock/gmock.h"
#include "tests/integration/scoped_fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

class ComplianceFlowTest : public ScopedTest {
 protected:
  // The return conversations of the first rejections fall due (7 days) and
  // are escalated: each person has a finding.
  void SetUp() override {
    ScopedTest::SetUp();
    RP_ASSERT_OK(AdvanceBy(absl::Hours(24 * 10)));
    for (const char* person : {"P-O1", "P-O2", "P-B1", "P-B2"}) {
      RP_ASSERT_OK(integration::WaitForEvent(
          daemon().NewChannel(), "auditor-all-token", person,
          [](const v1::EventEnvelope& e) {
            return IsTimerFired(e, "escalation");
          },
          absl::Seconds(15)));
    }
  }

  // The report's findings and summary, as `principal` gets them.
  absl::Status Report(const std::string& principal, const std::string& person,
                      std::vector<v1::ComplianceFinding>* findings,
                      v1::ComplianceSummary* summary) {
    v1::ComplianceRequest request;
    request.set_person_id(person);
    return Client(principal).Compliance(request,
                                        [&](const v1::ComplianceResponse& r) {
                                          if (r.has_finding())
                                            findings->push_back(r.finding());
                                          if (r.has_summary())
                                            *summary = r.summary();
                                          return true;
                                        });
  }

  static size_t ComplianceReads(const std::vector<v1::AccessRecord>& records) {
    size_t n = 0;
    for (const v1::AccessRecord& r : records) {
      if (r.method() == "Compliance" && r.principal() == "auditor-all") ++n;
    }
    return n;
  }
};

TEST_F(ComplianceFlowTest, OnePersonsOverdueConversationIsReportedAndLogged) {
  std::vector<v1::ComplianceFinding> findings;
  v1::ComplianceSummary summary;
  RP_ASSERT_OK(Report("auditor-all", "P-O1", &findings, &summary));
  ASSERT_EQ(findings.size(), 1u);
  const v1::ComplianceFinding& f = findings[0];
  EXPECT_EQ(f.person_id(), "P-O1");
  EXPECT_EQ(f.rule(), "return_conversation_overdue");
  EXPECT_EQ(f.policy_version(), "2012-01-01");
  EXPECT_EQ(f.days_late(), 5);
  EXPECT_EQ(f.positions_size(), 1);
  EXPECT_FALSE(f.by_system());
  EXPECT_THAT(f.message(),
              HasSubstr("is not done, 5 days after it was due on 2026-03-06"));
  EXPECT_EQ(summary.persons(), 1u);
  EXPECT_EQ(summary.findings(), 1u);
  EXPECT_FALSE(summary.statistics_compared());
  EXPECT_EQ(ComplianceReads(AccessRecords("P-O1")), 1u);
  EXPECT_EQ(ComplianceReads(AccessRecords("P-O2")), 0u);
}

TEST_F(ComplianceFlowTest, EveryoneIsCheckedAndEachPersonFoundIsLogged) {
  std::vector<v1::ComplianceFinding> findings;
  v1::ComplianceSummary summary;
  RP_ASSERT_OK(Report("auditor-all", "", &findings, &summary));
  std::set<std::string> persons;
  for (const v1::ComplianceFinding& f : findings) persons.insert(f.person_id());
  EXPECT_EQ(persons, (std::set<std::string>{"P-B1", "P-B2", "P-O1", "P-O2"}));
  EXPECT_EQ(summary.persons(), 4u);
  EXPECT_TRUE(summary.statistics_compared());
  ASSERT_EQ(summary.by_rule_size(), 1);
  EXPECT_EQ(summary.by_rule(0).rule(), "return_conversation_overdue");
  EXPECT_EQ(summary.by_rule(0).findings(), 4u);
  for (const std::string& person : persons) {
    EXPECT_EQ(ComplianceReads(AccessRecords(person)), 1u) << person;
  }
}

TEST_F(ComplianceFlowTest, ScopesApplyAsToEveryAuditRead) {
  std::vector<v1::ComplianceFinding> findings;
  v1::ComplianceSummary summary;
  RP_EXPECT_OK(Report("auditor-oslo", "P-O1", &findings, &summary));
  absl::Status other = Report("auditor-oslo", "P-B1", &findings, &summary);
  EXPECT_EQ(other.code(), absl::StatusCode::kNotFound) << other;
  absl::Status everyone = Report("auditor-oslo", "", &findings, &summary);
  EXPECT_EQ(everyone.code(), absl::StatusCode::kPermissionDenied) << everyone;
  EXPECT_THAT(everyone.message(), HasSubstr("scoped to everything"));
  absl::Status reception =
      Report("reception-oslo", "P-O1", &findings, &summary);
  EXPECT_EQ(reception.code(), absl::StatusCode::kPermissionDenied) << reception;
}

TEST_F(ComplianceFlowTest, AnEmptyRangeIsRefused) {
  v1::ComplianceRequest request;
  request.set_person_id("P-O1");
  request.mutable_from()->set_seconds(2000000000);
  request.mutable_to()->set_seconds(1000000000);
  absl::Status refused =
      Client("auditor-all")
          .Compliance(request,
                      [](const v1::ComplianceResponse&) { return true; });
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("from must be before to"));
  EXPECT_EQ(ComplianceReads(AccessRecords("P-O1")), 0u);
}

TEST_F(ComplianceFlowTest, ReturnctlPrintsFindingsAndExitsFour) {
  ProcessResult report = Ctl({"--token", "auditor-all-token", "audit",
                              "compliance", "--person", "P-B2"});
  EXPECT_EQ(report.exit_code, 4) << report.err;
  EXPECT_THAT(report.out,
              HasSubstr("FINDING (staff) return_conversation_overdue P-B2: "));
  EXPECT_THAT(report.out, HasSubstr("policy 2012-01-01"));
  EXPECT_THAT(report.out, HasSubstr("checked 1 persons"));
  ProcessResult json = Ctl({"--token", "auditor-all-token", "--json", "audit",
                            "compliance", "--person", "P-B2"});
  EXPECT_EQ(json.exit_code, 4) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"rule\":\"return_conversation_overdue\""));
}

}  // namespace
}  // namespace returnpath::integration
