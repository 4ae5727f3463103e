// Facts that arrive late, end to end through the real daemon: an IOM
// application made before the departure deadline but recorded after the
// police referral opened withdraws the referral, and returnctl says why.

#include "clients/lib/time_text.h"
#include "gmock/gmock.h"
#include "returnpath/v1/engine.pb.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

class LateFactsFlowTest : public IntegrationTest {
 protected:
  DaemonOptions Options() const override { return NationalTeam(); }
};

TEST_F(LateFactsFlowTest, BackdatedIomApplicationWithdrawsThePoliceReferral) {
  RP_ASSERT_OK(Register({.id = "P-7"}));
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T08:00:00Z")));
  RP_ASSERT_OK(Record("P-7", "final-rejection", {{"notified", "2026-03-02"}}));

  // The deadline (2026-03-23) passes: the police get the referral.
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-25T08:00:00Z")));
  RP_ASSERT_OK(WaitForTimer("P-7", "departure_deadline"));
  absl::StatusOr<std::vector<v1::Task>> police =
      QueueTasks("police", "police/pu");
  RP_ASSERT_OK(police);
  ASSERT_EQ(police->size(), 1u);
  const std::string referral = police->front().id();

  // The adviser records the application the person made on 2026-03-20.
  absl::StatusOr<client::BuiltEvent> iom =
      client::BuildEvent("iom-application", {{"programme", "varp"}});
  RP_ASSERT_OK(iom);
  client::RecordOptions options;
  options.effective_time = Utc("2026-03-20T09:00:00Z");
  absl::StatusOr<v1::RecordEventResponse> recorded =
      As("adviser").Record("P-7", *iom, options);
  RP_ASSERT_OK(recorded);

  absl::StatusOr<v1::PathwayState> state = State("P-7");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_RETURN_PREPARATION);
  EXPECT_EQ(state->iom().tier_rank(), 1);
  police = QueueTasks("police", "police/pu");
  RP_ASSERT_OK(police);
  EXPECT_TRUE(police->empty()) << police->front().DebugString();
  absl::StatusOr<v1::PathwayView> view = View("P-7");
  RP_ASSERT_OK(view);
  EXPECT_TRUE(TasksOfKind(*view, "police_referral").empty());
  EXPECT_EQ(TasksOfKind(*view, "deadline_follow_up").size(), 1u);

  // Caseworkers and auditors read what moved and why.
  const std::string why = absl::StrCat(
      "task police referral ", referral,
      " cancelled: the IOM application at "
      "version ",
      recorded->version(),
      " (effective 2026-03-20) comes before the departure deadline's expiry");
  ProcessResult shown = Ctl({"--as=reception", "show", "--person", "P-7"});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr(why));
  ProcessResult history =
      Ctl({"--as=auditor", "audit", "history", "--person", "P-7"});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_THAT(history.out, HasSubstr(why));
}

}  // namespace
}  // namespace returnpath::integration
