// Corrections and retractions: the history is refolded and only the
// differences in timers and tasks reach the engine.

#include <set>
#include <string>

#include "absl/strings/str_cat.h"

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
using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::FirstRejection FirstRejectionOn(CivilDay day) {
  v1::FirstRejection e;
  *e.mutable_notified_on() = ToDate(day);
  return e;
}

v1::FinalRejection FinalRejectionOn(CivilDay day) {
  v1::FinalRejection e;
  *e.mutable_notified_on() = ToDate(day);
  return e;
}

class CorrectionTest : public ::testing::Test {
 protected:
  void SetUp() override { RP_ASSERT_OK(f_.Register(CivilDay(2026, 1, 5))); }
  PathwayFixture f_;
};

TEST_F(CorrectionTest, CorrectedNotificationDateMovesWindowAndTasks) {
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.Correct(CivilDay(2026, 2, 10), 2,
                          FirstRejectionOn(CivilDay(2026, 2, 5)),
                          At(CivilDay(2026, 2, 5))));
  const v1::PathwayState& s = f_.state();
  EXPECT_EQ(DateText(s.appeal_window().date()), "2026-02-26");
  EXPECT_THAT(s.appeal_window().caused_by_versions(), ElementsAre(2, 3));
  EXPECT_TRUE(f_.Armed("appeal-window-v2"));
  EXPECT_EQ(LastDay(f_.Timer("appeal-window-v2")->due()), "2026-02-26");
  // Still the conversation after the same decision: updated in place (same
  // id, an adviser holding it keeps the lease), now due earlier.
  EXPECT_FALSE(f_.Closed("conversation-v2"));
  EXPECT_TRUE(f_.last().tasks_to_open.empty());
  ASSERT_EQ(f_.last().tasks_to_update.size(), 1u);
  EXPECT_EQ(f_.last().tasks_to_update[0].id, "conversation-v2");
  const v1::PathwayTask* talk = f_.TaskByKey("conversation-v2");
  ASSERT_NE(talk, nullptr);
  EXPECT_EQ(talk->id(), "conversation-v2");
  EXPECT_EQ(LastDay(talk->due()), "2026-02-12");
  EXPECT_THAT(talk->caused_by_versions(), ElementsAre(2, 3));
  EXPECT_TRUE(f_.Armed("escalate-conversation-v2"));
  const auto history = f_.history();
  ASSERT_EQ(history.size(), 3);
  EXPECT_THAT(history[1].correction_versions(), ElementsAre(3));
  EXPECT_TRUE(history[1].has_replacement());

  RP_ASSERT_OK(f_.CompleteTask("conversation-v2"));
  EXPECT_TRUE(f_.Cancelled("escalate-conversation-v2"));
  EXPECT_EQ(f_.TaskByKey("conversation-v2"), nullptr);
}

TEST_F(CorrectionTest, CorrectionWithTheSameFactsChangesNoTimerOrTask) {
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.Correct(CivilDay(2026, 2, 10), 2,
                          FirstRejectionOn(CivilDay(2026, 2, 9))));
  EXPECT_TRUE(f_.last().timers_to_arm.empty());
  EXPECT_TRUE(f_.last().timers_to_cancel.empty());
  EXPECT_TRUE(f_.last().tasks_to_open.empty());
  EXPECT_TRUE(f_.last().tasks_to_close.empty());
  EXPECT_EQ(f_.TaskByKey("conversation-v2")->id(), "conversation-v2");
}

TEST_F(CorrectionTest, RevisedIdsStayStableAcrossLaterCorrections) {
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.Correct(CivilDay(2026, 2, 10), 2,
                          FirstRejectionOn(CivilDay(2026, 2, 5)),
                          At(CivilDay(2026, 2, 5))));
  RP_ASSERT_OK(f_.Correct(CivilDay(2026, 2, 11), 2,
                          FirstRejectionOn(CivilDay(2026, 2, 5))));
  EXPECT_TRUE(f_.last().tasks_to_open.empty());
  EXPECT_TRUE(f_.last().tasks_to_close.empty());
  EXPECT_EQ(f_.TaskByKey("conversation-v2")->id(), "conversation-v2");
  RP_ASSERT_OK(f_.Correct(CivilDay(2026, 2, 12), 2,
                          FirstRejectionOn(CivilDay(2026, 2, 6)),
                          At(CivilDay(2026, 2, 6))));
  EXPECT_TRUE(f_.last().tasks_to_close.empty());
  EXPECT_TRUE(f_.last().tasks_to_open.empty());
  EXPECT_EQ(f_.TaskByKey("conversation-v2")->id(), "conversation-v2");
}

TEST_F(CorrectionTest, RefoldEqualsRecordingTheRightFactsFromTheStart) {
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.FireTimer("appeal-window-v2"));
  RP_ASSERT_OK(f_.Correct(CivilDay(2026, 3, 4), 2,
                          FirstRejectionOn(CivilDay(2026, 2, 2)),
                          At(CivilDay(2026, 2, 2))));
  // The window moved: the old expiry's event, now after the new expiry,
  // finds the timer overdue and fires it first, at its new (past) time.
  EXPECT_FALSE(f_.Armed("appeal-window-v2"));
  PathwayFixture right;
  RP_ASSERT_OK(right.Register(CivilDay(2026, 1, 5)));
  RP_ASSERT_OK(right.FirstRejection(CivilDay(2026, 2, 2)));
  // What came due by the old expiry's event fired, the window among them.
  RP_ASSERT_OK(right.FireDueTimers(At(CivilDay(2026, 3, 2))));
  const v1::PathwayState& a = f_.state();
  const v1::PathwayState& b = right.state();
  EXPECT_EQ(a.stage(), b.stage());
  EXPECT_EQ(DateText(a.appeal_window().date()), "2026-02-23");
  EXPECT_EQ(DateText(a.departure_deadline().date()),
            DateText(b.departure_deadline().date()));
  // The expiry fired again at a later position: the same tasks and timers,
  // named after it.
  auto tasks = [](const v1::PathwayState& s) {
    std::multiset<std::string> out;
    for (const v1::PathwayTask& t : s.open_tasks()) {
      out.insert(absl::StrCat(t.kind(), " ", LastDay(t.due())));
    }
    return out;
  };
  auto timers = [](const v1::PathwayState& s) {
    std::multiset<std::string> out;
    for (const v1::PathwayTimer& t : s.armed_timers()) {
      out.insert(absl::StrCat(t.kind(), " ", LastDay(t.due())));
    }
    return out;
  };
  EXPECT_EQ(tasks(a), tasks(b));
  EXPECT_EQ(timers(a), timers(b));
}

TEST_F(CorrectionTest, LaterDeadlineUndoesAnOverstayThatWasNotYetDue) {
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(f_.FireTimer("departure-deadline-v2"));
  ASSERT_EQ(f_.state().stage(), v1::STAGE_OVERSTAYED);
  RP_ASSERT_OK(f_.Correct(CivilDay(2026, 3, 25), 2,
                          FinalRejectionOn(CivilDay(2026, 3, 10)),
                          At(CivilDay(2026, 3, 10))));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(DateText(f_.state().departure_deadline().date()), "2026-03-31");
  EXPECT_TRUE(f_.Closed("police-referral-v3"));
  EXPECT_TRUE(f_.Armed("departure-deadline-v2"));
  EXPECT_EQ(LastDay(f_.Timer("departure-deadline-v2")->due()), "2026-03-31");
  RP_ASSERT_OK(f_.FireTimer("departure-deadline-v2"));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_OVERSTAYED);
  EXPECT_EQ(LastDay(f_.TaskOfKind("police_referral")->due()), "2026-03-31");
}

TEST_F(CorrectionTest, RetractedIomApplicationTurnsFollowUpIntoPoliceReferral) {
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 3, 10)));
  RP_ASSERT_OK(f_.FireTimer("departure-deadline-v2"));
  ASSERT_NE(f_.TaskByKey("deadline-follow-up-v4"), nullptr);
  RP_ASSERT_OK(f_.Retract(CivilDay(2026, 4, 1), 3));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_OVERSTAYED);
  EXPECT_TRUE(f_.Closed("deadline-follow-up-v4"));
  EXPECT_TRUE(f_.Opened("police-referral-v4~v5"));
  EXPECT_TRUE(f_.Cancelled("iom-follow-up-v3"));
  EXPECT_EQ(FromTimestamp(f_.TaskByKey("police-referral-v4")->due()),
            OsloEndOfDay(CivilDay(2026, 3, 23)));
  EXPECT_TRUE(f_.history()[2].retracted());
}

TEST_F(CorrectionTest, RetractedFinalRejectionClosesWhatItOpened) {
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(f_.Retract(CivilDay(2026, 3, 5), 2));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_ASYLUM_PENDING);
  EXPECT_TRUE(f_.Closed("relocate-v2"));
  EXPECT_TRUE(f_.Closed("conversation-v2"));
  EXPECT_TRUE(f_.Cancelled("departure-deadline-v2"));
  EXPECT_TRUE(f_.Cancelled("review-v2"));
  EXPECT_TRUE(f_.Cancelled("escalate-relocate-v2"));
  EXPECT_TRUE(f_.state().open_tasks().empty());
  EXPECT_THAT(f_.last().index_keys, ElementsAre("centre/Oslo-1", "region/OSLO",
                                                "stage/ASYLUM_PENDING"));
}

TEST_F(CorrectionTest, CorrectedBirthDateMakesTheMinorExempt) {
  PathwayFixture f;
  PersonSpec minor;
  minor.flags.set_unaccompanied_minor(true);
  RP_ASSERT_OK(f.Register(CivilDay(2026, 1, 5), minor));
  RP_ASSERT_OK(f.FinalRejection(CivilDay(2026, 3, 2)));
  ASSERT_NE(f.TaskByKey("relocate-v2"), nullptr);
  v1::PersonRegistered corrected = [&] {
    v1::PersonRegistered e;
    f.log().front().payload().UnpackTo(&e);
    *e.mutable_date_of_birth() = ToDate(CivilDay(2010, 1, 1));
    return e;
  }();
  RP_ASSERT_OK(f.Correct(CivilDay(2026, 3, 3), 1, corrected));
  EXPECT_EQ(f.state().final_rejection().relocation_exemption(),
            "unaccompanied minor aged 16");
  EXPECT_TRUE(f.Closed("relocate-v2"));
  EXPECT_TRUE(f.Cancelled("escalate-relocate-v2"));
}

TEST(CorrectionPolicyTest, CorrectedEffectiveTimePicksThePolicyThenInForce) {
  PathwayFixture f(PoliciesWithExample());
  RP_ASSERT_OK(f.Register(CivilDay(2026, 1, 5)));
  RP_ASSERT_OK(f.FinalRejection(CivilDay(2026, 6, 20)));
  RP_ASSERT_OK(f.IomApply(CivilDay(2026, 6, 30)));
  ASSERT_EQ(f.state().iom().support_nok(), 20000);
  v1::IomApplicationSubmitted same;
  same.set_programme(v1::IOM_PROGRAMME_VARP);
  RP_ASSERT_OK(
      f.Correct(CivilDay(2026, 7, 2), 3, same, At(CivilDay(2026, 7, 1))));
  EXPECT_EQ(f.state().iom().support_nok(), 25000);
  EXPECT_EQ(f.state().iom().tier_policy_version(), "2026-07-01");
  EXPECT_EQ(f.history()[2].corrected_policy_version(), "2026-07-01");
}

TEST_F(CorrectionTest, RetractingADepartureReopensTheEndedPathway) {
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(f_.FireTimer("departure-deadline-v2"));
  RP_ASSERT_OK(f_.Depart(CivilDay(2026, 4, 1), v1::DEPARTURE_KIND_FORCED));
  ASSERT_EQ(f_.state().stage(), v1::STAGE_DEPARTED_FORCED);
  RP_ASSERT_OK(f_.Retract(CivilDay(2026, 4, 2), 4));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_OVERSTAYED);
  EXPECT_TRUE(f_.Opened("police-referral-v3~v5"));
  EXPECT_TRUE(f_.Armed("review-v2"));
}

TEST_F(CorrectionTest, Refusals) {
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.Appeal(CivilDay(2026, 2, 14), true));
  RP_ASSERT_OK(f_.FireTimer("escalate-conversation-v2"));  // position 4

  absl::Status unknown = f_.Retract(CivilDay(2026, 3, 1), 99);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(
      unknown.message(),
      "cannot retract event 99: event 99 is not in the history of person P1");
  absl::Status engine = f_.Retract(CivilDay(2026, 3, 1), 4);
  EXPECT_EQ(engine.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(engine.message(), HasSubstr("the engine recorded it"));
  absl::Status registration = f_.Retract(CivilDay(2026, 3, 1), 1);
  EXPECT_EQ(registration.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      registration.message(),
      "cannot retract event 1: it registered the person; correct it instead");
  absl::Status kind = f_.Correct(CivilDay(2026, 3, 1), 2,
                                 FinalRejectionOn(CivilDay(2026, 2, 9)));
  EXPECT_EQ(kind.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(kind.message(),
              HasSubstr("must be a returnpath.v1.FirstRejection"));
  absl::Status breaks = f_.Retract(CivilDay(2026, 3, 1), 2);
  EXPECT_EQ(breaks.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      breaks.message(),
      "cannot retract event 2: the event at version 3 (record an appeal) would "
      "no longer "
      "apply: cannot record an appeal: the asylum claim is still pending");
  v1::EventRetracted no_reason;
  no_reason.set_retracted_position(3);
  EXPECT_EQ(f_.RecordOn(CivilDay(2026, 3, 1), no_reason).code(),
            absl::StatusCode::kInvalidArgument);

  RP_ASSERT_OK(f_.Retract(CivilDay(2026, 3, 1), 3));  // the appeal: position 5
  EXPECT_EQ(f_.state().stage(), v1::STAGE_FIRST_REJECTION);
  absl::Status again = f_.Retract(CivilDay(2026, 3, 2), 3);
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(), HasSubstr("it was already retracted"));
  absl::Status of_correction = f_.Retract(CivilDay(2026, 3, 2), 5);
  EXPECT_EQ(of_correction.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(of_correction.message(), HasSubstr("itself a correction"));
}

}  // namespace
}  // namespace returnpath::return_pathway
