// Scenario tests of the seams between rules (issue 11): facts from the
// future, final rejections while the appeal window is open and waivers of the
// appeal, the departure deadline after a departure, the police referral a
// forced return carries out, the scope of persons who left a centre, and the
// order in which relocation tasks are served.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/household.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/full_history.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/pathway_fixture.h"
#include "workflows/return_pathway/refold.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using absl::CivilDay;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class SeamsTest : public ::testing::Test {
 protected:
  void SetUp() override { RP_ASSERT_OK(f_.Register(CivilDay(2026, 1, 5))); }

  absl::Status Waive(CivilDay on) {
    v1::AppealWaived e;
    *e.mutable_waived_on() = ToDate(on);
    return f_.RecordOn(on, e);
  }

  PathwayFixture f_;
};

// --- A fact effective in the future is refused -----------------------------

TEST_F(SeamsTest, AFactFromTheFutureIsRefusedBeyondTheClockSkew) {
  const absl::Time now = At(CivilDay(2026, 2, 9));
  v1::FirstRejection e;
  absl::Status future =
      f_.Record(e, At(CivilDay(2026, 2, 12)), /*recorded=*/now);
  EXPECT_EQ(future.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(future.message()),
            "effective_time: 2026-02-12T09:00:00Z is in the future: the "
            "engine's present time is 2026-02-09T09:00:00Z and at most 300 "
            "seconds of clock skew are allowed");
  EXPECT_EQ(f_.last_position(), 1u);  // nothing applied
  EXPECT_EQ(f_.state().stage(), v1::STAGE_ASYLUM_PENDING);

  absl::Status skewed = f_.Record(e, now + absl::Minutes(6), now);
  EXPECT_EQ(skewed.code(), absl::StatusCode::kInvalidArgument);
  // A client clock a few minutes ahead is tolerated.
  RP_ASSERT_OK(f_.Record(e, now + absl::Minutes(5), now));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_FIRST_REJECTION);
}

TEST_F(SeamsTest, ACorrectionIntoTheFutureIsRefused) {
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  v1::FirstRejection same;
  absl::Status status =
      f_.Correct(CivilDay(2026, 2, 10), 2, same, At(CivilDay(2026, 2, 20)));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("effective_time: 2026-02-20T09:00:00Z is in the "
                        "future: the engine's present time is "
                        "2026-02-10T09:00:00Z"));
  EXPECT_EQ(DateText(f_.state().appeal_window().counted_from()), "2026-02-09");
}

// --- Final rejection while the appeal window is open ------------------------

TEST_F(SeamsTest, NoFinalRejectionWhileTheAppealWindowIsOpen) {
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));  // open to 03-02
  absl::Status early = f_.FinalRejection(CivilDay(2026, 2, 20));
  EXPECT_EQ(early.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(early.message(),
            "cannot record a final rejection: the appeal window is open until "
            "2026-03-02 and no appeal is recorded");
  EXPECT_EQ(f_.state().stage(), v1::STAGE_FIRST_REJECTION);
  absl::Status last_day = f_.FinalRejection(CivilDay(2026, 3, 2));
  EXPECT_EQ(last_day.code(), absl::StatusCode::kFailedPrecondition);
  // Once the window closed unused the rejection is final from its expiry,
  // even if the engine had not yet fired the window's timer: a decision
  // recorded after it finds it already recorded.
  absl::Status after = f_.FinalRejection(CivilDay(2026, 3, 3));
  EXPECT_EQ(after.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(after.message(), HasSubstr("is already recorded"));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_FIRST_REJECTION);  // unchanged
  RP_ASSERT_OK(f_.FireTimer("appeal-window-v2"));
  EXPECT_EQ(f_.state().final_rejection().basis(),
            v1::FINAL_REJECTION_BASIS_NOT_APPEALED);
}

TEST_F(SeamsTest, ABackdatedFinalRejectionInsideTheWindowIsRefusedToo) {
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));  // open to 03-02
  RP_ASSERT_OK(
      f_.RecordOn(CivilDay(2026, 2, 25), v1::ReturnConversationHeld()));
  v1::FinalRejection e;
  *e.mutable_notified_on() = ToDate(CivilDay(2026, 2, 20));
  absl::Status late =
      f_.Record(e, At(CivilDay(2026, 2, 20)), At(CivilDay(2026, 2, 26)));
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(late.message(),
              HasSubstr("the appeal window is open until "
                        "2026-03-02 and no appeal is recorded"));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_FIRST_REJECTION);
}

// A store may hold a final rejection recorded inside the appeal window before
// that was refused: a refold replays it as stored, and a correction is
// accepted.
TEST_F(SeamsTest, AStoredFinalRejectionInsideTheWindowStillReplays) {
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));  // open to 03-02
  // The legacy store's log: the final rejection accepted on 02-20.
  std::vector<v1::EventEnvelope> log = f_.log();
  v1::FinalRejection legacy;
  *legacy.mutable_notified_on() = ToDate(CivilDay(2026, 2, 20));
  v1::EventEnvelope& accepted = log.emplace_back(log.back());
  accepted.set_position(3);
  accepted.set_stream_version(3);
  *accepted.mutable_effective_time() = ToTimestamp(At(CivilDay(2026, 2, 20)));
  *accepted.mutable_recorded_time() = accepted.effective_time();
  accepted.mutable_payload()->PackFrom(legacy);
  const LogLookup lookup(&log);
  v1::PathwayState through_v2 = f_.state();
  absl::StatusOr<v1::PathwayState> full =
      WithFullHistory(through_v2, lookup, ShippedPolicies());
  ASSERT_TRUE(full.ok()) << full.status();
  google::protobuf::RepeatedPtrField<v1::HistoryEntry> history =
      full->history();
  v1::HistoryEntry& entry = *history.Add();
  entry.set_version(3);
  *entry.mutable_effective_time() = accepted.effective_time();
  *entry.mutable_recorded_time() = accepted.recorded_time();
  entry.set_policy_version(accepted.policy_version());
  *entry.mutable_payload() = accepted.payload();
  absl::StatusOr<v1::PathwayState> stored =
      Replay("P1", history, ShippedPolicies());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->stage(), v1::STAGE_FINAL_REJECTION);
  KeepHistoryNotesOnly(&*stored);

  v1::PersonRegistered registration;
  ASSERT_TRUE(f_.log().front().payload().UnpackTo(&registration));
  registration.set_nationality("IQ");
  v1::EventCorrected correction;
  correction.set_corrected_position(1);
  correction.mutable_replacement()->PackFrom(registration);
  correction.set_reason("nationality typed wrong");
  v1::EventEnvelope event;
  event.set_stream_id("P1");
  event.set_stream_version(4);
  *event.mutable_effective_time() = ToTimestamp(At(CivilDay(2026, 3, 1)));
  *event.mutable_recorded_time() = event.effective_time();
  event.mutable_payload()->PackFrom(correction);
  absl::StatusOr<Applied> applied =
      ApplyEvent(*stored, event, ShippedPolicies(), lookup);
  ASSERT_TRUE(applied.ok()) << applied.status();
  const v1::PathwayState& s = applied->state;
  EXPECT_EQ(s.person().nationality(), "IQ");
  EXPECT_EQ(s.stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(DateText(s.final_rejection().notified_on()), "2026-02-20");
  EXPECT_EQ(DateText(s.departure_deadline().date()), "2026-03-13");
  EXPECT_EQ(s.open_tasks_size(), stored->open_tasks_size());
  for (const v1::PathwayTimer& t : s.armed_timers()) {
    EXPECT_NE(t.kind(), "appeal_window") << t.id();  // the window is moot
  }
  EXPECT_TRUE(applied->transition.tasks_to_close.empty());
  EXPECT_TRUE(applied->transition.tasks_to_open.empty());
}

TEST_F(SeamsTest, AWaivedAppealMakesTheFirstRejectionFinalAtOnce) {
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(Waive(CivilDay(2026, 2, 12)));
  const v1::PathwayState& s = f_.state();
  EXPECT_EQ(s.stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(s.final_rejection().basis(),
            v1::FINAL_REJECTION_BASIS_APPEAL_WAIVED);
  EXPECT_EQ(DateText(s.final_rejection().notified_on()), "2026-02-12");
  EXPECT_EQ(DateText(s.departure_deadline().date()), "2026-03-05");
  EXPECT_TRUE(s.appeal_window().met());
  EXPECT_TRUE(f_.Cancelled("appeal-window-v2"));
  EXPECT_TRUE(f_.Opened("relocate-v3"));
  absl::Status appeal = f_.Appeal(CivilDay(2026, 2, 13), false);
  EXPECT_EQ(appeal.code(), absl::StatusCode::kFailedPrecondition);
  absl::Status again = Waive(CivilDay(2026, 2, 13));
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(),
              HasSubstr("cannot record a waived appeal: no first rejection "
                        "awaits an appeal"));
}

TEST_F(SeamsTest, AWaiverAfterTheWindowClosedIsRefused) {
  absl::Status none = Waive(CivilDay(2026, 2, 1));
  EXPECT_EQ(none.code(), absl::StatusCode::kFailedPrecondition);
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  absl::Status late = Waive(CivilDay(2026, 3, 3));
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
  // The window's expiry (end of 03-02) applies first: the rejection is
  // already final.
  EXPECT_THAT(late.message(),
              HasSubstr("cannot record a waived appeal: no first rejection "
                        "awaits an appeal"));
}

// --- After a departure the departure deadline is met ------------------------

TEST_F(SeamsTest, EveryDepartureMeetsTheDepartureDeadline) {
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 3, 5)));
  RP_ASSERT_OK(
      f_.Depart(CivilDay(2026, 3, 10), v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY));
  EXPECT_TRUE(f_.state().departure_deadline().met());
  EXPECT_FALSE(f_.state().departure_deadline().expired());

  PathwayFixture dublin;
  PersonSpec person;
  person.flags.set_dublin_case(true);
  RP_ASSERT_OK(dublin.Register(CivilDay(2026, 1, 5), person));
  RP_ASSERT_OK(dublin.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(
      dublin.Depart(CivilDay(2026, 3, 10), v1::DEPARTURE_KIND_DUBLIN_TRANSFER));
  EXPECT_TRUE(dublin.state().departure_deadline().met());
}

// --- A forced return completes the police referral --------------------------

TEST_F(SeamsTest, AForcedReturnCompletesThePoliceReferralAsEffected) {
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(f_.FireTimer("departure-deadline-v2"));
  ASSERT_NE(f_.TaskByKey("police-referral-v3"), nullptr);
  RP_ASSERT_OK(f_.Depart(CivilDay(2026, 4, 1), v1::DEPARTURE_KIND_FORCED));
  ASSERT_EQ(f_.last().tasks_to_complete.size(), 1u);
  EXPECT_EQ(f_.last().tasks_to_complete[0].id, "police-referral-v3");
  EXPECT_EQ(f_.last().tasks_to_complete[0].outcome, "effected");
  EXPECT_FALSE(f_.Closed("police-referral-v3"));  // not cancelled
  EXPECT_TRUE(f_.Closed("conversation-v2"));      // the rest is moot
  EXPECT_TRUE(f_.state().departure_deadline().met());
}

// A refold replays a forced return as the live path applied it: the police
// referral it carried out stays completed ("effected"), never cancelled, and
// no second referral opens.
TEST_F(SeamsTest, ACorrectionAfterAForcedReturnKeepsTheReferralEffected) {
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(f_.FireTimer("departure-deadline-v2"));
  RP_ASSERT_OK(f_.Depart(CivilDay(2026, 4, 1), v1::DEPARTURE_KIND_FORCED));
  ASSERT_EQ(f_.last().tasks_to_complete.size(), 1u);
  v1::PersonRegistered corrected;
  ASSERT_TRUE(f_.log().front().payload().UnpackTo(&corrected));
  corrected.set_nationality("IQ");
  RP_ASSERT_OK(f_.Correct(CivilDay(2026, 4, 3), 1, corrected));
  const v1::PathwayState& s = f_.state();
  EXPECT_EQ(s.person().nationality(), "IQ");
  EXPECT_EQ(s.stage(), v1::STAGE_DEPARTED_FORCED);
  EXPECT_TRUE(s.open_tasks().empty());
  EXPECT_TRUE(f_.last().tasks_to_open.empty());
  EXPECT_TRUE(f_.last().tasks_to_close.empty());
  EXPECT_TRUE(f_.last().tasks_to_complete.empty());
  for (const std::string& line : s.history().rbegin()->moved()) {
    EXPECT_THAT(line, Not(HasSubstr("police referral"))) << line;
  }
}

// G, guardian of household H-1 at Oslo-1.
v1::PersonRegistered GuardianOfH1() {
  v1::PersonRegistered guardian;
  guardian.set_person_id("G");
  guardian.set_household_id("H-1");
  *guardian.mutable_date_of_birth() = ToDate(CivilDay(1985, 1, 1));
  guardian.set_nationality("AF");
  guardian.set_reception_centre("Oslo-1");
  guardian.set_region(v1::REGION_OSLO);
  guardian.set_household_role(v1::HOUSEHOLD_ROLE_GUARDIAN);
  return guardian;
}

// A guardian's history holds the children who joined, folded right after the
// registration but effective when they joined: a forced return the police
// record later, dated before a child joined, is refolded.
TEST(ForcedReturnRefoldTest, ALateForcedReturnCompletesTheReferralAsEffected) {
  PathwayFixture f;
  v1::PersonRegistered guardian = GuardianOfH1();
  RP_ASSERT_OK(f.RecordOn(CivilDay(2026, 1, 5), guardian));
  RP_ASSERT_OK(f.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(f.FireTimer("departure-deadline-v2"));
  ASSERT_NE(f.TaskByKey("police-referral-v3"), nullptr);
  v1::HouseholdMemberJoined child;
  child.set_person_id("C");
  child.set_household_id("H-1");
  *child.mutable_date_of_birth() = ToDate(CivilDay(2016, 1, 1));
  child.set_role(v1::HOUSEHOLD_ROLE_CHILD);
  child.set_reception_centre("Oslo-1");
  RP_ASSERT_OK(f.RecordCausedBy(child, At(CivilDay(2026, 4, 3)), "C", 10));
  // The police enter on 04-06 the return they carried out on 04-01.
  v1::Departed forced;
  forced.set_kind(v1::DEPARTURE_KIND_FORCED);
  RP_ASSERT_OK(
      f.Record(forced, At(CivilDay(2026, 4, 1)), At(CivilDay(2026, 4, 6))));
  EXPECT_TRUE(f.history().rbegin()->refolded());
  EXPECT_EQ(f.state().stage(), v1::STAGE_DEPARTED_FORCED);
  ASSERT_EQ(f.last().tasks_to_complete.size(), 1u);
  EXPECT_EQ(f.last().tasks_to_complete[0].id, "police-referral-v3");
  EXPECT_EQ(f.last().tasks_to_complete[0].outcome, "effected");
  EXPECT_FALSE(f.Closed("police-referral-v3"));  // not cancelled
  EXPECT_TRUE(f.Closed("conversation-v2"));      // the rest is moot
  EXPECT_TRUE(f.last().tasks_to_open.empty());
  EXPECT_THAT(f.history().rbegin()->moved(),
              Contains(HasSubstr("task police referral police-referral-v3 "
                                 "completed (effected): the departure at "
                                 "version 5")));
  // A later correction on the ended pathway leaves the referral alone.
  guardian.set_nationality("IQ");
  RP_ASSERT_OK(f.Correct(CivilDay(2026, 4, 8), 1, guardian));
  EXPECT_EQ(f.state().person().nationality(), "IQ");
  EXPECT_TRUE(f.last().tasks_to_open.empty());
  EXPECT_TRUE(f.last().tasks_to_close.empty());
  EXPECT_TRUE(f.last().tasks_to_complete.empty());
}

// Events only the engine appends with their cause (a child joining a
// guardian, a child following a guardian) stay refused from a caller when
// dated before events already applied, where a refold places them.
TEST(RelatedEventsRefoldTest, ABackdatedHouseholdEventFromACallerIsRefused) {
  PathwayFixture f;
  v1::PersonRegistered guardian = GuardianOfH1();
  RP_ASSERT_OK(f.RecordOn(CivilDay(2026, 1, 5), guardian));
  RP_ASSERT_OK(f.RecordOn(CivilDay(2026, 2, 1), v1::ReturnConversationHeld()));
  v1::HouseholdMemberJoined child;
  child.set_person_id("C");
  child.set_household_id("H-1");
  *child.mutable_date_of_birth() = ToDate(CivilDay(2016, 1, 1));
  child.set_role(v1::HOUSEHOLD_ROLE_CHILD);
  child.set_reception_centre("Oslo-1");
  absl::Status forged = f.Record(child, At(CivilDay(2026, 1, 20)));
  EXPECT_EQ(forged.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(forged.message(), HasSubstr("only by their own registration"));
  EXPECT_EQ(f.state().household_size(), 0);
  // The child's own registration, dated before, still joins them.
  RP_ASSERT_OK(f.RecordCausedBy(child, At(CivilDay(2026, 1, 20)), "C", 9));
  EXPECT_EQ(f.state().household_size(), 1);
  EXPECT_TRUE(f.history().rbegin()->refolded());

  PathwayFixture c;
  v1::PersonRegistered registration = guardian;
  registration.set_person_id("C");
  registration.set_household_role(v1::HOUSEHOLD_ROLE_CHILD);
  registration.add_guardian_ids("G");
  *registration.mutable_date_of_birth() = ToDate(CivilDay(2016, 1, 1));
  RP_ASSERT_OK(c.RecordOn(CivilDay(2026, 1, 5), registration));
  RP_ASSERT_OK(c.RecordOn(CivilDay(2026, 2, 1), v1::ReturnConversationHeld()));
  v1::GuardianDecisionFollowed followed;
  followed.set_guardian_id("G");
  followed.set_decision(v1::FOLLOWED_DECISION_FIRST_REJECTION);
  absl::Status forged_follow = c.Record(followed, At(CivilDay(2026, 1, 20)));
  EXPECT_EQ(forged_follow.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(forged_follow.message(),
              HasSubstr("only with the guardian's own event"));
  EXPECT_EQ(c.state().stage(), v1::STAGE_ASYLUM_PENDING);
}

// --- Who left a centre stays in its staff's scope ---------------------------

TEST_F(SeamsTest, AReleasedPlaceKeepsThePersonInTheCentresScopeOnly) {
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(f_.Disappear(CivilDay(2026, 3, 4)));
  RP_ASSERT_OK(f_.FireTimer("place-release-v3"));
  EXPECT_TRUE(f_.state().residence().place_released());
  EXPECT_THAT(f_.last().index_keys, Contains("scope/centre/Oslo-1"));
  EXPECT_THAT(f_.last().index_keys, Not(Contains("centre/Oslo-1")));
  RP_ASSERT_OK(f_.Reappear(CivilDay(2026, 3, 25)));
  EXPECT_THAT(f_.last().index_keys, Contains("centre/Oslo-1"));
}

TEST_F(SeamsTest, AnEndedPathwayKeepsTheLastCentreAndRegionInScope) {
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(f_.FireTimer("departure-deadline-v2"));
  RP_ASSERT_OK(f_.Depart(CivilDay(2026, 4, 1), v1::DEPARTURE_KIND_FORCED));
  EXPECT_THAT(f_.last().index_keys,
              ElementsAre("scope/centre/Oslo-1", "scope/region/OSLO",
                          "stage/DEPARTED_FORCED"));
}

// --- Recently rejected first; long-stayers phased in (§3.3.6) ---------------

TEST(RelocationOrderTest, TheNewestFinalRejectionIsServedFirst) {
  auto relocation = [](CivilDay notified) {
    PathwayFixture f;
    EXPECT_TRUE(f.Register(CivilDay(2026, 1, 5)).ok());
    EXPECT_TRUE(f.FinalRejection(notified).ok());
    const v1::PathwayTask* task = f.TaskOfKind("relocation");
    EXPECT_NE(task, nullptr);
    return task == nullptr ? v1::PathwayTask() : *task;
  };
  const v1::PathwayTask older = relocation(CivilDay(2026, 3, 2));
  const v1::PathwayTask newer = relocation(CivilDay(2026, 3, 9));
  // Lower is served first: one step per day of rejection.
  EXPECT_EQ(older.priority() - newer.priority(), 7);
  EXPECT_EQ(older.priority(),
            50 - static_cast<int>(CivilDay(2026, 3, 2) - CivilDay(2000, 1, 1)));
  EXPECT_EQ(older.rule(), "relocation");
  // Still below every other task kind of the reception queue.
  EXPECT_LT(older.priority(), 60);
}

TEST_F(SeamsTest, ALongStayerBroughtInIsPhasedInNotEscalated) {
  // Notified on 2026-01-10, brought into the system on 2026-03-01.
  v1::FinalRejection e;
  *e.mutable_notified_on() = ToDate(CivilDay(2026, 1, 10));
  RP_ASSERT_OK(
      f_.Record(e, At(CivilDay(2026, 1, 10)), At(CivilDay(2026, 3, 1))));
  const v1::PathwayTask* task = f_.TaskOfKind("relocation");
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(task->rule(), "relocation_phase_in");
  EXPECT_EQ(LastDay(task->due()), "2026-04-30");  // 60 days after recording
  EXPECT_EQ(task->priority(), 55);
  EXPECT_THAT(task->title(), HasSubstr("long-stayer phased in"));
  ASSERT_NE(f_.Timer("escalate-relocate-v2"), nullptr);
  EXPECT_EQ(LastDay(f_.Timer("escalate-relocate-v2")->due()), "2026-04-30");
}

TEST_F(SeamsTest, ARejectionThirtyDaysOldIsStillRecent) {
  v1::FinalRejection e;
  *e.mutable_notified_on() = ToDate(CivilDay(2026, 1, 30));
  RP_ASSERT_OK(
      f_.Record(e, At(CivilDay(2026, 1, 30)), At(CivilDay(2026, 3, 1))));
  const v1::PathwayTask* task = f_.TaskOfKind("relocation");
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(task->rule(), "relocation");
  EXPECT_EQ(LastDay(task->due()), "2026-02-06");  // overdue: escalates
}

}  // namespace
}  // namespace returnpath::return_pathway
