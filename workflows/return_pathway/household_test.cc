// Households (domain.md, "Households"): children follow their guardians,
// families move together, one age-adapted information task per child.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/household.pb.h"
#include "workflows/return_pathway/household_fixture.h"
#include "workflows/return_pathway/task_kinds.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using absl::CivilDay;
using ::testing::HasSubstr;

constexpr CivilDay kRegistered(2026, 3, 2);
constexpr CivilDay kFinal(2026, 4, 1);

// The child's GuardianDecisionFollowed events, in order.
std::vector<v1::EventEnvelope> Follows(const HouseholdFixture& f,
                                       const std::string& child) {
  std::vector<v1::EventEnvelope> out;
  for (const v1::EventEnvelope& e : f.log(child)) {
    if (e.payload().Is<v1::GuardianDecisionFollowed>()) out.push_back(e);
  }
  return out;
}

v1::FollowedDecision DecisionOf(const v1::EventEnvelope& e) {
  v1::GuardianDecisionFollowed followed;
  e.payload().UnpackTo(&followed);
  return followed.decision();
}

class HouseholdTest : public ::testing::Test {
 protected:
  // Guardian G; C14 (14 on kFinal) and C8 (8) follow; OWN (16) has a case
  // of their own.
  void RegisterFamily() {
    HouseholdPerson guardian;
    guardian.id = "G";
    RP_ASSERT_OK(f_.Register(kRegistered, guardian));
    RP_ASSERT_OK(f_.Register(kRegistered, Child("C14", CivilDay(2012, 1, 10))));
    RP_ASSERT_OK(f_.Register(kRegistered, Child("C8", CivilDay(2018, 2, 1))));
    HouseholdPerson own = Child("OWN", CivilDay(2010, 5, 5));
    own.own_case = true;
    RP_ASSERT_OK(f_.Register(kRegistered, own));
  }

  HouseholdFixture f_;
};

TEST_F(HouseholdTest, AChildsRegistrationTellsItsGuardianInTheSameWrite) {
  RegisterFamily();
  const v1::PathwayState& g = f_.state("G");
  ASSERT_EQ(g.household_size(), 3);
  EXPECT_EQ(g.household(0).person_id(), "C14");
  EXPECT_EQ(g.household(2).person_id(), "OWN");
  EXPECT_TRUE(g.household(2).own_case());
  // The guardian's history says who joined and that the child's
  // registration caused it.
  const v1::EventEnvelope& joined = f_.log("G")[1];
  ASSERT_TRUE(joined.payload().Is<v1::HouseholdMemberJoined>());
  EXPECT_EQ(joined.caused_by_stream_id(), "C14");
  EXPECT_EQ(joined.caused_by_position(), f_.log("C14")[0].position());
}

TEST_F(HouseholdTest,
       ARegistrationNamingAGuardianWhoCannotTakeTheChildIsRefused) {
  HouseholdPerson guardian;
  guardian.id = "G";
  RP_ASSERT_OK(f_.Register(kRegistered, guardian));
  HouseholdPerson adult;
  adult.id = "A";
  adult.role = v1::HOUSEHOLD_ROLE_UNSPECIFIED;
  RP_ASSERT_OK(f_.Register(kRegistered, adult));

  absl::Status missing =
      f_.Register(kRegistered, Child("C1", CivilDay(2015, 1, 1), {"NOBODY"}));
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound) << missing;
  absl::Status not_guardian =
      f_.Register(kRegistered, Child("C1", CivilDay(2015, 1, 1), {"A"}));
  EXPECT_THAT(not_guardian.message(),
              HasSubstr("A is not registered as a guardian"));
  HouseholdPerson elsewhere = Child("C1", CivilDay(2015, 1, 1));
  elsewhere.household = "H-2";
  EXPECT_THAT(f_.Register(kRegistered, elsewhere).message(),
              HasSubstr("G is in household H-1, not H-2"));
  elsewhere = Child("C1", CivilDay(2015, 1, 1));
  elsewhere.centre = "Bergen-1";
  EXPECT_THAT(f_.Register(kRegistered, elsewhere).message(),
              HasSubstr("G lives at Oslo-1, not Bergen-1"));
  // Refused whole: the child was not registered either.
  EXPECT_TRUE(f_.log("C1").empty());
  EXPECT_EQ(f_.state("G").household_size(), 0);

  // A guardian may name the household's guardians registered before it
  // (its co-guardians); a person with no role in a household names none.
  HouseholdPerson bad = adult;
  bad.id = "A2";
  bad.guardians = {"G"};
  absl::Status s = f_.Register(kRegistered, bad);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("guardian_ids"));
  HouseholdPerson twice = Child("C1", CivilDay(2015, 1, 1), {"G", "G"});
  EXPECT_THAT(f_.Register(kRegistered, twice).message(),
              HasSubstr("guardian_ids[1]: \"G\" is listed twice"));
}

TEST_F(HouseholdTest, HouseholdEventsCannotBeRecordedByACaller) {
  RegisterFamily();
  v1::HouseholdMemberJoined joined;
  joined.set_person_id("X");
  joined.set_household_id("H-1");
  joined.set_role(v1::HOUSEHOLD_ROLE_CHILD);
  joined.set_reception_centre("Oslo-1");
  EXPECT_THAT(f_.RecordOn("G", kRegistered, joined).message(),
              HasSubstr("only by their own registration"));
  v1::GuardianDecisionFollowed followed;
  followed.set_guardian_id("G");
  followed.set_decision(v1::FOLLOWED_DECISION_DEPARTURE);
  followed.set_stage(v1::STAGE_DEPARTED_FORCED);
  EXPECT_THAT(f_.RecordOn("C8", kRegistered, followed).message(),
              HasSubstr("only with the guardian's own event"));
  EXPECT_EQ(f_.state("C8").stage(), v1::STAGE_ASYLUM_PENDING);
}

TEST_F(HouseholdTest, ChildrenWithoutACaseOfTheirOwnFollowTheFirstRejection) {
  RegisterFamily();
  RP_ASSERT_OK(f_.FirstRejection("G", kRegistered + 7));
  const uint64_t guardian_event = f_.log("G").back().position();
  for (const std::string child : {"C14", "C8"}) {
    std::vector<v1::EventEnvelope> follows = Follows(f_, child);
    ASSERT_EQ(follows.size(), 1u) << child;
    EXPECT_EQ(DecisionOf(follows[0]), v1::FOLLOWED_DECISION_FIRST_REJECTION);
    EXPECT_EQ(follows[0].caused_by_stream_id(), "G");
    EXPECT_EQ(follows[0].caused_by_position(), guardian_event);
    const v1::PathwayState& s = f_.state(child);
    EXPECT_EQ(s.stage(), v1::STAGE_FIRST_REJECTION);
    EXPECT_EQ(DateText(s.appeal_window().date()),
              DateText(f_.state("G").appeal_window().date()));
    // The guardian's appeal window runs for the family: the child has no
    // timer and no conversation of their own.
    EXPECT_EQ(s.armed_timers_size(), 0) << child;
    EXPECT_EQ(s.open_tasks_size(), 0) << child;
  }
  EXPECT_TRUE(Follows(f_, "OWN").empty());
  EXPECT_EQ(f_.state("OWN").stage(), v1::STAGE_ASYLUM_PENDING);
  // One return conversation for the household, naming the guardian.
  std::vector<v1::PathwayTask> talks = f_.Tasks("G", kTaskReturnConversation);
  ASSERT_EQ(talks.size(), 1u);
  EXPECT_THAT(talks[0].title(),
              HasSubstr("Return conversation with household H-1 (guardian G)"));
}

TEST_F(HouseholdTest, TheFinalRejectionMovesTheFamilyTogether) {
  RegisterFamily();
  RP_ASSERT_OK(f_.FinalRejection("G", kFinal));
  const v1::EventEnvelope& cause = f_.log("G").back();

  for (const std::string child : {"C14", "C8"}) {
    std::vector<v1::EventEnvelope> follows = Follows(f_, child);
    ASSERT_EQ(follows.size(), 1u) << child;
    EXPECT_EQ(DecisionOf(follows[0]), v1::FOLLOWED_DECISION_FINAL_REJECTION);
    EXPECT_EQ(follows[0].caused_by_position(), cause.position());
    EXPECT_EQ(follows[0].effective_time().seconds(),
              cause.effective_time().seconds());
    const v1::PathwayState& s = f_.state(child);
    EXPECT_EQ(s.stage(), v1::STAGE_FINAL_REJECTION);
    EXPECT_EQ(DateText(s.final_rejection().notified_on()), "2026-04-01");
    EXPECT_EQ(DateText(s.departure_deadline().date()), "2026-04-22");
    EXPECT_THAT(s.final_rejection().caused_by_versions(),
                ::testing::ElementsAre(follows[0].stream_version()));
    // No relocation or conversation of the child's own: the family's.
    EXPECT_TRUE(f_.Tasks(child, kTaskRelocation).empty());
    EXPECT_TRUE(f_.Tasks(child, kTaskReturnConversation).empty());
    EXPECT_EQ(s.armed_timers_size(), 0);
  }
  EXPECT_TRUE(Follows(f_, "OWN").empty());

  // One relocation task, in the guardian's queue, listing every member.
  std::vector<v1::PathwayTask> relocation = f_.Tasks("G", kTaskRelocation);
  ASSERT_EQ(relocation.size(), 1u);
  EXPECT_THAT(relocation[0].title(),
              HasSubstr("Relocate household H-1: G, C14, C8 from Oslo-1"));
  // Age-adapted information: one task, for the 14-year-old, in their own
  // history; none for the 8-year-old, none for the guardian.
  std::vector<v1::PathwayTask> info = f_.Tasks("C14", kTaskChildInformation);
  ASSERT_EQ(info.size(), 1u);
  EXPECT_THAT(info[0].title(), HasSubstr("for C14 (aged 14)"));
  EXPECT_THAT(info[0].title(), HasSubstr("guardian G"));
  EXPECT_TRUE(f_.Tasks("C8", kTaskChildInformation).empty());
  EXPECT_TRUE(f_.Tasks("G", kTaskChildInformation).empty());
  EXPECT_TRUE(f_.Tasks("OWN", kTaskChildInformation).empty());

  // Completing the household's task relocates every member.
  v1::RelocationOrdered ordered;
  ordered.set_return_centre("Retur-1");
  RP_ASSERT_OK(f_.RecordOn("G", kFinal + 1, ordered));
  RP_ASSERT_OK(f_.CompleteTask("G", relocation[0].id(), "relocated"));
  const uint64_t completed = f_.log("G").back().position();
  for (const std::string person : {"G", "C14", "C8"}) {
    const v1::Residence& r = f_.state(person).residence();
    EXPECT_TRUE(r.at_return_centre()) << person;
    EXPECT_EQ(r.reception_centre(), "Retur-1") << person;
  }
  EXPECT_EQ(DecisionOf(Follows(f_, "C8").back()),
            v1::FOLLOWED_DECISION_RELOCATION);
  EXPECT_EQ(Follows(f_, "C8").back().caused_by_position(), completed);
  EXPECT_FALSE(f_.state("OWN").residence().at_return_centre());
}

TEST_F(HouseholdTest,
       AChildIsAPersonUnder18OnTheDayWhateverTheRegistrationSaid) {
  HouseholdPerson guardian;
  guardian.id = "G";
  RP_ASSERT_OK(f_.Register(kRegistered, guardian));
  // 17 when registered as a child, 18 on the day of the final rejection.
  RP_ASSERT_OK(f_.Register(kRegistered, Child("C17", CivilDay(2008, 3, 20))));
  RP_ASSERT_OK(f_.FinalRejection("G", kFinal));
  EXPECT_TRUE(Follows(f_, "C17").empty());
  EXPECT_EQ(f_.state("C17").stage(), v1::STAGE_ASYLUM_PENDING);
  EXPECT_THAT(f_.Tasks("G", kTaskRelocation)[0].title(),
              HasSubstr("Relocate G from"));
}

TEST_F(HouseholdTest, ExemptionsStayPerPerson) {
  HouseholdPerson guardian;
  guardian.id = "G";
  RP_ASSERT_OK(f_.Register(kRegistered, guardian));
  HouseholdPerson dublin = Child("CD", CivilDay(2014, 6, 1));
  dublin.flags.set_dublin_case(true);
  RP_ASSERT_OK(f_.Register(kRegistered, dublin));
  RP_ASSERT_OK(f_.FinalRejection("G", kFinal));
  EXPECT_EQ(f_.state("G").final_rejection().relocation_exemption(), "");
  EXPECT_NE(f_.state("CD").final_rejection().relocation_exemption(), "");
  // An unaccompanied minor has no guardian in the household: their own
  // pathway and their own exemption.
  HouseholdPerson alone = Child("UM", CivilDay(2010, 1, 1), {});
  alone.household = "H-UM";
  alone.flags.set_unaccompanied_minor(true);
  RP_ASSERT_OK(f_.Register(kRegistered, alone));
  RP_ASSERT_OK(f_.FinalRejection("UM", kFinal));
  EXPECT_NE(f_.state("UM").final_rejection().relocation_exemption(), "");
  EXPECT_TRUE(f_.Tasks("UM", kTaskRelocation).empty());
}

TEST_F(HouseholdTest, TimersOnTheGuardianReachTheChildren) {
  RegisterFamily();
  RP_ASSERT_OK(f_.FirstRejection("G", kRegistered + 7));
  // The appeal window closes unused: a derived final rejection.
  RP_ASSERT_OK(f_.FireTimer("G", f_.state("G").armed_timers(0).id()));
  ASSERT_EQ(f_.state("G").stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(f_.state("C8").stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(f_.state("C8").final_rejection().basis(),
            v1::FINAL_REJECTION_BASIS_NOT_APPEALED);
  EXPECT_EQ(Follows(f_, "C8").back().principal(), "test");

  // The departure deadline passes: the family has overstayed; the police
  // referral is the guardian's alone.
  std::string deadline_timer;
  for (const v1::PathwayTimer& t : f_.state("G").armed_timers()) {
    if (t.kind() == kTimerDepartureDeadline) deadline_timer = t.id();
  }
  ASSERT_FALSE(deadline_timer.empty());
  RP_ASSERT_OK(f_.FireTimer("G", deadline_timer));
  EXPECT_EQ(f_.state("G").stage(), v1::STAGE_OVERSTAYED);
  EXPECT_EQ(f_.state("C14").stage(), v1::STAGE_OVERSTAYED);
  EXPECT_TRUE(f_.state("C14").departure_deadline().expired());
  EXPECT_EQ(DecisionOf(Follows(f_, "C14").back()),
            v1::FOLLOWED_DECISION_DEPARTURE_DEADLINE);
  EXPECT_EQ(f_.Tasks("G", kTaskPoliceReferral).size(), 1u);
  EXPECT_TRUE(f_.Tasks("C14", kTaskPoliceReferral).empty());
}

TEST_F(HouseholdTest, TheFamilyDepartsTogetherEvenIfAChildsPathwayEnded) {
  RegisterFamily();
  RP_ASSERT_OK(f_.FinalRejection("G", kFinal));
  RP_ASSERT_OK(f_.RecordOn("C8", kFinal + 2, v1::ResidencePermitGranted()));
  v1::IomApplicationSubmitted iom;
  iom.set_programme(v1::IOM_PROGRAMME_VARP);
  RP_ASSERT_OK(f_.RecordOn("G", kFinal + 3, iom));
  RP_ASSERT_OK(
      f_.Depart("G", kFinal + 10, v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY));
  EXPECT_EQ(f_.state("G").stage(), v1::STAGE_DEPARTED_VOLUNTARY);
  EXPECT_EQ(f_.state("C14").stage(), v1::STAGE_DEPARTED_VOLUNTARY);
  EXPECT_EQ(f_.state("C14").departure().kind(),
            v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY);
  EXPECT_EQ(DateText(f_.state("C14").terminal_on()), "2026-04-11");
  EXPECT_EQ(f_.state("C14").open_tasks_size(), 0);
  // Recorded in the child's history, without changing the ended pathway.
  EXPECT_EQ(DecisionOf(Follows(f_, "C8").back()),
            v1::FOLLOWED_DECISION_DEPARTURE);
  EXPECT_EQ(f_.state("C8").stage(), v1::STAGE_PERMIT_GRANTED);
  EXPECT_EQ(f_.state("OWN").stage(), v1::STAGE_ASYLUM_PENDING);
}

TEST_F(HouseholdTest, TwoGuardiansGiveAChildOneAgeAdaptedInformationTask) {
  for (const char* id : {"G", "G2"}) {
    HouseholdPerson guardian;
    guardian.id = id;
    RP_ASSERT_OK(f_.Register(kRegistered, guardian));
  }
  RP_ASSERT_OK(f_.Register(kRegistered,
                           Child("C14", CivilDay(2012, 1, 10), {"G", "G2"})));
  EXPECT_EQ(f_.state("G2").household_size(), 1);
  RP_ASSERT_OK(f_.FinalRejection("G", kFinal));
  RP_ASSERT_OK(f_.FinalRejection("G2", kFinal));
  EXPECT_EQ(Follows(f_, "C14").size(), 2u);
  EXPECT_EQ(f_.Tasks("C14", kTaskChildInformation).size(), 1u);
}

// A child's history alone rebuilds the child's state: the follows replay
// without their guardian, and a correction in the child's history refolds
// through them.
// Two guardians of one household with no child in common: the second names
// the first at registration, so they are co-guardians, and the household
// gets one relocation task and one return conversation, whichever guardian's
// decision is recorded first; the title names every member who moves.
TEST_F(HouseholdTest, GuardiansWithNoChildInCommonShareTheHouseholdsTasks) {
  for (const bool g_first : {true, false}) {
    SCOPED_TRACE(g_first ? "G first" : "G2 first");
    HouseholdFixture f;
    RP_ASSERT_OK(f.Register(kRegistered, Guardian("G")));
    RP_ASSERT_OK(
        f.Register(kRegistered, Child("CG", CivilDay(2012, 1, 10), {"G"})));
    HouseholdPerson second = Guardian("G2");
    second.guardians = {"G"};  // the household's guardians registered before
    RP_ASSERT_OK(f.Register(kRegistered, second));
    RP_ASSERT_OK(
        f.Register(kRegistered, Child("C2", CivilDay(2018, 2, 1), {"G2"})));
    // The engine fires the catch-up timers, due at once, as they are armed:
    // G tells G2 who is in the household as G knows it.
    for (const char* g : {"G", "G2"}) {
      std::vector<std::string> catch_ups;
      for (const v1::PathwayTimer& t : f.state(g).armed_timers()) {
        if (t.kind() == kTimerHouseholdCatchUp) catch_ups.push_back(t.id());
      }
      for (const std::string& id : catch_ups) RP_ASSERT_OK(f.FireTimer(g, id));
    }
    const std::vector<std::string> order =
        g_first ? std::vector<std::string>{"G", "G2"}
                : std::vector<std::string>{"G2", "G"};
    for (const std::string& g : order) {
      RP_ASSERT_OK(f.FinalRejection(g, kFinal));
    }
    std::vector<v1::PathwayTask> relocation, talks;
    for (const char* g : {"G", "G2"}) {
      for (v1::PathwayTask& t : f.Tasks(g, kTaskRelocation)) {
        relocation.push_back(t);
      }
      for (v1::PathwayTask& t : f.Tasks(g, kTaskReturnConversation)) {
        talks.push_back(t);
      }
    }
    ASSERT_EQ(relocation.size(), 1u);
    EXPECT_THAT(relocation[0].title(),
                HasSubstr("Relocate household H-1: G, G2, C2, CG from Oslo-1"));
    ASSERT_EQ(talks.size(), 1u);
    EXPECT_THAT(talks[0].title(), HasSubstr("household H-1 (guardians G, G2)"));
  }
}

TEST_F(HouseholdTest, AChildsHistoryFoldsToItsStateOnItsOwn) {
  RegisterFamily();
  RP_ASSERT_OK(f_.FirstRejection("G", kRegistered + 7));
  RP_ASSERT_OK(f_.FireTimer("G", f_.state("G").armed_timers(0).id()));
  absl::StatusOr<std::vector<Applied>> folded =
      FoldLog(f_.log("C14"), ShippedPolicies());
  ASSERT_TRUE(folded.ok()) << folded.status();
  EXPECT_EQ(folded->back().state.SerializeAsString(),
            f_.state("C14").SerializeAsString());

  v1::FlagsChanged flags;
  flags.mutable_flags()->set_serious_illness(true);
  flags.set_reason("diagnosed");
  RP_ASSERT_OK(f_.RecordOn("C14", kFinal, flags));
  v1::EventRetracted retract;
  retract.set_retracted_position(f_.log("C14").back().position());
  retract.set_reason("recorded by mistake");
  RP_ASSERT_OK(f_.RecordOn("C14", kFinal, retract));
  EXPECT_EQ(f_.state("C14").stage(), v1::STAGE_FINAL_REJECTION);
}

}  // namespace
}  // namespace returnpath::return_pathway
