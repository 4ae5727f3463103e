// AuditService.WhatIf against the real daemon: a known policy change gives a
// known difference (departure deadline 21 -> 14 days; a wider first support
// tier), nothing is written, everyone's summary, who may ask, the access
// record before the answer, and bad policies.

#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "engine/proto_time.h"
#include "engine/read_file.h"
#include "gmock/gmock.h"
#include "tests/integration/fixture.h"
#include "tests/integration/scoped_fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

struct WhatIfAnswer {
  std::vector<v1::WhatIfPerson> persons;
  std::optional<v1::WhatIfSummary> summary;
};

absl::StatusOr<WhatIfAnswer> AskWhatIf(
    client::Client& client, const v1::WhatIfRequest& request,
    const std::function<void(const v1::WhatIfPerson&)>& on_person = nullptr) {
  WhatIfAnswer answer;
  absl::Status status =
      client.WhatIf(request, [&](const v1::WhatIfResponse& response) {
        if (response.has_person()) {
          if (on_person) on_person(response.person());
          answer.persons.push_back(response.person());
        }
        if (response.has_summary()) answer.summary = response.summary();
        return true;
      });
  if (!status.ok()) return status;
  return answer;
}

// The deployment's policy with `edits` applied to its text, as a draft.
std::string DraftPolicy(
    const std::vector<std::pair<std::string, std::string>>& edits) {
  absl::StatusOr<std::string> text = engine::ReadFileText(
      PolicyDir() + "/2012-01-01.textproto", "policy file");
  EXPECT_TRUE(text.ok()) << text.status();
  std::string draft = text.value_or("");
  for (const auto& edit : edits) {
    EXPECT_THAT(draft, HasSubstr(edit.first));
    draft = absl::StrReplaceAll(draft, {edit});
  }
  return absl::StrReplaceAll(
      draft, {{"version: \"2012-01-01\"", "version: \"draft\""}});
}

v1::WhatIfRequest ForPerson(const std::string& person,
                            const std::string& policy_text) {
  v1::WhatIfRequest request;
  request.set_person_id(person);
  request.set_policy_text(policy_text);
  request.set_policy_source("draft.textproto");
  return request;
}

const v1::WhatIfDifference* Find(const v1::WhatIfPerson& person,
                                 const std::string& what) {
  for (const v1::WhatIfDifference& d : person.differences()) {
    if (d.what() == what) return &d;
  }
  return nullptr;
}

const std::vector<std::pair<std::string, std::string>> kFourteenDays = {
    {"departure_deadline { default_days: 21",
     "departure_deadline { default_days: 14"}};

class WhatIfTest : public IntegrationTest {
 protected:
  DaemonOptions Options() const override { return NationalTeam(); }

  // Finally rejected on 2026-03-02 (deadline 2026-03-23 under the policy in
  // force), then past that deadline: overstayed and referred to the police.
  void Overstay(const std::string& id) {
    RP_ASSERT_OK(Register({.id = id, .nationality = "IQ"}));
    RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T08:00:00Z")));
    RP_ASSERT_OK(Record(id, "final-rejection", {{"notified", "2026-03-02"}}));
    RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-24T08:00:00Z")));
    RP_ASSERT_OK(WaitForTimer(id, "departure_deadline"));
  }

  // The whole event log's length and what `person` looks like now.
  std::pair<size_t, std::string> Snapshot(const std::string& person) {
    size_t events = 0;
    v1::LogRequest all;
    EXPECT_TRUE(As("auditor")
                    .Log(all,
                         [&events](const v1::EventEnvelope&) {
                           ++events;
                           return true;
                         })
                    .ok());
    absl::StatusOr<v1::PathwayView> view = View(person);
    EXPECT_TRUE(view.ok()) << view.status();
    return {events, view.ok() ? view->SerializeAsString() : ""};
  }
};

TEST_F(WhatIfTest, FourteenDaysMovesTheDeadlineAndThePoliceReferralByAWeek) {
  Overstay("P-1");
  absl::StatusOr<WhatIfAnswer> answer =
      AskWhatIf(As("auditor"), ForPerson("P-1", DraftPolicy(kFourteenDays)));
  RP_ASSERT_OK(answer);
  ASSERT_EQ(answer->persons.size(), 1u);
  const v1::WhatIfPerson& person = answer->persons[0];
  EXPECT_EQ(person.person_id(), "P-1");
  const v1::WhatIfDifference* deadline = Find(person, "departure_deadline");
  ASSERT_NE(deadline, nullptr) << person.DebugString();
  EXPECT_EQ(deadline->current(), "2026-03-23");
  EXPECT_EQ(deadline->alternative(), "2026-03-16");
  const v1::WhatIfDifference* referral = Find(person, "task police_referral");
  ASSERT_NE(referral, nullptr) << person.DebugString();
  ASSERT_TRUE(referral->has_current_task() && referral->has_alternative_task());
  EXPECT_EQ(engine::FromTimestamp(referral->current_task().due_time()) -
                engine::FromTimestamp(referral->alternative_task().due_time()),
            absl::Hours(24 * 7));
  EXPECT_EQ(Find(person, "stage"), nullptr);  // overstayed either way
  ASSERT_TRUE(answer->summary.has_value());
  EXPECT_EQ(answer->summary->policy_version(), "draft");
  EXPECT_EQ(answer->summary->persons_differing(), 1u);
}

// No event follows the shorter deadline: the what-if fires its timer by the
// daemon's clock, as the timer loop would have.
TEST_F(WhatIfTest, ADeadlinePassedOnlyUnderTheOtherPolicyHasOverstayedByNow) {
  RP_ASSERT_OK(Register({.id = "P-1", .nationality = "IQ"}));
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T08:00:00Z")));
  RP_ASSERT_OK(Record("P-1", "final-rejection", {{"notified", "2026-03-02"}}));
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-18T08:00:00Z")));
  absl::StatusOr<WhatIfAnswer> answer =
      AskWhatIf(As("auditor"), ForPerson("P-1", DraftPolicy(kFourteenDays)));
  RP_ASSERT_OK(answer);
  ASSERT_EQ(answer->persons.size(), 1u);
  const v1::WhatIfDifference* stage = Find(answer->persons[0], "stage");
  ASSERT_NE(stage, nullptr) << answer->persons[0].DebugString();
  EXPECT_EQ(stage->current(), "FINAL_REJECTION");
  EXPECT_EQ(stage->alternative(), "OVERSTAYED");
  const v1::WhatIfDifference* referral =
      Find(answer->persons[0], "task police_referral");
  ASSERT_NE(referral, nullptr);
  EXPECT_FALSE(referral->has_current_task());
  ASSERT_TRUE(referral->has_alternative_task());
  EXPECT_EQ(referral->alternative_task().queue(), "police/pu");
}

TEST_F(WhatIfTest, TheStoredVersionInForceChangesNothing) {
  Overstay("P-1");
  v1::WhatIfRequest request;
  request.set_person_id("P-1");
  request.set_policy_version("2012-01-01");
  absl::StatusOr<WhatIfAnswer> answer = AskWhatIf(As("auditor"), request);
  RP_ASSERT_OK(answer);
  ASSERT_EQ(answer->persons.size(), 1u);
  EXPECT_TRUE(answer->persons[0].differences().empty())
      << answer->persons[0].DebugString();
}

TEST_F(WhatIfTest, AWiderFirstTierGivesTheHigherTierAndAmount) {
  Overstay("P-1");
  // 9 days after the deadline: the second tier (NOK 15,000) in force.
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-04-01T08:00:00Z")));
  RP_ASSERT_OK(
      Record("P-1", "iom-application", {{"programme", "varp"}}, "adviser"));
  absl::StatusOr<v1::PathwayState> state = State("P-1");
  RP_ASSERT_OK(state);
  ASSERT_EQ(state->iom().tier_rank(), 2);
  absl::StatusOr<WhatIfAnswer> answer = AskWhatIf(
      As("auditor"),
      ForPerson("P-1",
                DraftPolicy({{"amount_nok: 20000 "
                              "max_days_after_departure_deadline: 0",
                              "amount_nok: 20000 "
                              "max_days_after_departure_deadline: 30"}})));
  RP_ASSERT_OK(answer);
  ASSERT_EQ(answer->persons.size(), 1u);
  const v1::WhatIfDifference* tier = Find(answer->persons[0], "support_tier");
  ASSERT_NE(tier, nullptr) << answer->persons[0].DebugString();
  EXPECT_EQ(tier->current(), "2");
  EXPECT_EQ(tier->alternative(), "1");
  const v1::WhatIfDifference* amount = Find(answer->persons[0], "support_nok");
  ASSERT_NE(amount, nullptr);
  EXPECT_EQ(amount->current(), "15000");
  EXPECT_EQ(amount->alternative(), "20000");
  EXPECT_EQ(Find(answer->persons[0], "departure_deadline"), nullptr);
}

TEST_F(WhatIfTest, NothingIsWritten) {
  Overstay("P-1");
  const std::pair<size_t, std::string> before = Snapshot("P-1");
  v1::WhatIfRequest all;
  all.set_all(true);
  all.set_policy_text(DraftPolicy(kFourteenDays));
  RP_ASSERT_OK(AskWhatIf(As("auditor"), ForPerson("P-1", all.policy_text())));
  RP_ASSERT_OK(AskWhatIf(As("auditor"), all));
  EXPECT_EQ(Snapshot("P-1"), before);
}

TEST_F(WhatIfTest, EveryoneGetsASummaryOfWhoDiffersInWhat) {
  Overstay("P-1");
  RP_ASSERT_OK(Register({.id = "P-2"}));  // not rejected: nothing moves
  v1::WhatIfRequest all;
  all.set_all(true);
  all.set_policy_text(DraftPolicy(kFourteenDays));
  absl::StatusOr<WhatIfAnswer> answer = AskWhatIf(As("auditor"), all);
  RP_ASSERT_OK(answer);
  ASSERT_EQ(answer->persons.size(), 1u);
  EXPECT_EQ(answer->persons[0].person_id(), "P-1");
  ASSERT_TRUE(answer->summary.has_value());
  EXPECT_EQ(answer->summary->persons_checked(), 2u);
  EXPECT_EQ(answer->summary->persons_differing(), 1u);
  std::map<std::string, uint64_t> by_kind;
  for (const v1::WhatIfKindCount& count : answer->summary->by_kind()) {
    by_kind[count.what()] = count.persons();
  }
  EXPECT_EQ(by_kind["departure_deadline"], 1u);
  EXPECT_EQ(by_kind["task police_referral"], 1u);
}

TEST_F(WhatIfTest, ALongerAppealWindowChangesTheStatistics) {
  RP_ASSERT_OK(Register({.id = "P-1"}));
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T08:00:00Z")));
  RP_ASSERT_OK(Record("P-1", "first-rejection", {{"notified", "2026-03-02"}}));
  // The three-week window has closed: a derived final rejection in March.
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-28T08:00:00Z")));
  RP_ASSERT_OK(WaitForTimer("P-1", "appeal_window"));
  v1::WhatIfRequest all;
  all.set_all(true);
  all.set_policy_text(
      DraftPolicy({{"appeal_window { days: 21", "appeal_window { days: 42"}}));
  absl::StatusOr<WhatIfAnswer> answer = AskWhatIf(As("auditor"), all);
  RP_ASSERT_OK(answer);
  ASSERT_TRUE(answer->summary.has_value());
  bool moved = false;
  for (const v1::WhatIfStatisticsRow& row : answer->summary->statistics()) {
    if (row.category() == "final_rejection" && row.month() == "2026-03") {
      moved = row.current() == 1 && row.alternative() == 0;
    }
  }
  EXPECT_TRUE(moved) << answer->summary->DebugString();
  ASSERT_EQ(answer->persons.size(), 1u);
  const v1::WhatIfDifference* stage = Find(answer->persons[0], "stage");
  ASSERT_NE(stage, nullptr) << answer->persons[0].DebugString();
  EXPECT_EQ(stage->current(), "FINAL_REJECTION");
  EXPECT_EQ(stage->alternative(), "FIRST_REJECTION");
}

TEST_F(WhatIfTest, ABadPolicyIsRefusedNamingTheField) {
  Overstay("P-1");
  const std::pair<size_t, std::string> before = Snapshot("P-1");
  v1::WhatIfRequest unknown;
  unknown.set_person_id("P-1");
  unknown.set_policy_version("2027-xx");
  EXPECT_CODE(AskWhatIf(As("auditor"), unknown), kNotFound,
              "policy: no stored version named 2027-xx");
  EXPECT_CODE(AskWhatIf(As("auditor"),
                        ForPerson("P-1", DraftPolicy({{"default_days: 21",
                                                       "default_days: 40"}}))),
              kInvalidArgument, "draft.textproto: departure_deadline");
  EXPECT_CODE(AskWhatIf(As("auditor"), ForPerson("P-1", "version: {")),
              kInvalidArgument, "draft.textproto");
  v1::WhatIfRequest nobody;
  nobody.set_policy_version("2012-01-01");
  EXPECT_CODE(AskWhatIf(As("auditor"), nobody), kInvalidArgument, "person_id");
  EXPECT_EQ(Snapshot("P-1"), before);
}

TEST_F(WhatIfTest, ReturnctlShowsTheDifferencesSideBySide) {
  Overstay("P-1");
  const std::string file = daemon().data_dir() + "/draft.textproto";
  {
    std::ofstream out(file);
    out << DraftPolicy(kFourteenDays);
  }
  ProcessResult result = Ctl({"--as=auditor", "audit", "what-if", "--policy",
                              file, "--person", "P-1"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out,
              HasSubstr("departure_deadline: 2026-03-23  ->  2026-03-16"));
  EXPECT_THAT(result.out, HasSubstr("task police_referral: due 2026-03-24"));
  result = Ctl({"--as=auditor", "audit", "what-if", "--policy", file, "--all"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("under policy draft: 1 of 1 person would "
                                    "differ"));
}

using WhatIfScopeTest = ScopedTest;

TEST_F(WhatIfScopeTest, OnlyAuditorsAndEveryoneOnlyForAnAuditorOfEverything) {
  v1::WhatIfRequest one;
  one.set_person_id("P-O1");
  one.set_policy_version("2012-01-01");
  EXPECT_CODE(AskWhatIf(Client("reception-oslo"), one), kPermissionDenied, "");
  EXPECT_CODE(AskWhatIf(Client("adviser-oslo"), one), kPermissionDenied, "");
  RP_EXPECT_OK(AskWhatIf(Client("auditor-oslo"), one));
  v1::WhatIfRequest bergen = one;
  bergen.set_person_id("P-B1");
  EXPECT_CODE(AskWhatIf(Client("auditor-oslo"), bergen), kNotFound, "P-B1");
  v1::WhatIfRequest all;
  all.set_all(true);
  all.set_policy_version("2012-01-01");
  EXPECT_CODE(AskWhatIf(Client("auditor-oslo"), all), kPermissionDenied,
              "scoped to everything");
  RP_EXPECT_OK(AskWhatIf(Client("auditor-all"), all));
}

TEST_F(WhatIfScopeTest, TheReadIsLoggedBeforeTheAnswerArrives) {
  v1::WhatIfRequest one;
  one.set_person_id("P-O1");
  one.set_policy_version("2012-01-01");
  bool logged_first = false;
  RP_ASSERT_OK(AskWhatIf(
      Client("auditor-oslo"), one, [&](const v1::WhatIfPerson& person) {
        for (const v1::AccessRecord& record :
             AccessRecords(person.person_id())) {
          logged_first |= record.principal() == "auditor-oslo" &&
                          record.method() == "WhatIf";
        }
      }));
  EXPECT_TRUE(logged_first);
}

}  // namespace
}  // namespace returnpath::integration
