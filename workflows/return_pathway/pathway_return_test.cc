// Scenario tests of the return rules: overstay and police referrals, IOM
// applications and tiers, escalation, disappearance, reopened cases,
// courses, reviews and departures.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/engine.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/pathway_fixture.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using absl::CivilDay;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Registered on 2026-01-05, final rejection notified 2026-03-02 (position 2):
// departure deadline 2026-03-23.
class ReturnTest : public ::testing::Test {
 protected:
  void FinallyRejected(const PersonSpec& person = {}) {
    RP_ASSERT_OK(f_.Register(CivilDay(2026, 1, 5), person));
    RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
    ASSERT_EQ(DateText(f_.state().departure_deadline().date()), "2026-03-23");
  }
  PathwayFixture f_;
};

TEST_F(ReturnTest, DeadlinePassedWithoutIomMeansOverstayAndPoliceReferral) {
  FinallyRejected();
  RP_ASSERT_OK(f_.FireTimer("departure-deadline-v2"));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_OVERSTAYED);
  EXPECT_TRUE(f_.state().departure_deadline().expired());
  const v1::PathwayTask* referral = f_.TaskByKey("police-referral-v3");
  ASSERT_NE(referral, nullptr);
  EXPECT_EQ(referral->queue(), "police/pu");
  EXPECT_EQ(referral->rule(), "overstay");
  EXPECT_EQ(FromTimestamp(referral->due()),
            OsloEndOfDay(CivilDay(2026, 3, 23)));
  EXPECT_EQ(referral->priority(), 80);  // identity clarified, no agreement (AF)
  EXPECT_THAT(referral->caused_by_versions(), ElementsAre(2, 3));
  EXPECT_THAT(f_.last().index_keys,
              ElementsAre("centre/Oslo-1", "region/OSLO", "stage/OVERSTAYED"));
}

TEST_F(ReturnTest, PoliceReferralPriorityFollowsFeasibility) {
  struct Case {
    const char* nationality;
    bool identity_unclarified;
    bool travel_document;
    int priority;
  };
  for (const Case& c :
       {Case{"AF", true, false, 100}, Case{"AF", false, false, 80},
        Case{"IQ", true, false, 60}, Case{"IQ", false, false, 40},
        Case{"IQ", true, true, 40}}) {
    PathwayFixture f;
    PersonSpec person;
    person.nationality = c.nationality;
    person.flags.set_identity_unclarified(c.identity_unclarified);
    RP_ASSERT_OK(f.Register(CivilDay(2026, 1, 5), person));
    RP_ASSERT_OK(f.FinalRejection(CivilDay(2026, 3, 2)));
    if (c.travel_document) {
      RP_ASSERT_OK(
          f.RecordOn(CivilDay(2026, 3, 10), v1::TravelDocumentObtained()));
    }
    RP_ASSERT_OK(f.FireTimer("departure-deadline-v2"));
    ASSERT_NE(f.TaskOfKind("police_referral"), nullptr);
    EXPECT_EQ(f.TaskOfKind("police_referral")->priority(), c.priority)
        << c.nationality << c.identity_unclarified << c.travel_document;
  }
}

TEST_F(ReturnTest, DeadlinePassedWithIomPendingGoesToTheAdviser) {
  FinallyRejected();
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 3, 10)));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_RETURN_PREPARATION);
  RP_ASSERT_OK(f_.FireTimer("departure-deadline-v2"));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_RETURN_PREPARATION);
  EXPECT_EQ(f_.TasksOfKind("police_referral"), 0);
  const v1::PathwayTask* follow_up = f_.TaskByKey("deadline-follow-up-v4");
  ASSERT_NE(follow_up, nullptr);
  EXPECT_EQ(follow_up->queue(), "advisers/Oslo-1");
  EXPECT_EQ(follow_up->priority(), 60);

  RP_ASSERT_OK(f_.IomWithdraw(CivilDay(2026, 4, 1)));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_OVERSTAYED);
  EXPECT_TRUE(f_.Closed("deadline-follow-up-v4"));
  const v1::PathwayTask* referral = f_.TaskByKey("police-referral-v5");
  ASSERT_NE(referral, nullptr);
  EXPECT_EQ(FromTimestamp(referral->due()),
            OsloEndOfDay(CivilDay(2026, 3, 23)));
  EXPECT_THAT(referral->caused_by_versions(), ElementsAre(2, 5));
}

TEST_F(ReturnTest, IomWithdrawnBeforeTheDeadlineGoesBackToFinalRejection) {
  FinallyRejected();
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 3, 10)));
  RP_ASSERT_OK(f_.IomWithdraw(CivilDay(2026, 3, 12)));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_TRUE(f_.Cancelled("iom-follow-up-v3"));
  EXPECT_EQ(f_.TasksOfKind("police_referral"), 0);
}

TEST_F(ReturnTest, SupportTierDependsOnHowEarlyThePersonApplies) {
  struct Case {
    CivilDay applied;
    int rank;
    int64_t nok;
    int days_after;
  };
  for (const Case& c : {Case{CivilDay(2026, 3, 5), 1, 20000, -18},
                        Case{CivilDay(2026, 3, 23), 1, 20000, 0},
                        Case{CivilDay(2026, 3, 24), 2, 15000, 1},
                        Case{CivilDay(2026, 5, 22), 2, 15000, 60},
                        Case{CivilDay(2026, 5, 23), 3, 10000, 61}}) {
    PathwayFixture f;
    RP_ASSERT_OK(f.Register(CivilDay(2026, 1, 5)));
    RP_ASSERT_OK(f.FinalRejection(CivilDay(2026, 3, 2)));
    RP_ASSERT_OK(f.IomApply(c.applied));
    const v1::IomApplicationRecord& iom = f.state().iom();
    EXPECT_EQ(iom.tier_rank(), c.rank) << FormatDay(c.applied);
    EXPECT_EQ(iom.support_nok(), c.nok) << FormatDay(c.applied);
    EXPECT_EQ(iom.days_after_deadline(), c.days_after);
    EXPECT_EQ(DateText(iom.reference_deadline()), "2026-03-23");
    EXPECT_EQ(iom.tier_policy_version(), "2012-01-01");
  }
}

TEST_F(ReturnTest, ApplicationBeforeAnyRejectionGetsTheFirstTier) {
  RP_ASSERT_OK(f_.Register(CivilDay(2026, 1, 5)));
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 2, 1), v1::IOM_PROGRAMME_IRRANA));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_ASYLUM_PENDING);
  EXPECT_EQ(f_.state().iom().tier_rank(), 1);
  EXPECT_EQ(f_.state().iom().support_nok(), 20000);
  EXPECT_FALSE(f_.state().iom().has_reference_deadline());
  absl::Status twice = f_.IomApply(CivilDay(2026, 2, 2));
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(twice.message(),
            "cannot record an IOM application: an IOM application (IRRANA) "
            "submitted on 2026-02-01 is already pending");
}

TEST_F(ReturnTest, EventsPickThePolicyInForceAtTheirEffectiveTime) {
  struct Case {
    CivilDay applied;
    const char* version;
    int64_t nok;
  };
  for (const Case& c : {Case{CivilDay(2026, 6, 30), "2012-01-01", 20000},
                        Case{CivilDay(2026, 7, 1), "2026-07-01", 25000}}) {
    PathwayFixture f(PoliciesWithExample());
    RP_ASSERT_OK(f.Register(CivilDay(2026, 1, 5)));
    RP_ASSERT_OK(f.FinalRejection(CivilDay(2026, 6, 20)));  // deadline 07-11
    RP_ASSERT_OK(f.IomApply(c.applied));
    EXPECT_EQ(f.log().back().policy_version(), c.version);
    EXPECT_EQ(f.state().iom().tier_rank(), 1);
    EXPECT_EQ(f.state().iom().support_nok(), c.nok);
    EXPECT_EQ(f.state().iom().tier_policy_version(), c.version);
  }
}

TEST_F(ReturnTest, NoDepartureSixtyDaysAfterTheApplication) {
  FinallyRejected();
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 3, 10)));
  EXPECT_EQ(LastDay(f_.Timer("iom-follow-up-v3")->due()), "2026-05-09");
  RP_ASSERT_OK(f_.FireTimer("iom-follow-up-v3"));
  const v1::PathwayTask* task = f_.TaskOfKind("iom_follow_up");
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(task->queue(), "advisers/Oslo-1");
  EXPECT_EQ(LastDay(task->due()), "2026-05-09");
}

TEST_F(ReturnTest, OverdueConversationEscalatesToTheRegion) {
  RP_ASSERT_OK(f_.Register(CivilDay(2026, 1, 5)));
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.FireTimer("escalate-conversation-v2"));
  const v1::PathwayTask* escalation = f_.TaskByKey("escalation-v3");
  ASSERT_NE(escalation, nullptr);
  EXPECT_EQ(escalation->queue(), "region/OSLO");
  EXPECT_EQ(escalation->parent_key(), "conversation-v2");
  EXPECT_EQ(escalation->priority(), 30);
  EXPECT_EQ(LastDay(escalation->due()), "2026-02-16");
  EXPECT_THAT(escalation->title(), HasSubstr("Overdue since 2026-02-16: Return "
                                             "conversation with P1"));
  RP_ASSERT_OK(f_.CompleteTask("conversation-v2"));
  EXPECT_EQ(f_.TaskByKey("conversation-v2"), nullptr);
  EXPECT_FALSE(f_.Closed("conversation-v2"));  // the engine completed it
  EXPECT_TRUE(f_.Closed("escalation-v3"));
  EXPECT_EQ(f_.state().return_conversations_held(), 1);
}

TEST_F(ReturnTest, CompletingBeforeDueCancelsTheEscalation) {
  FinallyRejected();
  RP_ASSERT_OK(f_.CompleteTask("relocate-v2"));
  EXPECT_TRUE(f_.Cancelled("escalate-relocate-v2"));
  EXPECT_TRUE(f_.last().tasks_to_close.empty());
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 4), v1::ReturnConversationHeld()));
  EXPECT_TRUE(f_.Closed("conversation-v2"));
  EXPECT_TRUE(f_.Cancelled("escalate-conversation-v2"));
  // A repeated completion is harmless.
  RP_ASSERT_OK(f_.CompleteTask("relocate-v2"));
  EXPECT_TRUE(f_.last().tasks_to_close.empty());
}

TEST_F(ReturnTest, RelocationCompletedClosesTheTask) {
  FinallyRejected();
  v1::RelocationCompleted moved;
  moved.set_return_centre("Retur-Nord");
  moved.set_region(v1::REGION_NORD);
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 6), moved));
  EXPECT_TRUE(f_.Closed("relocate-v2"));
  EXPECT_TRUE(f_.state().residence().at_return_centre());
  EXPECT_THAT(f_.last().index_keys,
              ElementsAre("centre/Retur-Nord", "due/2026-03-23", "region/NORD",
                          "stage/FINAL_REJECTION"));
}

// Tasks follow the person: the adviser task addressed to the old centre is
// updated in place to the new centre's queue (same id, due and priority).
TEST_F(ReturnTest, ARelocationMovesTheOpenAdviserTaskToTheNewCentre) {
  FinallyRejected();
  const v1::PathwayTask before = *f_.TaskByKey("conversation-v2");
  ASSERT_EQ(before.queue(), "advisers/Oslo-1");
  v1::RelocationCompleted moved;
  moved.set_return_centre("Retur-Nord");
  moved.set_region(v1::REGION_NORD);
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 6), moved));
  const v1::PathwayTask* after = f_.TaskByKey("conversation-v2");
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->queue(), "advisers/Retur-Nord");
  EXPECT_EQ(after->id(), before.id());
  EXPECT_EQ(after->due().seconds(), before.due().seconds());
  EXPECT_EQ(after->priority(), before.priority());
  ASSERT_EQ(f_.last().tasks_to_update.size(), 1u);
  EXPECT_EQ(f_.last().tasks_to_update[0].id, before.id());
  EXPECT_EQ(f_.last().tasks_to_update[0].queue, "advisers/Retur-Nord");
  for (const auto& opened : f_.last().tasks_to_open) {
    EXPECT_NE(opened.kind, before.kind()) << opened.id;
  }
  EXPECT_FALSE(f_.Closed(before.id()));
  EXPECT_THAT(f_.history().rbegin()->moved(),
              Contains(HasSubstr(
                  "moved from queue advisers/Oslo-1 to advisers/Retur-Nord")));
}

// The national police queue is not per centre: its task stays (and closes on
// reappearance), while the adviser task follows the person to the centre
// named on reappearance; a move within the same centre moves nothing.
TEST_F(ReturnTest, AReappearanceAtANewCentreMovesCentreTasksNotPoliceOnes) {
  FinallyRejected();
  RP_ASSERT_OK(f_.Disappear(CivilDay(2026, 3, 5)));
  ASSERT_EQ(f_.TaskByKey("disappeared-v3")->queue(), "police/pu");
  v1::Reappeared back;
  back.set_reception_centre("Bergen-2");
  back.set_region(v1::REGION_VEST);
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 7), back));
  EXPECT_TRUE(f_.Closed("disappeared-v3"));
  ASSERT_NE(f_.TaskByKey("conversation-v2"), nullptr);
  ASSERT_NE(f_.TaskByKey("relocate-v2"), nullptr);
  EXPECT_EQ(f_.TaskByKey("conversation-v2")->queue(), "advisers/Bergen-2");
  EXPECT_EQ(f_.TaskByKey("relocate-v2")->queue(), "reception/Bergen-2");

  v1::PersonMovedCentre same;
  same.set_reception_centre("Bergen-2");
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 8), same));
  EXPECT_TRUE(f_.last().tasks_to_update.empty());
  v1::PersonMovedCentre onwards;
  onwards.set_reception_centre("Bergen-3");
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 9), onwards));
  EXPECT_EQ(f_.TaskByKey("conversation-v2")->queue(), "advisers/Bergen-3");
  EXPECT_EQ(f_.last().tasks_to_update.size(), 2u);
}

TEST_F(ReturnTest, DisappearanceOverlayPoliceTaskAndPlaceRelease) {
  FinallyRejected();
  RP_ASSERT_OK(f_.Disappear(CivilDay(2026, 3, 5)));
  EXPECT_TRUE(f_.state().whereabouts_unknown());
  EXPECT_EQ(f_.state().stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(f_.TaskByKey("disappeared-v3")->queue(), "police/pu");
  EXPECT_EQ(LastDay(f_.Timer("place-release-v3")->due()), "2026-03-19");
  EXPECT_THAT(f_.last().index_keys,
              ElementsAre("centre/Oslo-1", "due/2026-03-23",
                          "overlay/whereabouts_unknown", "region/OSLO",
                          "stage/FINAL_REJECTION"));
  absl::Status twice = f_.Disappear(CivilDay(2026, 3, 6));
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition);

  RP_ASSERT_OK(f_.FireTimer("place-release-v3"));
  EXPECT_TRUE(f_.state().residence().place_released());
  EXPECT_EQ(f_.TaskByKey("place-release-v4")->queue(), "reception/Oslo-1");
  EXPECT_THAT(f_.last().index_keys,
              ElementsAre("due/2026-03-23", "overlay/whereabouts_unknown",
                          "region/OSLO", "scope/centre/Oslo-1",
                          "stage/FINAL_REJECTION"));

  RP_ASSERT_OK(f_.Reappear(CivilDay(2026, 3, 20)));
  EXPECT_FALSE(f_.state().whereabouts_unknown());
  EXPECT_TRUE(f_.Closed("disappeared-v3"));
  EXPECT_TRUE(f_.Closed("place-release-v4"));
  absl::Status present = f_.Reappear(CivilDay(2026, 3, 21));
  EXPECT_EQ(present.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(present.message(),
            "cannot record a reappearance: the person is not registered as "
            "disappeared");
}

TEST_F(ReturnTest, ReopenedCaseSuspendsTheDeadlineUntilANewDecision) {
  FinallyRejected();
  RP_ASSERT_OK(f_.Reopen(CivilDay(2026, 3, 10)));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_CASE_REOPENED);
  EXPECT_TRUE(f_.state().departure_deadline().suspended());
  EXPECT_TRUE(f_.Cancelled("departure-deadline-v2"));
  EXPECT_TRUE(f_.Cancelled("review-v2"));
  EXPECT_THAT(f_.last().index_keys, ElementsAre("centre/Oslo-1", "region/OSLO",
                                                "stage/CASE_REOPENED"));
  v1::DepartureDeadlineSet deadline;
  deadline.set_days(14);
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 4, 1), deadline));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(DateText(f_.state().departure_deadline().date()), "2026-04-15");
  EXPECT_TRUE(f_.Armed("departure-deadline-v4"));
  EXPECT_TRUE(f_.Armed("review-v4"));
  absl::Status twice = f_.Reopen(CivilDay(2026, 4, 2));
  RP_ASSERT_OK(twice);  // a reopened case decided again may be reopened again
  absl::Status already = f_.Reopen(CivilDay(2026, 4, 3));
  EXPECT_EQ(already.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(already.message(),
            "cannot record a reopened case: the case was reopened on 2026-04-02 "
            "and awaits a new decision");
  PathwayFixture pending;
  RP_ASSERT_OK(pending.Register(CivilDay(2026, 1, 5)));
  absl::Status refused = pending.Reopen(CivilDay(2026, 2, 1));
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.message(),
            "cannot record a reopened case: the asylum claim is still pending");
}

TEST_F(ReturnTest, QualificationCourseNeverMovesADeadline) {
  FinallyRejected();
  v1::QualificationCourseEnrolled enrolled;
  enrolled.set_course_id("welding-1");
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 5), enrolled));
  EXPECT_TRUE(f_.last().timers_to_arm.empty());
  EXPECT_TRUE(f_.last().timers_to_cancel.empty());
  EXPECT_TRUE(f_.last().tasks_to_open.empty());
  EXPECT_TRUE(f_.last().tasks_to_close.empty());
  v1::QualificationCourseCompleted completed;
  completed.set_course_id("welding-1");
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 20), completed));
  EXPECT_TRUE(f_.last().timers_to_arm.empty());
  EXPECT_EQ(DateText(f_.state().departure_deadline().date()), "2026-03-23");
  RP_ASSERT_OK(f_.FireTimer("departure-deadline-v2"));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_OVERSTAYED);
}

TEST_F(ReturnTest, LongStayersAreReviewedEveryNinetyDays) {
  FinallyRejected();
  EXPECT_EQ(LastDay(f_.Timer("review-v2")->due()), "2026-05-31");
  RP_ASSERT_OK(f_.FireTimer("review-v2"));
  EXPECT_EQ(f_.TaskByKey("review-v3")->queue(), "advisers/Oslo-1");
  EXPECT_TRUE(f_.Armed("review-v2"));
  EXPECT_EQ(LastDay(f_.Timer("review-v2")->due()), "2026-08-29");
}

TEST_F(ReturnTest, DepartureRules) {
  FinallyRejected();
  absl::Status voluntary =
      f_.Depart(CivilDay(2026, 3, 10), v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY);
  EXPECT_EQ(voluntary.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(voluntary.message(),
            "cannot record an assisted voluntary return: no IOM application is "
            "pending");
  absl::Status forced =
      f_.Depart(CivilDay(2026, 3, 10), v1::DEPARTURE_KIND_FORCED);
  EXPECT_EQ(forced.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(forced.message(),
            "cannot record a forced return: the departure deadline runs until "
            "2026-03-23");
  absl::Status dublin =
      f_.Depart(CivilDay(2026, 3, 10), v1::DEPARTURE_KIND_DUBLIN_TRANSFER);
  EXPECT_EQ(dublin.code(), absl::StatusCode::kFailedPrecondition);

  RP_ASSERT_OK(f_.FireTimer("departure-deadline-v2"));
  v1::Departed departed;
  departed.set_kind(v1::DEPARTURE_KIND_FORCED);
  departed.set_destination_country("AF");
  departed.mutable_forced_return_support()->set_programme("PRAN");
  departed.mutable_forced_return_support()->set_cash_nok(5000);
  absl::Status cash = f_.RecordOn(CivilDay(2026, 4, 1), departed);
  EXPECT_EQ(cash.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cash.message(),
            "forced_return_support.cash_nok: 5000 is outside 0-3000 NOK");
  departed.mutable_forced_return_support()->set_cash_nok(3000);
  departed.mutable_forced_return_support()->set_in_kind_nok(10000);
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 4, 1), departed));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_DEPARTED_FORCED);
  EXPECT_TRUE(f_.state().open_tasks().empty());
  EXPECT_TRUE(f_.state().armed_timers().empty());
  EXPECT_FALSE(f_.Closed("police-referral-v3"));  // completed: effected
  ASSERT_EQ(f_.last().tasks_to_complete.size(), 1u);
  EXPECT_EQ(f_.last().tasks_to_complete[0].id, "police-referral-v3");
  EXPECT_TRUE(f_.Cancelled("review-v2"));
  EXPECT_THAT(f_.last().index_keys,
              ElementsAre("scope/centre/Oslo-1", "scope/region/OSLO",
                          "stage/DEPARTED_FORCED"));
  absl::Status after = f_.CompleteTask("police-referral-v3");
  EXPECT_EQ(after.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      after.message(),
      HasSubstr("the pathway ended on 2026-04-01: the person returned by "
                "force"));
}

TEST_F(ReturnTest, DublinTransferAndVoluntaryDeparture) {
  PersonSpec dublin;
  dublin.flags.set_dublin_case(true);
  FinallyRejected(dublin);
  RP_ASSERT_OK(
      f_.Depart(CivilDay(2026, 3, 10), v1::DEPARTURE_KIND_DUBLIN_TRANSFER));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_DEPARTED_DUBLIN);

  PathwayFixture voluntary;
  RP_ASSERT_OK(voluntary.Register(CivilDay(2026, 1, 5)));
  RP_ASSERT_OK(voluntary.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(voluntary.IomApply(CivilDay(2026, 3, 4)));
  RP_ASSERT_OK(
      voluntary.RecordOn(CivilDay(2026, 3, 9), v1::IomApplicationApproved()));
  RP_ASSERT_OK(voluntary.Depart(CivilDay(2026, 3, 20),
                                v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY));
  EXPECT_EQ(voluntary.state().stage(), v1::STAGE_DEPARTED_VOLUNTARY);
  EXPECT_FALSE(voluntary.state().iom().pending());
  EXPECT_TRUE(voluntary.state().iom().approved());
}

TEST_F(ReturnTest, StaleTimerChangesNothing) {
  RP_ASSERT_OK(f_.Register(CivilDay(2026, 1, 5)));
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.Appeal(CivilDay(2026, 2, 20), true));
  v1::TimerFired stale;
  stale.set_timer_id("appeal-window-v2");
  RP_ASSERT_OK(f_.Record(stale, OsloEndOfDay(CivilDay(2026, 3, 2))));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_APPEAL_PENDING);
  EXPECT_TRUE(f_.last().timers_to_arm.empty());
  EXPECT_TRUE(f_.last().tasks_to_open.empty());
  EXPECT_EQ(f_.history().size(), 4);
}

}  // namespace
}  // namespace returnpath::return_pathway
