// Facts that arrive late or out of order, flags that change later and
// corrected registration facts: each is applied where its effective time puts
// it, and everything that depends on it is recomputed and noted.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/engine.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/pathway_fixture.h"
#include "workflows/return_pathway/return_pathway_workflow.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using absl::CivilDay;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

class OrderTest : public ::testing::Test {
 protected:
  void Registered(const PersonSpec& person = {}) {
    RP_ASSERT_OK(f_.Register(CivilDay(2026, 1, 5), person));
  }
  // Final rejection notified 2026-03-02 (position 2), departure deadline
  // 2026-03-23 expired (position 3): overstayed, referral police-referral-v3.
  void Overstayed(const PersonSpec& person = {}) {
    Registered(person);
    RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
    RP_ASSERT_OK(f_.FireTimer("departure-deadline-v2"));
    ASSERT_EQ(f_.state().stage(), v1::STAGE_OVERSTAYED);
    ASSERT_NE(f_.TaskByKey("police-referral-v3"), nullptr);
  }
  absl::Status RecordLate(const google::protobuf::Message& payload,
                          CivilDay effective, CivilDay recorded) {
    return f_.Record(payload, At(effective), At(recorded));
  }
  // What the last event moved, one sentence each.
  std::vector<std::string> Moved() const {
    const auto history = f_.history();
    const auto& moved = history.rbegin()->moved();
    return {moved.begin(), moved.end()};
  }
  void ExpectHistoryInRecordedOrder() {
    uint64_t last = 0;
    for (const v1::HistoryEntry& e : f_.history()) {
      EXPECT_GT(e.version(), last);
      last = e.version();
    }
  }
  v1::IomApplicationSubmitted Iom() {
    v1::IomApplicationSubmitted e;
    e.set_programme(v1::IOM_PROGRAMME_VARP);
    return e;
  }

  PathwayFixture f_;
};

TEST_F(OrderTest, BackdatedIomApplicationWithdrawsThePoliceReferral) {
  Overstayed();
  RP_ASSERT_OK(RecordLate(Iom(), CivilDay(2026, 3, 20), CivilDay(2026, 3, 25)));
  const v1::PathwayState& s = f_.state();
  EXPECT_EQ(s.stage(), v1::STAGE_RETURN_PREPARATION);
  EXPECT_TRUE(f_.Closed("police-referral-v3"));
  EXPECT_EQ(f_.TasksOfKind("police_referral"), 0);
  // At the expiry the application was pending: the adviser follows up.
  ASSERT_NE(f_.TaskByKey("deadline-follow-up-v3"), nullptr);
  EXPECT_TRUE(f_.Opened("deadline-follow-up-v3~v4"));
  EXPECT_EQ(s.iom().tier_rank(), 1);
  EXPECT_EQ(s.iom().days_after_deadline(), -3);
  EXPECT_TRUE(f_.history()[3].refolded());
  EXPECT_THAT(
      Moved(),
      Contains("task police referral police-referral-v3 cancelled: the IOM "
               "application at version 4 (effective 2026-03-20) comes before "
               "the departure deadline's expiry at version 3 (2026-03-23)"));
  EXPECT_THAT(Moved(), Contains(HasSubstr("task deadline follow up "
                                          "deadline-follow-up-v3 opened")));
  ExpectHistoryInRecordedOrder();

  // Withdrawn after the deadline: one referral again.
  RP_ASSERT_OK(f_.IomWithdraw(CivilDay(2026, 3, 28)));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_OVERSTAYED);
  EXPECT_EQ(f_.TasksOfKind("police_referral"), 1);
}

TEST_F(OrderTest, ApplicationAfterOverstayingClosesTheReferralWhilePending) {
  Overstayed();
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 3, 30)));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_RETURN_PREPARATION);
  EXPECT_TRUE(f_.Closed("police-referral-v3"));
  EXPECT_EQ(f_.state().iom().tier_rank(), 2);
  EXPECT_THAT(
      Moved(),
      Contains("task police referral police-referral-v3 closed: the IOM "
               "application at version 4 (effective 2026-03-30)"));
  for (int round = 0; round < 2; ++round) {
    RP_ASSERT_OK(f_.IomWithdraw(CivilDay(2026, 4, 2 + 4 * round)));
    EXPECT_EQ(f_.TasksOfKind("police_referral"), 1) << round;
    RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 4, 4 + 4 * round)));
    EXPECT_EQ(f_.TasksOfKind("police_referral"), 0) << round;
  }
}

// IOM refused the application: like a withdrawal, the return is no longer
// being arranged; past the deadline the police get one referral again.
TEST_F(OrderTest, ARefusedIomApplicationRefersThePersonToThePoliceAgain) {
  Overstayed();
  v1::IomApplicationSubmitted iom = Iom();
  iom.set_iom_reference("IOM-7");
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 30), iom));
  EXPECT_EQ(f_.TasksOfKind("police_referral"), 0);
  v1::IomApplicationRefused other;
  other.set_iom_reference("IOM-8");
  absl::Status wrong = f_.RecordOn(CivilDay(2026, 4, 2), other);
  EXPECT_EQ(wrong.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(wrong.message(),
            "cannot record a refused IOM application: the pending application "
            "is \"IOM-7\", not \"IOM-8\"");
  v1::IomApplicationRefused refused;
  refused.set_iom_reference("IOM-7");
  refused.set_reason("no travel document can be issued");
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 4, 2), refused));
  const v1::PathwayState& s = f_.state();
  EXPECT_EQ(s.stage(), v1::STAGE_OVERSTAYED);
  EXPECT_FALSE(s.iom().pending());
  EXPECT_TRUE(s.iom().refused());
  EXPECT_EQ(DateText(s.iom().closed_on()), "2026-04-02");
  EXPECT_EQ(f_.TasksOfKind("police_referral"), 1);
  EXPECT_TRUE(f_.Opened("police-referral-v5"));
  // Nothing is pending any more: a second refusal is refused.
  absl::Status again = f_.RecordOn(CivilDay(2026, 4, 3), refused);
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.message(),
            "cannot record a refused IOM application: no IOM application is "
            "pending");
  // A new application may follow, and closes the referral while pending.
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 4, 6)));
  EXPECT_FALSE(f_.state().iom().refused());
  EXPECT_EQ(f_.TasksOfKind("police_referral"), 0);
}

TEST_F(OrderTest, ARefusalBeforeTheDeadlineLeavesOneReferralAtItsExpiry) {
  Registered();
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));  // deadline 03-23
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 3, 10)));
  RP_ASSERT_OK(f_.FireTimer("departure-deadline-v2"));
  ASSERT_NE(f_.TaskByKey("deadline-follow-up-v4"), nullptr);  // adviser's
  EXPECT_EQ(f_.TasksOfKind("police_referral"), 0);
  // Refused on 03-20, entered on 03-26: at the expiry nothing was pending.
  v1::IomApplicationRefused refused;
  RP_ASSERT_OK(
      RecordLate(refused, CivilDay(2026, 3, 20), CivilDay(2026, 3, 26)));
  const v1::PathwayState& s = f_.state();
  EXPECT_EQ(s.stage(), v1::STAGE_OVERSTAYED);
  EXPECT_TRUE(s.iom().refused());
  EXPECT_TRUE(f_.Closed("deadline-follow-up-v4"));
  EXPECT_EQ(f_.TasksOfKind("police_referral"), 1);
  EXPECT_EQ(LastDay(f_.TaskOfKind("police_referral")->due()), "2026-03-23");
  EXPECT_THAT(Moved(), Contains(HasSubstr(
                           "the refused IOM application at version 5 "
                           "(effective 2026-03-20) comes before the departure "
                           "deadline's expiry at version 4 (2026-03-23)")));
}

TEST_F(OrderTest, BackdatedReopenedCaseUndoesTheOverstay) {
  Overstayed();
  v1::CaseReopened reopened;
  reopened.set_reason(v1::REOPENING_REASON_COURT_REVIEW);
  RP_ASSERT_OK(
      RecordLate(reopened, CivilDay(2026, 3, 20), CivilDay(2026, 3, 26)));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_CASE_REOPENED);
  EXPECT_TRUE(f_.state().departure_deadline().suspended());
  EXPECT_FALSE(f_.state().departure_deadline().expired());
  EXPECT_TRUE(f_.Closed("police-referral-v3"));
  EXPECT_THAT(Moved(), Contains(HasSubstr(
                           "stage now CASE_REOPENED (was OVERSTAYED): the "
                           "reopened case at version 4")));
}

TEST_F(OrderTest, BackdatedDeadlineOpensWhatIsAlreadyDue) {
  Registered();
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 4), v1::ReturnConversationHeld()));
  v1::DepartureDeadlineSet shorter;
  *shorter.mutable_notified_on() = ToDate(CivilDay(2026, 3, 3));
  shorter.set_days(7);
  RP_ASSERT_OK(
      RecordLate(shorter, CivilDay(2026, 3, 3), CivilDay(2026, 3, 16)));
  EXPECT_EQ(DateText(f_.state().departure_deadline().date()), "2026-03-10");
  // Armed in the past: the engine fires it at once.
  ASSERT_NE(f_.Timer("departure-deadline-v4"), nullptr);
  EXPECT_LT(FromTimestamp(f_.Timer("departure-deadline-v4")->due()), f_.now());
  RP_ASSERT_OK(f_.FireTimer("departure-deadline-v4"));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_OVERSTAYED);
  EXPECT_EQ(LastDay(f_.TaskOfKind("police_referral")->due()), "2026-03-10");
  ExpectHistoryInRecordedOrder();
}

// Issue 11 (shuffle seed 458): a shorter deadline recorded late arms a timer
// already due, and a reopening recorded before it, effective after that due
// time, would cancel the timer in the refold before it ever fired. The
// deadline expired before the case was reopened, as recorded on time.
TEST_F(OrderTest, ALateShorterDeadlineExpiresBeforeAReopeningRecordedFirst) {
  v1::DepartureDeadlineSet shorter;
  shorter.set_days(7);  // from 03-10: expires at the end of 03-17
  v1::CaseReopened reopened;
  reopened.set_reason(v1::REOPENING_REASON_COURT_REVIEW);
  Registered();
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2), 30));  // to 04-01
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 20), reopened));
  RP_ASSERT_OK(
      RecordLate(shorter, CivilDay(2026, 3, 10), CivilDay(2026, 3, 25)));
  const v1::PathwayState& s = f_.state();
  EXPECT_EQ(s.stage(), v1::STAGE_CASE_REOPENED);
  EXPECT_EQ(DateText(s.departure_deadline().date()), "2026-03-17");
  EXPECT_TRUE(s.departure_deadline().expired());
  EXPECT_TRUE(s.departure_deadline().suspended());
  EXPECT_EQ(f_.TasksOfKind("police_referral"), 0);
  // Fired in the refold before the reopening: nothing left to fire.
  EXPECT_EQ(f_.Timer("departure-deadline-v4"), nullptr);

  PathwayFixture on_time;
  RP_ASSERT_OK(on_time.Register(CivilDay(2026, 1, 5)));
  RP_ASSERT_OK(on_time.FinalRejection(CivilDay(2026, 3, 2), 30));
  RP_ASSERT_OK(on_time.RecordOn(CivilDay(2026, 3, 10), shorter));
  RP_ASSERT_OK(on_time.FireDueTimers(At(CivilDay(2026, 3, 20))));
  ASSERT_EQ(on_time.state().stage(), v1::STAGE_OVERSTAYED);
  RP_ASSERT_OK(on_time.RecordOn(CivilDay(2026, 3, 20), reopened));
  // The same deadline (its provenance names other positions).
  v1::Deadline late = s.departure_deadline();
  v1::Deadline want = on_time.state().departure_deadline();
  late.clear_caused_by_versions();
  want.clear_caused_by_versions();
  EXPECT_EQ(late.DebugString(), want.DebugString());
  EXPECT_EQ(s.stage(), on_time.state().stage());
}

TEST_F(OrderTest, SupportTierCountsAgainstTheDeadlineInForce) {
  Registered();
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));  // deadline 03-23
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 6, 1)));
  EXPECT_EQ(f_.state().iom().tier_rank(), 3);
  RP_ASSERT_OK(f_.IomWithdraw(CivilDay(2026, 6, 3)));
  RP_ASSERT_OK(f_.Reopen(CivilDay(2026, 6, 5)));
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 6, 10)));  // deadline 07-01
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 6, 20)));
  const v1::IomApplicationRecord& iom = f_.state().iom();
  EXPECT_EQ(iom.tier_rank(), 1);
  EXPECT_EQ(iom.support_nok(), 20000);
  EXPECT_EQ(DateText(iom.reference_deadline()), "2026-07-01");
}

TEST_F(OrderTest, WithoutANewDecisionApplyingAgainNeverRanksBetter) {
  Registered();
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 6, 1)));
  RP_ASSERT_OK(f_.IomWithdraw(CivilDay(2026, 6, 3)));
  v1::DepartureDeadlineSet later;
  later.set_days(14);
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 6, 5), later));  // deadline 06-19
  RP_ASSERT_OK(f_.IomApply(CivilDay(2026, 6, 8)));
  EXPECT_EQ(f_.state().iom().tier_rank(), 3);
}

TEST_F(OrderTest, CorrectedNationalityMovesTheStatisticsAndTheReferral) {
  Overstayed();  // AF: no readmission agreement, identity clarified: 80
  ASSERT_EQ(f_.TaskByKey("police-referral-v3")->priority(), 80);
  RP_ASSERT_OK(f_.Disappear(CivilDay(2026, 3, 26)));
  const std::string before = f_.state().SerializeAsString();
  v1::PersonRegistered corrected;
  ASSERT_TRUE(f_.log().front().payload().UnpackTo(&corrected));
  corrected.set_nationality("IQ");
  RP_ASSERT_OK(f_.Correct(CivilDay(2026, 3, 27), 1, corrected));
  EXPECT_EQ(f_.TaskByKey("police-referral-v3")->priority(), 40);
  EXPECT_THAT(Moved(), Contains(HasSubstr(
                           "task police referral police-referral-v3 re-ranked "
                           "from priority 80 to 40: the correction at version "
                           "5 of the registration at version 1")));
  ReturnPathwayWorkflow workflow(ShippedPolicies());
  std::vector<std::string> keys;
  for (const auto& key : workflow.Classify(before, f_.last().next_state,
                                           f_.log().back(), f_.Lookup())) {
    keys.push_back(absl::StrCat(key.category, "/", key.group, "/", key.delta,
                                "/", OsloDay(*key.effective)));
  }
  EXPECT_THAT(keys, IsSupersetOf({"disappeared/AF/-1/2026-03-26",
                                  "disappeared/IQ/1/2026-03-26"}));
}

TEST_F(OrderTest, CorrectedBirthDateMakesTheMinorExemptAndSaysWhy) {
  PersonSpec minor;
  minor.flags.set_unaccompanied_minor(true);
  Registered(minor);
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  ASSERT_NE(f_.TaskByKey("relocate-v2"), nullptr);
  v1::PersonRegistered corrected;
  ASSERT_TRUE(f_.log().front().payload().UnpackTo(&corrected));
  *corrected.mutable_date_of_birth() = ToDate(CivilDay(2010, 1, 1));
  RP_ASSERT_OK(f_.Correct(CivilDay(2026, 3, 3), 1, corrected));
  EXPECT_TRUE(f_.Closed("relocate-v2"));
  EXPECT_THAT(Moved(),
              Contains("task relocation relocate-v2 cancelled: the correction "
                       "at version 3 of the registration at version 1"));
  EXPECT_THAT(Moved(), Contains(HasSubstr(
                           "exempt from relocation (unaccompanied minor aged "
                           "16): the correction at version 3")));
}

TEST_F(OrderTest, ClearingTheDublinFlagOpensTheRelocationSettingItCancels) {
  PersonSpec dublin;
  dublin.flags.set_dublin_case(true);
  Registered(dublin);
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  EXPECT_EQ(f_.TasksOfKind("relocation"), 0);
  v1::FlagsChanged cleared;
  cleared.mutable_flags();
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 4), cleared));
  EXPECT_EQ(f_.state().final_rejection().relocation_exemption(), "");
  ASSERT_NE(f_.TaskByKey("relocate-v3"), nullptr);
  EXPECT_EQ(LastDay(f_.TaskByKey("relocate-v3")->due()), "2026-03-09");
  v1::FlagsChanged set;
  set.mutable_flags()->set_dublin_case(true);
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 6), set));
  EXPECT_TRUE(f_.Closed("relocate-v3"));
  EXPECT_THAT(Moved(),
              Contains("task relocation relocate-v3 closed: the change "
                       "of flags at version 4 (effective "
                       "2026-03-06)"));
}

TEST_F(OrderTest, TravelDocumentOrClarifiedIdentityReRanksTheReferral) {
  PersonSpec unclear;
  unclear.flags.set_identity_unclarified(true);
  Overstayed(unclear);
  EXPECT_EQ(f_.TaskByKey("police-referral-v3")->priority(), 100);
  RP_ASSERT_OK(
      f_.RecordOn(CivilDay(2026, 3, 26), v1::TravelDocumentObtained()));
  const v1::PathwayTask* referral = f_.TaskByKey("police-referral-v3");
  ASSERT_NE(referral, nullptr);
  EXPECT_EQ(referral->priority(), 80);
  EXPECT_THAT(referral->title(), HasSubstr("identity clarified"));
  // The same referral, changed in place: the police officer who holds it
  // keeps it, under its id.
  EXPECT_EQ(referral->id(), "police-referral-v3");
  EXPECT_TRUE(f_.last().tasks_to_open.empty());
  EXPECT_TRUE(f_.last().tasks_to_close.empty());
  ASSERT_EQ(f_.last().tasks_to_update.size(), 1u);
  EXPECT_EQ(f_.last().tasks_to_update[0].id, "police-referral-v3");
  EXPECT_EQ(f_.last().tasks_to_update[0].priority, 80);
  EXPECT_EQ(f_.last().tasks_to_update[0].queue, referral->queue());
  EXPECT_THAT(Moved(), Contains("task police referral police-referral-v3 "
                                "re-ranked from priority 100 to 80: the travel "
                                "document at version 4 (effective "
                                "2026-03-26)"));

  PathwayFixture g;
  RP_ASSERT_OK(g.Register(CivilDay(2026, 1, 5), unclear));
  RP_ASSERT_OK(g.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(g.FireTimer("departure-deadline-v2"));
  v1::FlagsChanged clarified;
  clarified.mutable_flags();
  RP_ASSERT_OK(g.RecordOn(CivilDay(2026, 3, 26), clarified));
  EXPECT_EQ(g.TaskByKey("police-referral-v3")->priority(), 80);
  ASSERT_EQ(g.last().tasks_to_update.size(), 1u);
  EXPECT_EQ(g.last().tasks_to_update[0].id, "police-referral-v3");
  EXPECT_TRUE(g.last().tasks_to_open.empty());
}

TEST_F(OrderTest, ATravelDocumentRecordedLateReRanksTheReferralInPlace) {
  // A refold recomputes the tasks; one still open under the same key is the
  // same occurrence, so it is updated in place (same id, the police keep
  // their lease), as when the document is recorded on time.
  PersonSpec unclear;
  unclear.flags.set_identity_unclarified(true);
  Overstayed(unclear);
  RP_ASSERT_OK(RecordLate(v1::TravelDocumentObtained(), CivilDay(2026, 3, 20),
                          CivilDay(2026, 3, 26)));
  ASSERT_EQ(f_.last().tasks_to_update.size(), 1u);
  EXPECT_EQ(f_.last().tasks_to_update[0].id, "police-referral-v3");
  EXPECT_FALSE(f_.Closed("police-referral-v3"));
  EXPECT_FALSE(f_.Opened("police-referral-v3~v4"));
  EXPECT_EQ(f_.TaskByKey("police-referral-v3")->id(), "police-referral-v3");
  EXPECT_EQ(f_.TaskByKey("police-referral-v3")->priority(), 80);
}

TEST_F(OrderTest, AMoveRecordedLateReaddressesTheTasksFromItsEffectiveTime) {
  // Backdated before a later fact, the move is refolded in place: the tasks
  // end in the new centre's queues (updated in place, as a refold does for a
  // task open before and after it), and folding the history from nothing
  // agrees.
  Registered();
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  RP_ASSERT_OK(f_.Disappear(CivilDay(2026, 3, 5)));
  v1::PersonMovedCentre moved;
  moved.set_reception_centre("Bergen-1");
  moved.set_region(v1::REGION_VEST);
  RP_ASSERT_OK(RecordLate(moved, CivilDay(2026, 3, 3), CivilDay(2026, 3, 6)));
  ASSERT_NE(f_.TaskByKey("conversation-v2"), nullptr);
  EXPECT_EQ(f_.TaskByKey("conversation-v2")->queue(), "advisers/Bergen-1");
  ASSERT_NE(f_.TaskByKey("disappeared-v3"), nullptr);
  EXPECT_EQ(f_.TaskByKey("disappeared-v3")->queue(), "police/pu");
  ExpectFoldFromNothingGivesTheState(f_.state(), f_.Lookup(), "late move");
}

}  // namespace
}  // namespace returnpath::return_pathway
