// Scenario tests of the decision rules: registration, first rejection and the
// appeal window, appeals, final rejections, relocation exemptions and the
// information tasks for children.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/pathway_fixture.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using absl::CivilDay;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class RulesTest : public ::testing::Test {
 protected:
  void Registered(const PersonSpec& person = {}) {
    RP_ASSERT_OK(f_.Register(CivilDay(2026, 1, 5), person));
  }
  PathwayFixture f_;
};

TEST_F(RulesTest, RegistrationStartsTheAsylumStage) {
  Registered();
  EXPECT_EQ(f_.state().stage(), v1::STAGE_ASYLUM_PENDING);
  EXPECT_THAT(f_.last().index_keys, ElementsAre("centre/Oslo-1", "region/OSLO",
                                                "stage/ASYLUM_PENDING"));
}

TEST_F(RulesTest, RegistrationErrors) {
  absl::Status before = f_.FirstRejection(CivilDay(2026, 2, 9));
  EXPECT_EQ(before.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(before.message(), "person P1 is not registered");
  PersonSpec bad;
  bad.nationality = "Afghanistan";
  absl::Status invalid = f_.Register(CivilDay(2026, 1, 5), bad);
  EXPECT_EQ(invalid.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(invalid.message(), HasSubstr("nationality"));
  Registered();
  absl::Status twice = f_.Register(CivilDay(2026, 1, 6));
  EXPECT_EQ(twice.code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(RulesTest, PayloadDateMustMatchTheEffectiveDate) {
  Registered();
  v1::FirstRejection e;
  *e.mutable_notified_on() = ToDate(CivilDay(2026, 2, 8));
  absl::Status status = f_.RecordOn(CivilDay(2026, 2, 9), e);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("notified_on: 2026-02-08 differs from the event's "
                        "effective date 2026-02-09"));
}

TEST_F(RulesTest, FirstRejectionOpensAppealWindowAndConversation) {
  Registered();
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  const v1::PathwayState& s = f_.state();
  EXPECT_EQ(s.stage(), v1::STAGE_FIRST_REJECTION);
  EXPECT_EQ(DateText(s.appeal_window().date()), "2026-03-02");
  EXPECT_EQ(DateText(s.appeal_window().counted_from()), "2026-02-09");
  EXPECT_EQ(s.appeal_window().rule(), "appeal_window");
  EXPECT_EQ(s.appeal_window().policy_version(), "2012-01-01");
  ASSERT_NE(f_.Timer("appeal-window-v2"), nullptr);
  EXPECT_EQ(LastDay(f_.Timer("appeal-window-v2")->due()), "2026-03-02");
  EXPECT_TRUE(f_.Armed("appeal-window-v2"));
  const v1::PathwayTask* talk = f_.TaskByKey("conversation-v2");
  ASSERT_NE(talk, nullptr);
  EXPECT_EQ(talk->queue(), "advisers/Oslo-1");
  EXPECT_EQ(talk->kind(), "return_conversation");
  EXPECT_EQ(LastDay(talk->due()), "2026-02-16");
  EXPECT_EQ(talk->rule(), "conversation_after_first_rejection");
  EXPECT_THAT(talk->caused_by_versions(), ElementsAre(2));
  EXPECT_TRUE(f_.Opened("conversation-v2"));
  EXPECT_TRUE(f_.Armed("escalate-conversation-v2"));
  EXPECT_THAT(f_.last().index_keys,
              ElementsAre("centre/Oslo-1", "due/2026-03-02", "region/OSLO",
                          "stage/FIRST_REJECTION"));
}

TEST_F(RulesTest, AppealWindowMovesOffHolidaysAndWeekends) {
  struct Case {
    CivilDay notified;
    const char* last_day;
    const char* unadjusted;
  };
  const Case cases[] = {
      {CivilDay(2026, 3, 12), "2026-04-07", "2026-04-02"},   // Maundy Thursday
      {CivilDay(2026, 3, 13), "2026-04-07", "2026-04-03"},   // Good Friday
      {CivilDay(2026, 4, 23), "2026-05-15", "2026-05-14"},   // Ascension Day
      {CivilDay(2026, 12, 4), "2026-12-28", "2026-12-25"},   // Christmas Day
      {CivilDay(2026, 12, 11), "2027-01-04", "2027-01-01"},  // New Year's Day
      {CivilDay(2026, 2, 7), "2026-03-02", "2026-02-28"},    // a Saturday
      {CivilDay(2026, 2, 9), "2026-03-02", "unset"},         // a Monday
  };
  for (const Case& c : cases) {
    PathwayFixture f;
    RP_ASSERT_OK(f.Register(CivilDay(2026, 1, 5)));
    RP_ASSERT_OK(f.FirstRejection(c.notified));
    EXPECT_EQ(DateText(f.state().appeal_window().date()), c.last_day)
        << FormatDay(c.notified);
    EXPECT_EQ(DateText(f.state().appeal_window().unadjusted_date()),
              c.unadjusted);
    EXPECT_EQ(LastDay(f.Timer("appeal-window-v2")->due()), c.last_day);
  }
}

TEST_F(RulesTest, AppealWindowExpiryDerivesTheFinalRejection) {
  Registered();
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.FireTimer("appeal-window-v2"));
  const v1::PathwayState& s = f_.state();
  EXPECT_EQ(s.stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(s.final_rejection().basis(),
            v1::FINAL_REJECTION_BASIS_NOT_APPEALED);
  EXPECT_EQ(DateText(s.final_rejection().notified_on()), "2026-03-03");
  EXPECT_EQ(s.final_rejection().derived_at_version(), 3u);
  EXPECT_TRUE(s.appeal_window().expired());
  EXPECT_FALSE(s.appeal_window().met());
  EXPECT_EQ(DateText(s.departure_deadline().date()), "2026-03-24");
  EXPECT_EQ(s.departure_deadline().days(), 21);
  EXPECT_THAT(s.departure_deadline().caused_by_versions(), ElementsAre(2, 3));
  const v1::PathwayTask* relocate = f_.TaskByKey("relocate-v3");
  ASSERT_NE(relocate, nullptr);
  EXPECT_EQ(relocate->queue(), "reception/Oslo-1");
  EXPECT_EQ(LastDay(relocate->due()), "2026-03-10");
  EXPECT_THAT(relocate->caused_by_versions(), ElementsAre(2, 3));
  EXPECT_TRUE(f_.Opened("relocate-v3"));
  EXPECT_EQ(LastDay(f_.TaskByKey("conversation-v3")->due()), "2026-03-06");
  EXPECT_EQ(LastDay(f_.Timer("departure-deadline-v3")->due()), "2026-03-24");
  EXPECT_EQ(LastDay(f_.Timer("review-v3")->due()), "2026-06-01");
  EXPECT_FALSE(f_.Cancelled("appeal-window-v2"));  // the engine removed it
  EXPECT_THAT(f_.last().index_keys,
              ElementsAre("centre/Oslo-1", "due/2026-03-24", "region/OSLO",
                          "stage/FINAL_REJECTION"));
}

TEST_F(RulesTest, AppealWithDeferredImplementationWaitsForUne) {
  Registered();
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.Appeal(CivilDay(2026, 2, 20), true));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_APPEAL_PENDING);
  EXPECT_TRUE(f_.Cancelled("appeal-window-v2"));
  // Lodged in time: the window no longer runs, and never expires.
  EXPECT_TRUE(f_.state().appeal_window().met());
  EXPECT_FALSE(f_.state().appeal_window().expired());
  EXPECT_EQ(f_.TasksOfKind("relocation"), 0);
  EXPECT_FALSE(f_.state().has_departure_deadline());
  EXPECT_THAT(f_.last().index_keys, ElementsAre("centre/Oslo-1", "region/OSLO",
                                                "stage/APPEAL_PENDING"));

  RP_ASSERT_OK(
      f_.AppealDecided(CivilDay(2026, 5, 4), v1::APPEAL_OUTCOME_REJECTED, 14));
  const v1::PathwayState& s = f_.state();
  EXPECT_EQ(s.stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(s.final_rejection().basis(),
            v1::FINAL_REJECTION_BASIS_REJECTED_BY_UNE);
  EXPECT_EQ(DateText(s.departure_deadline().date()), "2026-05-18");
  EXPECT_EQ(LastDay(f_.TaskByKey("relocate-v4")->due()), "2026-05-11");
  EXPECT_FALSE(s.appeal().pending());
}

TEST_F(RulesTest, AppealWithoutDeferredImplementationIsFinalAtOnce) {
  Registered();
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.Appeal(CivilDay(2026, 2, 20), false));
  const v1::PathwayState& s = f_.state();
  EXPECT_EQ(s.stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(s.final_rejection().basis(),
            v1::FINAL_REJECTION_BASIS_NO_DEFERRED_IMPLEMENTATION);
  EXPECT_TRUE(s.appeal().pending());
  EXPECT_EQ(DateText(s.departure_deadline().date()), "2026-03-13");
  EXPECT_EQ(LastDay(f_.TaskByKey("relocate-v3")->due()), "2026-02-27");

  absl::Status days =
      f_.AppealDecided(CivilDay(2026, 3, 5), v1::APPEAL_OUTCOME_REJECTED, 14);
  EXPECT_EQ(days.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(days.message(), HasSubstr("has run since 2026-02-20"));
  RP_ASSERT_OK(
      f_.AppealDecided(CivilDay(2026, 3, 5), v1::APPEAL_OUTCOME_REJECTED));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(DateText(f_.state().departure_deadline().date()), "2026-03-13");
  EXPECT_TRUE(f_.last().timers_to_arm.empty());
}

TEST_F(RulesTest, AppealGrantedEndsThePathway) {
  Registered();
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.Appeal(CivilDay(2026, 2, 20), true));
  RP_ASSERT_OK(
      f_.AppealDecided(CivilDay(2026, 6, 1), v1::APPEAL_OUTCOME_GRANTED));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_PERMIT_GRANTED);
  EXPECT_TRUE(f_.state().open_tasks().empty());
  EXPECT_TRUE(f_.state().armed_timers().empty());
  EXPECT_TRUE(f_.Closed("conversation-v2"));
  EXPECT_THAT(f_.last().index_keys,
              ElementsAre("scope/centre/Oslo-1", "scope/region/OSLO",
                          "stage/PERMIT_GRANTED"));
  absl::Status after = f_.Disappear(CivilDay(2026, 6, 2));
  EXPECT_EQ(after.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(after.message(),
            "cannot record a disappearance: the pathway ended on 2026-06-01: a "
            "residence permit was granted; only a correction or a retraction "
            "can be recorded now");
}

TEST_F(RulesTest, AppealAfterTheWindowIsRefused) {
  Registered();
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  absl::Status late = f_.Appeal(CivilDay(2026, 3, 3), true);
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(late.message(),
            "cannot record an appeal: the appeal window closed on 2026-03-02");
  RP_ASSERT_OK(f_.FireTimer("appeal-window-v2"));
  absl::Status later = f_.Appeal(CivilDay(2026, 3, 4), false);
  EXPECT_EQ(later.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(later.message(),
            "cannot record an appeal: the appeal window closed on 2026-03-02");
}

TEST_F(RulesTest, AppealLodgedInTimeButRecordedLateUndoesTheDerivedRejection) {
  Registered();
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  RP_ASSERT_OK(f_.FireTimer("appeal-window-v2"));
  ASSERT_EQ(f_.state().stage(), v1::STAGE_FINAL_REJECTION);
  v1::AppealLodged appeal;
  appeal.set_deferred_implementation(true);
  RP_ASSERT_OK(
      f_.Record(appeal, At(CivilDay(2026, 3, 1)), At(CivilDay(2026, 3, 5))));
  const v1::PathwayState& s = f_.state();
  EXPECT_EQ(s.stage(), v1::STAGE_APPEAL_PENDING);
  EXPECT_FALSE(s.has_departure_deadline());
  // Applied where it belongs, before the window's expiry, which no longer
  // derives anything.
  EXPECT_TRUE(f_.history()[3].refolded());
  EXPECT_FALSE(f_.history()[2].derived_final_rejection());
  EXPECT_TRUE(f_.Closed("relocate-v3"));
  EXPECT_TRUE(f_.Closed("conversation-v3"));
  EXPECT_TRUE(f_.Cancelled("departure-deadline-v3"));
  EXPECT_TRUE(f_.Cancelled("review-v3"));
  EXPECT_TRUE(f_.Cancelled("escalate-relocate-v3"));
  EXPECT_NE(f_.TaskByKey("conversation-v2"), nullptr);
  EXPECT_EQ(f_.TaskByKey("conversation-v2")->id(), "conversation-v2");
  // The conversation was due 02-16, before the appeal: its escalation fires
  // first in the refold, as it would have on time.
  ASSERT_EQ(f_.last().tasks_to_open.size(), 1u);
  EXPECT_EQ(f_.last().tasks_to_open[0].kind, "escalation");
}

TEST_F(RulesTest, FinalRejectionDeadlineDays) {
  Registered();
  absl::Status wide = f_.FinalRejection(CivilDay(2026, 3, 2), 35);
  EXPECT_EQ(wide.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(wide.message(),
            "departure_deadline_days: 35 days is outside the 7-30 days policy "
            "2012-01-01 allows");
  EXPECT_EQ(f_.FinalRejection(CivilDay(2026, 3, 2), 6).code(),
            absl::StatusCode::kInvalidArgument);
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2), 7));
  EXPECT_EQ(DateText(f_.state().departure_deadline().date()), "2026-03-09");
  // Due within 7 days, but no later than 2 days before the deadline.
  EXPECT_EQ(LastDay(f_.TaskByKey("relocate-v2")->due()), "2026-03-07");
  absl::Status again = f_.FinalRejection(CivilDay(2026, 3, 3));
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.message(),
            "cannot record a final rejection: a final rejection notified on "
            "2026-03-02 is already recorded");
}

TEST_F(RulesTest, LateRecordedFinalRejectionArmsPastDueTimers) {
  Registered();
  v1::FinalRejection e;
  RP_ASSERT_OK(
      f_.Record(e, At(CivilDay(2026, 3, 2)), At(CivilDay(2026, 4, 10))));
  ASSERT_TRUE(f_.Armed("departure-deadline-v2"));
  const v1::PathwayTimer* deadline = f_.Timer("departure-deadline-v2");
  EXPECT_EQ(LastDay(deadline->due()), "2026-03-23");
  EXPECT_LT(FromTimestamp(deadline->due()), At(CivilDay(2026, 4, 10)));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_FINAL_REJECTION);
  RP_ASSERT_OK(f_.FireTimer("departure-deadline-v2"));
  EXPECT_EQ(f_.state().stage(), v1::STAGE_OVERSTAYED);
  EXPECT_EQ(LastDay(f_.TaskOfKind("police_referral")->due()), "2026-03-23");
}

struct ExemptionCase {
  const char* name;
  bool unaccompanied_minor;
  bool dublin_case;
  bool serious_illness;
  CivilDay born;
  bool with_child;
  const char* exemption;  // "" if relocated
};

class RelocationExemptionTest : public ::testing::TestWithParam<ExemptionCase> {
};

TEST_P(RelocationExemptionTest, RelocationTaskOnlyForThoseNotExempt) {
  const ExemptionCase& c = GetParam();
  PersonSpec person;
  person.born = c.born;
  person.flags.set_unaccompanied_minor(c.unaccompanied_minor);
  person.flags.set_dublin_case(c.dublin_case);
  person.flags.set_serious_illness(c.serious_illness);
  if (c.with_child) person.members.push_back({"C1", CivilDay(2020, 1, 1)});
  PathwayFixture f;
  RP_ASSERT_OK(f.Register(CivilDay(2026, 1, 5), person));
  RP_ASSERT_OK(f.FinalRejection(CivilDay(2026, 3, 2)));
  EXPECT_EQ(f.state().final_rejection().relocation_exemption(), c.exemption);
  EXPECT_EQ(f.TasksOfKind("relocation"),
            std::string(c.exemption).empty() ? 1 : 0);
  if (!std::string(c.exemption).empty()) {
    v1::RelocationOrdered order;
    order.set_return_centre("Return-1");
    absl::Status status = f.RecordOn(CivilDay(2026, 3, 3), order);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(status.message(), HasSubstr("exempt from relocation"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, RelocationExemptionTest,
    ::testing::Values(ExemptionCase{"adult", false, false, false,
                                    CivilDay(1990, 1, 1), false, ""},
                      ExemptionCase{"uam16", true, false, false,
                                    CivilDay(2010, 1, 1), false,
                                    "unaccompanied minor aged 16"},
                      ExemptionCase{"uam15today", true, false, false,
                                    CivilDay(2011, 3, 2), false,
                                    "unaccompanied minor aged 15"},
                      ExemptionCase{"uam14", true, false, false,
                                    CivilDay(2011, 3, 3), false, ""},
                      ExemptionCase{"uam18today", true, false, false,
                                    CivilDay(2008, 3, 2), false, ""},
                      ExemptionCase{"dublin", false, true, false,
                                    CivilDay(1990, 1, 1), false, "Dublin case"},
                      ExemptionCase{"family", false, false, false,
                                    CivilDay(1990, 1, 1), true, ""},
                      ExemptionCase{"ill", false, false, true,
                                    CivilDay(1990, 1, 1), false, ""}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(RulesTest, AgeAdaptedInformationForEachChildAgedTwelveToSeventeen) {
  PersonSpec person;
  person.members = {{"C11", CivilDay(2014, 3, 3)},
                    {"C12", CivilDay(2014, 3, 2)},
                    {"C17", CivilDay(2008, 3, 3)},
                    {"C18", CivilDay(2008, 3, 2)}};
  Registered(person);
  RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
  EXPECT_EQ(f_.TasksOfKind("child_information"), 2);
  ASSERT_NE(f_.TaskByKey("child-info-v2-C12"), nullptr);
  ASSERT_NE(f_.TaskByKey("child-info-v2-C17"), nullptr);
  EXPECT_EQ(LastDay(f_.TaskByKey("child-info-v2-C12")->due()), "2026-03-16");
  EXPECT_EQ(f_.TaskByKey("child-info-v2-C17")->queue(), "advisers/Oslo-1");
  EXPECT_THAT(f_.TaskByKey("child-info-v2-C12")->title(), HasSubstr("aged 12"));
}

}  // namespace
}  // namespace returnpath::return_pathway
