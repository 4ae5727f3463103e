// The adapter the engine calls: bytes in, bytes out, policy by version.

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/engine.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/pathway_fixture.h"
#include "workflows/return_pathway/return_pathway_workflow.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using absl::CivilDay;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class AdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<engine::Workflow>> workflow =
        NewReturnPathwayWorkflow(RETURN_PATHWAY_POLICY_DIR);
    ASSERT_TRUE(workflow.ok()) << workflow.status();
    workflow_ = *std::move(workflow);
  }

  v1::EventEnvelope Envelope(const google::protobuf::Message& payload,
                             CivilDay day) {
    v1::EventEnvelope e;
    e.set_stream_version(++version_);
    e.set_stream_id("P1");
    *e.mutable_effective_time() = ToTimestamp(At(day));
    *e.mutable_recorded_time() = ToTimestamp(At(day));
    absl::StatusOr<std::string> version = workflow_->PolicyVersionAt(At(day));
    if (version.ok()) e.set_policy_version(*version);
    e.mutable_payload()->PackFrom(payload);
    return e;
  }

  v1::PersonRegistered Registration() {
    v1::PersonRegistered e;
    e.set_person_id("P1");
    e.set_household_id("H1");
    *e.mutable_date_of_birth() = ToDate(CivilDay(1990, 1, 1));
    e.set_nationality("IQ");
    e.set_reception_centre("Oslo-1");
    e.set_region(v1::REGION_OSLO);
    return e;
  }

  std::unique_ptr<engine::Workflow> workflow_;
  uint64_t version_ = 0;
};

TEST_F(AdapterTest, PolicyVersionAt) {
  EXPECT_EQ(*workflow_->PolicyVersionAt(At(CivilDay(2026, 6, 30))),
            "2012-01-01");
  // The shipped folder holds the defaults only (the example revision is not
  // loaded).
  EXPECT_EQ(*workflow_->PolicyVersionAt(At(CivilDay(2026, 7, 1))),
            "2012-01-01");
  EXPECT_EQ(
      workflow_->PolicyVersionAt(At(CivilDay(2011, 1, 1))).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(workflow_->StateTypeName(), "returnpath.v1.PathwayState");
}

TEST_F(AdapterTest, AppliesBytesAndIsDeterministic) {
  absl::StatusOr<engine::Transition> first = workflow_->Apply(
      "", Envelope(Registration(), CivilDay(2026, 1, 5)), engine::NoEvents());
  ASSERT_TRUE(first.ok()) << first.status();
  v1::FinalRejection rejection;
  const v1::EventEnvelope e = Envelope(rejection, CivilDay(2026, 3, 2));
  absl::StatusOr<engine::Transition> a =
      workflow_->Apply(first->next_state, e, engine::NoEvents());
  absl::StatusOr<engine::Transition> b =
      workflow_->Apply(first->next_state, e, engine::NoEvents());
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->next_state, b->next_state);
  EXPECT_THAT(a->index_keys,
              ElementsAre("centre/Oslo-1", "due/2026-03-23", "region/OSLO",
                          "stage/FINAL_REJECTION"));
  ASSERT_EQ(a->tasks_to_open.size(), 2u);
  EXPECT_EQ(a->tasks_to_open[0].id, "conversation-v2");
  EXPECT_EQ(a->tasks_to_open[1].id, "relocate-v2");
  EXPECT_EQ(a->tasks_to_open[1].queue, "reception/Oslo-1");
  EXPECT_EQ(a->tasks_to_open[1].rule, "relocation");
  EXPECT_THAT(a->tasks_to_open[1].caused_by_versions, ElementsAre(2));
  absl::StatusOr<v1::PathwayState> state = DecodePathwayState(a->next_state);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->stage(), v1::STAGE_FINAL_REJECTION);
}

TEST_F(AdapterTest, ErrorsFromBytes) {
  EXPECT_EQ(
      workflow_
          ->Apply("\xff\xff", Envelope(Registration(), CivilDay(2026, 1, 5)),
                  engine::NoEvents())
          .status()
          .code(),
      absl::StatusCode::kDataLoss);
  v1::EventEnvelope unknown = Envelope(v1::Date(), CivilDay(2026, 1, 5));
  absl::Status status =
      workflow_->Apply("", unknown, engine::NoEvents()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("returnpath.v1.Date"));
  v1::EventEnvelope unknown_policy =
      Envelope(Registration(), CivilDay(2026, 1, 5));
  unknown_policy.set_policy_version("1999");
  EXPECT_EQ(
      workflow_->Apply("", unknown_policy, engine::NoEvents()).status().code(),
      absl::StatusCode::kNotFound);
  v1::EventEnvelope no_time = Envelope(Registration(), CivilDay(2026, 1, 5));
  no_time.clear_effective_time();
  EXPECT_EQ(workflow_->Apply("", no_time, engine::NoEvents()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AdapterTest, MissingPolicyVersionUsesTheOneInForce) {
  v1::EventEnvelope e = Envelope(Registration(), CivilDay(2026, 1, 5));
  e.clear_policy_version();
  EXPECT_TRUE(workflow_->Apply("", e, engine::NoEvents()).ok());
}

// "category/group/delta/month" for each key of `f`'s last event.
class ClassifyTest : public AdapterTest {
 protected:
  std::vector<std::string> Keys(const std::string& before) {
    std::vector<std::string> out;
    for (const auto& key : workflow_->Classify(before, f_.last().next_state,
                                               f_.log().back(), f_.Lookup())) {
      const absl::Time at = key.effective.value_or(
          FromTimestamp(f_.log().back().effective_time()));
      absl::TimeZone months;
      EXPECT_TRUE(absl::LoadTimeZone(workflow_->StatisticsTimeZone(), &months));
      out.push_back(absl::StrCat(key.category, "/", key.group, "/", key.delta,
                                 "/", absl::FormatTime("%Y-%m", at, months)));
    }
    return out;
  }
  // Runs `action` on the fixture and classifies the event it recorded.
  template <typename Action>
  std::vector<std::string> Classified(Action action) {
    const std::string before = f_.state().SerializeAsString();
    const absl::Status status = action();
    EXPECT_TRUE(status.ok()) << status;
    return Keys(before);
  }
  void Register() {
    PersonSpec person;
    person.nationality = "ET";
    RP_ASSERT_OK(f_.Register(CivilDay(2026, 1, 5), person));
  }

  PathwayFixture f_;
};

TEST_F(ClassifyTest, CountsEventsByKindAndNationality) {
  Register();
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  EXPECT_THAT(Classified([&] { return f_.FireTimer("appeal-window-v2"); }),
              ElementsAre("final_rejection/ET/1/2026-03"));
  EXPECT_THAT(Classified([&] { return f_.Disappear(CivilDay(2026, 3, 5)); }),
              ElementsAre("disappeared/ET/1/2026-03"));
  RP_ASSERT_OK(f_.Reappear(CivilDay(2026, 3, 6)));
  EXPECT_THAT(Classified([&] { return f_.IomApply(CivilDay(2026, 3, 7)); }),
              ElementsAre("iom_application/ET/1/2026-03"));
  EXPECT_THAT(Classified([&] {
                return f_.Depart(CivilDay(2026, 3, 20),
                                 v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY);
              }),
              ElementsAre("assisted_return/ET/1/2026-03"));
}

// Months are Oslo months: a window whose last day is the last of the month
// expires at 00:00 on the 1st in Oslo (22:00 or 23:00 UTC the day before),
// and the final rejection it derives counts in the new month.
TEST_F(ClassifyTest, ADerivedFinalRejectionOnTheFirstCountsInThatMonth) {
  Register();
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 3, 10)));  // to 03-31 (Tue)
  EXPECT_THAT(Classified([&] { return f_.FireTimer("appeal-window-v2"); }),
              ElementsAre("final_rejection/ET/1/2026-04"));
  EXPECT_EQ(
      f_.log().back().effective_time().seconds(),
      absl::ToUnixSeconds(absl::FromCivil(
          absl::CivilSecond(2026, 3, 31, 22, 0, 0), absl::UTCTimeZone())));
}

TEST_F(ClassifyTest, AWaivedAppealCountsAsAFinalRejection) {
  Register();
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 1, 26)));
  v1::AppealWaived waived;
  *waived.mutable_waived_on() = ToDate(CivilDay(2026, 2, 1));
  EXPECT_THAT(
      Classified([&] { return f_.RecordOn(CivilDay(2026, 2, 1), waived); }),
      ElementsAre("final_rejection/ET/1/2026-02"));
}

TEST_F(ClassifyTest, RetractionTakesBackInTheRetractedEventsMonth) {
  Register();
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(
      f_.Depart(CivilDay(2026, 3, 20), v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY));
  const uint64_t departed_at = f_.log().back().position();
  // Recorded in error and retracted in April: the departure leaves March.
  EXPECT_THAT(
      Classified([&] { return f_.Retract(CivilDay(2026, 4, 2), departed_at); }),
      ElementsAre("assisted_return/ET/-1/2026-03"));
}

TEST_F(ClassifyTest, CorrectionMovesTheCountToTheRightKindAndMonth) {
  Register();
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 3, 2)));
  // The departure deadline expired: a forced return is possible.
  RP_ASSERT_OK(f_.FireDueTimers(At(CivilDay(2026, 3, 30))));
  RP_ASSERT_OK(
      f_.Depart(CivilDay(2026, 3, 31), v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY));
  const uint64_t departed_at = f_.log().back().position();
  v1::Departed forced;
  forced.set_kind(v1::DEPARTURE_KIND_FORCED);
  EXPECT_THAT(Classified([&] {
                return f_.Correct(CivilDay(2026, 4, 10), departed_at, forced,
                                  At(CivilDay(2026, 4, 1)));
              }),
              ElementsAre("assisted_return/ET/-1/2026-03",
                          "forced_return/ET/1/2026-04"));
}

TEST_F(ClassifyTest, RetractingTheDecisionTakesBackTheRejectionItDerived) {
  Register();
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.Appeal(CivilDay(2026, 2, 20), /*deferred=*/true));
  EXPECT_THAT(Classified([&] {
                return f_.AppealDecided(CivilDay(2026, 5, 4),
                                        v1::APPEAL_OUTCOME_REJECTED);
              }),
              ElementsAre("final_rejection/ET/1/2026-05"));
  const uint64_t decided_at = f_.log().back().position();
  EXPECT_THAT(
      Classified([&] { return f_.Retract(CivilDay(2026, 6, 1), decided_at); }),
      ElementsAre("final_rejection/ET/-1/2026-05"));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_APPEAL_PENDING);
}

TEST_F(ClassifyTest, RetractingTheRejectionTakesBackTheExpiryItDerived) {
  Register();
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  const uint64_t rejected_at = f_.log().back().position();
  RP_ASSERT_OK(f_.FireTimer("appeal-window-v2"));
  EXPECT_THAT(
      Classified([&] { return f_.Retract(CivilDay(2026, 4, 1), rejected_at); }),
      ElementsAre("final_rejection/ET/-1/2026-03"));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_ASYLUM_PENDING);
}

TEST_F(ClassifyTest, LateRecordedTimelyAppealTakesBackTheExpiry) {
  Register();
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.FireTimer("appeal-window-v2"));
  v1::AppealLodged appeal;
  appeal.set_deferred_implementation(true);
  EXPECT_THAT(Classified([&] {
                return f_.Record(appeal, At(CivilDay(2026, 3, 1)),
                                 At(CivilDay(2026, 3, 5)));
              }),
              ElementsAre("final_rejection/ET/-1/2026-03"));
}

TEST_F(ClassifyTest, ANewRejectionAfterAReopenedCaseKeepsTheFirst) {
  Register();
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.FireTimer("appeal-window-v2"));
  RP_ASSERT_OK(f_.Reopen(CivilDay(2026, 4, 7)));
  EXPECT_THAT(
      Classified([&] { return f_.FinalRejection(CivilDay(2026, 6, 1)); }),
      ElementsAre("final_rejection/ET/1/2026-06"));
}

}  // namespace
}  // namespace returnpath::return_pathway
