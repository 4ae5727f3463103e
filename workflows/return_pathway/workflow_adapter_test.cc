// The adapter the engine calls: bytes in, bytes out, policy by version.

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
    e.set_position(++position_);
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
  uint64_t position_ = 0;
};

TEST_F(AdapterTest, PolicyVersionAt) {
  EXPECT_EQ(*workflow_->PolicyVersionAt(At(CivilDay(2026, 6, 30))),
            "2012-01-01");
  EXPECT_EQ(*workflow_->PolicyVersionAt(At(CivilDay(2026, 7, 1))),
            "2026-07-01");
  EXPECT_EQ(
      workflow_->PolicyVersionAt(At(CivilDay(2011, 1, 1))).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(workflow_->StateTypeName(), "returnpath.v1.PathwayState");
}

TEST_F(AdapterTest, AppliesBytesAndIsDeterministic) {
  absl::StatusOr<engine::Transition> first =
      workflow_->Apply("", Envelope(Registration(), CivilDay(2026, 1, 5)));
  ASSERT_TRUE(first.ok()) << first.status();
  v1::FinalRejection rejection;
  const v1::EventEnvelope e = Envelope(rejection, CivilDay(2026, 3, 2));
  absl::StatusOr<engine::Transition> a = workflow_->Apply(first->next_state, e);
  absl::StatusOr<engine::Transition> b = workflow_->Apply(first->next_state, e);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->next_state, b->next_state);
  EXPECT_THAT(a->index_keys,
              ElementsAre("centre/Oslo-1", "due/2026-03-23", "region/OSLO",
                          "stage/FINAL_REJECTION"));
  ASSERT_EQ(a->tasks_to_open.size(), 2u);
  EXPECT_EQ(a->tasks_to_open[0].id, "conversation-2");
  EXPECT_EQ(a->tasks_to_open[1].id, "relocate-2");
  EXPECT_EQ(a->tasks_to_open[1].queue, "reception/Oslo-1");
  EXPECT_EQ(a->tasks_to_open[1].rule, "relocation");
  EXPECT_THAT(a->tasks_to_open[1].caused_by_positions, ElementsAre(2));
  absl::StatusOr<v1::PathwayState> state = DecodePathwayState(a->next_state);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->stage(), v1::STAGE_FINAL_REJECTION);
}

TEST_F(AdapterTest, ErrorsFromBytes) {
  EXPECT_EQ(
      workflow_
          ->Apply("\xff\xff", Envelope(Registration(), CivilDay(2026, 1, 5)))
          .status()
          .code(),
      absl::StatusCode::kDataLoss);
  v1::EventEnvelope unknown = Envelope(v1::Date(), CivilDay(2026, 1, 5));
  absl::Status status = workflow_->Apply("", unknown).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("returnpath.v1.Date"));
  v1::EventEnvelope unknown_policy =
      Envelope(Registration(), CivilDay(2026, 1, 5));
  unknown_policy.set_policy_version("1999");
  EXPECT_EQ(workflow_->Apply("", unknown_policy).status().code(),
            absl::StatusCode::kNotFound);
  v1::EventEnvelope no_time = Envelope(Registration(), CivilDay(2026, 1, 5));
  no_time.clear_effective_time();
  EXPECT_EQ(workflow_->Apply("", no_time).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AdapterTest, MissingPolicyVersionUsesTheOneInForce) {
  v1::EventEnvelope e = Envelope(Registration(), CivilDay(2026, 1, 5));
  e.clear_policy_version();
  EXPECT_TRUE(workflow_->Apply("", e).ok());
}

TEST_F(AdapterTest, ClassifiesEventsForStatistics) {
  PathwayFixture f;
  PersonSpec person;
  person.nationality = "ET";
  RP_ASSERT_OK(f.Register(CivilDay(2026, 1, 5), person));
  RP_ASSERT_OK(f.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f.FireTimer("appeal-window-2"));
  auto categories = [&] {
    std::vector<std::string> out;
    for (const auto& key :
         workflow_->Classify(f.last().next_state, f.log().back())) {
      out.push_back(key.category + "/" + key.group);
    }
    return out;
  };
  EXPECT_THAT(categories(), ElementsAre("final_rejection/ET"));
  RP_ASSERT_OK(f.Disappear(CivilDay(2026, 3, 5)));
  EXPECT_THAT(categories(), ElementsAre("disappeared/ET"));
  RP_ASSERT_OK(f.Reappear(CivilDay(2026, 3, 6)));
  RP_ASSERT_OK(f.IomApply(CivilDay(2026, 3, 7)));
  EXPECT_THAT(categories(), ElementsAre("iom_application/ET"));
  RP_ASSERT_OK(
      f.Depart(CivilDay(2026, 3, 20), v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY));
  EXPECT_THAT(categories(), ElementsAre("assisted_return/ET"));

  // Recorded in error and retracted in April: the departure is taken back
  // from March, its own month.
  const uint64_t departed_at = f.log().back().position();
  RP_ASSERT_OK(f.Retract(CivilDay(2026, 4, 2), departed_at));
  std::vector<returnpath::engine::Workflow::StatisticKey> keys =
      workflow_->Classify(f.last().next_state, f.log().back());
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].category, "assisted_return");
  EXPECT_EQ(keys[0].group, "ET");
  EXPECT_EQ(keys[0].delta, -1);
  ASSERT_TRUE(keys[0].effective.has_value());
  EXPECT_EQ(absl::FormatTime("%Y-%m-%d", *keys[0].effective,
                             absl::FixedTimeZone(3600)),
            "2026-03-20");
}

}  // namespace
}  // namespace returnpath::return_pathway
