// Households (domain.md, "Households"), beyond one guardian's decision:
// two guardians share one relocation task and one return conversation, a
// child who joins late catches up with the guardian's decisions, and the
// children's followed final rejections and departures count in the
// auditors' statistics.

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/household.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/household.h"
#include "workflows/return_pathway/household_fixture.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/return_pathway_workflow.h"
#include "workflows/return_pathway/task_kinds.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using absl::CivilDay;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr CivilDay kRegistered(2026, 3, 2);
constexpr CivilDay kFinal(2026, 4, 1);

std::vector<v1::FollowedDecision> Follows(const HouseholdFixture& f,
                                          const std::string& child) {
  std::vector<v1::FollowedDecision> out;
  for (const v1::EventEnvelope& e : f.log(child)) {
    v1::GuardianDecisionFollowed followed;
    if (e.payload().UnpackTo(&followed)) out.push_back(followed.decision());
  }
  return out;
}

// The household's open tasks of `kind`, whoever holds them.
std::vector<v1::PathwayTask> HouseholdTasks(const HouseholdFixture& f,
                                            absl::string_view kind) {
  std::vector<v1::PathwayTask> out;
  for (const char* person : {"G", "G2", "C14", "C8"}) {
    for (v1::PathwayTask& t : f.Tasks(person, kind)) out.push_back(t);
  }
  return out;
}

class TwoGuardiansTest : public ::testing::TestWithParam<bool> {
 protected:
  // G and G2 guard C14 (14 on kFinal) and C8 (8).
  void RegisterFamily() {
    RP_ASSERT_OK(f_.Register(kRegistered, Guardian("G")));
    RP_ASSERT_OK(f_.Register(kRegistered, Guardian("G2")));
    RP_ASSERT_OK(f_.Register(kRegistered,
                             Child("C14", CivilDay(2012, 1, 10), {"G", "G2"})));
    RP_ASSERT_OK(f_.Register(kRegistered,
                             Child("C8", CivilDay(2018, 2, 1), {"G2", "G"})));
  }
  // The guardians' decisions, in the order the parameter says.
  std::vector<std::string> Order() const {
    return GetParam() ? std::vector<std::string>{"G", "G2"}
                      : std::vector<std::string>{"G2", "G"};
  }

  HouseholdFixture f_;
};

TEST_P(TwoGuardiansTest, OneRelocationTaskAndOneConversationPerHousehold) {
  RegisterFamily();
  for (const std::string& g : Order()) {
    RP_ASSERT_OK(f_.FirstRejection(g, kRegistered + 7));
  }
  std::vector<v1::PathwayTask> talks =
      HouseholdTasks(f_, kTaskReturnConversation);
  ASSERT_EQ(talks.size(), 1u);
  EXPECT_THAT(talks[0].title(),
              HasSubstr("Return conversation with household H-1 (guardians "
                        "G, G2) after the first rejection"));
  // Appealed in time, so the windows' expiry derives nothing and the
  // final rejections are the decisions on the appeals.
  v1::AppealLodged appeal;
  appeal.set_deferred_implementation(true);
  for (const std::string& g : Order())
    RP_ASSERT_OK(f_.RecordOn(g, kRegistered + 10, appeal));
  for (const std::string& g : Order())
    RP_ASSERT_OK(f_.FinalRejection(g, kFinal));

  // Whichever guardian's decision came first holds the household's tasks;
  // the other holds none and knows who does.
  const std::string holder = Order()[0], other = Order()[1];
  std::vector<v1::PathwayTask> relocation = HouseholdTasks(f_, kTaskRelocation);
  ASSERT_EQ(relocation.size(), 1u);
  ASSERT_EQ(f_.Tasks(holder, kTaskRelocation).size(), 1u);
  EXPECT_THAT(relocation[0].title(),
              HasSubstr("Relocate household H-1: G, G2, C14, C8 from Oslo-1"));
  talks = HouseholdTasks(f_, kTaskReturnConversation);
  ASSERT_EQ(talks.size(), 2u);  // after the first and the final rejection
  for (const v1::PathwayTask& t : talks) {
    EXPECT_THAT(t.title(), HasSubstr("(guardians G, G2)"));
  }
  EXPECT_EQ(f_.Tasks(holder, kTaskReturnConversation).size(), 2u);
  EXPECT_EQ(f_.state(other).household_tasks_held_size(), 3);
  EXPECT_EQ(f_.state(other).household_tasks_held(0).holder_id(), holder);
  // Still one age-adapted information task for the 14-year-old.
  EXPECT_EQ(f_.Tasks("C14", kTaskChildInformation).size(), 1u);

  // Completing it records the relocation for every member.
  v1::RelocationOrdered ordered;
  ordered.set_return_centre("Retur-1");
  RP_ASSERT_OK(f_.RecordOn(holder, kFinal + 1, ordered));
  RP_ASSERT_OK(f_.CompleteTask(holder, relocation[0].id(), "relocated"));
  const v1::EventEnvelope& completed = f_.log(holder).back();
  for (const char* person : {"G", "G2", "C14", "C8"}) {
    const v1::Residence& r = f_.state(person).residence();
    EXPECT_TRUE(r.at_return_centre()) << person;
    EXPECT_EQ(r.reception_centre(), "Retur-1") << person;
  }
  const v1::EventEnvelope& moved = f_.log(other).back();
  ASSERT_TRUE(moved.payload().Is<v1::HouseholdTasksShared>());
  EXPECT_EQ(moved.caused_by_stream_id(), holder);
  EXPECT_EQ(moved.caused_by_position(), completed.position());
  // Each child follows the relocation once, from the holder.
  const std::vector<v1::FollowedDecision> follows = Follows(f_, "C8");
  EXPECT_EQ(follows.back(), v1::FOLLOWED_DECISION_RELOCATION);
  EXPECT_EQ(f_.log("C8").back().caused_by_stream_id(), holder);
  EXPECT_EQ(std::count(follows.begin(), follows.end(),
                       v1::FOLLOWED_DECISION_RELOCATION),
            1);
  EXPECT_TRUE(HouseholdTasks(f_, kTaskRelocation).empty());
  EXPECT_EQ(f_.state(other).household_tasks_held_size(), 2);
}

INSTANTIATE_TEST_SUITE_P(EitherOrder, TwoGuardiansTest, ::testing::Bool());

// Guardians G and G2, their child C8, and CG, a child of G alone.
void RegisterFamilyWithAChildOfGAlone(HouseholdFixture& f) {
  RP_ASSERT_OK(f.Register(kRegistered, Guardian("G")));
  RP_ASSERT_OK(f.Register(kRegistered, Guardian("G2")));
  RP_ASSERT_OK(
      f.Register(kRegistered, Child("C8", CivilDay(2018, 2, 1), {"G", "G2"})));
  RP_ASSERT_OK(
      f.Register(kRegistered, Child("CG", CivilDay(2016, 2, 1), {"G"})));
}

// A child of the other guardian alone moves with the family too: its
// guardian moves with the holder's task, and the child follows.
TEST(CoGuardianTest, AChildOfTheOtherGuardianAloneMovesToo) {
  HouseholdFixture f;
  ASSERT_NO_FATAL_FAILURE(RegisterFamilyWithAChildOfGAlone(f));
  RP_ASSERT_OK(f.FinalRejection("G2", kFinal));
  RP_ASSERT_OK(f.FinalRejection("G", kFinal));
  std::vector<v1::PathwayTask> relocation = f.Tasks("G2", kTaskRelocation);
  ASSERT_EQ(relocation.size(), 1u);
  EXPECT_TRUE(f.Tasks("G", kTaskRelocation).empty());
  // The title names every member who moves, CG included.
  EXPECT_THAT(relocation[0].title(),
              HasSubstr("Relocate household H-1: G, G2, C8, CG from Oslo-1"));
  RP_ASSERT_OK(f.CompleteTask("G2", relocation[0].id(), "relocated"));
  for (const char* person : {"G", "G2", "C8", "CG"}) {
    EXPECT_TRUE(f.state(person).residence().at_return_centre()) << person;
  }
  EXPECT_EQ(f.log("CG").back().caused_by_stream_id(), "G");
  std::vector<v1::FollowedDecision> c8 = Follows(f, "C8");
  EXPECT_EQ(std::count(c8.begin(), c8.end(), v1::FOLLOWED_DECISION_RELOCATION),
            1);
}

// Fires `person`'s armed timers of `kind`; how many it fired.
int FireTimersOfKind(HouseholdFixture& f, const std::string& person,
                     absl::string_view kind) {
  std::vector<std::string> ids;
  for (const v1::PathwayTimer& t : f.state(person).armed_timers()) {
    if (t.kind() == kind) ids.push_back(t.id());
  }
  for (const std::string& id : ids) {
    EXPECT_TRUE(f.FireTimer(person, id).ok()) << id;
  }
  return static_cast<int>(ids.size());
}

v1::FlagsChanged Dublin(bool dublin) {
  v1::FlagsChanged flags;
  flags.mutable_flags()->set_dublin_case(dublin);
  return flags;
}

// The holder of the household's relocation task becomes exempt after it was
// due: the co-guardian opens the household's task itself, due at once, and
// tells the holder, who opens none when its exemption ends; completing it
// moves the whole family.
TEST(CoGuardianTest, ARelocationTheHolderDropsIsTakenOverByTheCoGuardian) {
  HouseholdFixture f;
  RP_ASSERT_OK(f.Register(kRegistered, Guardian("G")));
  RP_ASSERT_OK(f.Register(kRegistered, Guardian("G2")));
  RP_ASSERT_OK(f.Register(kRegistered,
                          Child("C14", CivilDay(2012, 1, 10), {"G", "G2"})));
  RP_ASSERT_OK(
      f.Register(kRegistered, Child("C8", CivilDay(2018, 2, 1), {"G2", "G"})));
  RP_ASSERT_OK(f.FinalRejection("G", kFinal));
  RP_ASSERT_OK(f.FinalRejection("G2", kFinal));
  ASSERT_EQ(f.Tasks("G", kTaskRelocation).size(), 1u);
  ASSERT_TRUE(f.Tasks("G2", kTaskRelocation).empty());

  const CivilDay exempt_on = kFinal + 10;  // the task was due on kFinal + 7
  RP_ASSERT_OK(f.RecordOn("G", exempt_on, Dublin(true)));
  EXPECT_TRUE(f.Tasks("G", kTaskRelocation).empty());
  const v1::EventEnvelope& told = f.log("G2").back();
  ASSERT_TRUE(told.payload().Is<v1::HouseholdTasksShared>());
  EXPECT_EQ(told.caused_by_stream_id(), "G");
  std::vector<v1::PathwayTask> relocation = HouseholdTasks(f, kTaskRelocation);
  ASSERT_EQ(relocation.size(), 1u);
  ASSERT_EQ(f.Tasks("G2", kTaskRelocation).size(), 1u);
  EXPECT_THAT(relocation[0].title(),
              HasSubstr("Relocate household H-1: G, G2, C14, C8 from Oslo-1"));
  EXPECT_EQ(LastDay(relocation[0].due()), FormatDay(exempt_on));

  // Its share timer, due at once, tells the former holder.
  EXPECT_EQ(FireTimersOfKind(f, "G2", kTimerHouseholdShare), 1);
  const v1::EventEnvelope& shared = f.log("G").back();
  ASSERT_TRUE(shared.payload().Is<v1::HouseholdTasksShared>());
  EXPECT_EQ(shared.caused_by_stream_id(), "G2");
  EXPECT_TRUE(CoGuardianHolds(f.state("G"), kTaskRelocation, ""));
  RP_ASSERT_OK(f.RecordOn("G", exempt_on + 1, Dublin(false)));
  EXPECT_TRUE(f.Tasks("G", kTaskRelocation).empty());
  ASSERT_EQ(HouseholdTasks(f, kTaskRelocation).size(), 1u);

  RP_ASSERT_OK(f.CompleteTask("G2", relocation[0].id(), "relocated"));
  for (const char* person : {"G", "G2", "C14", "C8"}) {
    EXPECT_TRUE(f.state(person).residence().at_return_centre()) << person;
  }
  for (const char* child : {"C14", "C8"}) {
    const std::vector<v1::FollowedDecision> follows = Follows(f, child);
    EXPECT_EQ(std::count(follows.begin(), follows.end(),
                         v1::FOLLOWED_DECISION_RELOCATION),
              1)
        << child;
    EXPECT_EQ(f.log(child).back().caused_by_stream_id(), "G2") << child;
  }
  // Each guardian's history folds to its state on its own.
  for (const char* person : {"G", "G2"}) {
    absl::StatusOr<std::vector<Applied>> folded =
        FoldLog(f.log(person), ShippedPolicies());
    ASSERT_TRUE(folded.ok()) << folded.status();
    EXPECT_EQ(folded->back().state.SerializeAsString(),
              f.state(person).SerializeAsString())
        << person;
  }
}

// The holder is due again before the co-guardian's share timer fired (the
// engine fires it at once, but a command may come first): the household
// still ends up with one relocation task, and the timer, fired overdue under
// the holder's news, fires again after it.
TEST(CoGuardianTest, TheHouseholdKeepsOneRelocationTaskIfTheHolderIsDueFirst) {
  HouseholdFixture f;
  RP_ASSERT_OK(f.Register(kRegistered, Guardian("G")));
  RP_ASSERT_OK(f.Register(kRegistered, Guardian("G2")));
  RP_ASSERT_OK(
      f.Register(kRegistered, Child("C8", CivilDay(2018, 2, 1), {"G", "G2"})));
  RP_ASSERT_OK(f.FinalRejection("G", kFinal));
  RP_ASSERT_OK(f.FinalRejection("G2", kFinal));
  RP_ASSERT_OK(f.RecordOn("G", kFinal + 1, Dublin(true)));
  ASSERT_EQ(f.Tasks("G2", kTaskRelocation).size(), 1u);
  RP_ASSERT_OK(f.RecordOn("G", kFinal + 2, Dublin(false)));
  EXPECT_EQ(HouseholdTasks(f, kTaskRelocation).size(), 1u);
  EXPECT_EQ(FireTimersOfKind(f, "G2", kTimerHouseholdShare), 1);
  EXPECT_EQ(HouseholdTasks(f, kTaskRelocation).size(), 1u);
  const std::string holder = f.Tasks("G", kTaskRelocation).empty() ? "G2" : "G";
  const std::string other = holder == "G" ? "G2" : "G";
  EXPECT_TRUE(CoGuardianHolds(f.state(other), kTaskRelocation, ""));
  EXPECT_FALSE(CoGuardianHolds(f.state(holder), kTaskRelocation, ""));
}

// The holder departs: the co-guardian, still here, opens the household's
// relocation task and the return conversation after the final rejection.
TEST(CoGuardianTest, TheCoGuardianTakesOverWhenTheHolderDeparts) {
  HouseholdFixture f;
  RP_ASSERT_OK(f.Register(kRegistered, Guardian("G")));
  RP_ASSERT_OK(f.Register(kRegistered, Guardian("G2")));
  RP_ASSERT_OK(
      f.Register(kRegistered, Child("C8", CivilDay(2018, 2, 1), {"G", "G2"})));
  RP_ASSERT_OK(f.FinalRejection("G", kFinal));
  RP_ASSERT_OK(f.FinalRejection("G2", kFinal));
  ASSERT_TRUE(f.Tasks("G2", kTaskRelocation).empty());
  ASSERT_TRUE(f.Tasks("G2", kTaskReturnConversation).empty());
  v1::IomApplicationSubmitted iom;
  iom.set_programme(v1::IOM_PROGRAMME_VARP);
  RP_ASSERT_OK(f.RecordOn("G", kFinal + 1, iom));
  RP_ASSERT_OK(
      f.Depart("G", kFinal + 2, v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY));
  EXPECT_EQ(f.Tasks("G2", kTaskRelocation).size(), 1u);
  const std::vector<v1::PathwayTask> talks =
      f.Tasks("G2", kTaskReturnConversation);
  ASSERT_EQ(talks.size(), 1u);
  EXPECT_EQ(talks[0].rule(), "conversation_after_final_rejection");
  EXPECT_THAT(talks[0].title(), HasSubstr("household H-1 (guardians G, G2)"));
  EXPECT_TRUE(f.state("G2").household_tasks_held().empty());
  // Telling the departed guardian changes nothing there.
  EXPECT_EQ(FireTimersOfKind(f, "G2", kTimerHouseholdShare), 1);
  EXPECT_EQ(f.state("G").stage(), v1::STAGE_DEPARTED_VOLUNTARY);
}

// The holder's final rejection is retracted while the co-guardian's stands:
// the retraction cancels the holder's relocation task and the co-guardian
// takes it over in the same write, so the household has exactly one, whose
// title names every member who moves (CG, the former holder's child alone,
// included).
TEST(CoGuardianTest, ATakeOverWhenARetractionTakesBackTheHoldersDecision) {
  HouseholdFixture f;
  ASSERT_NO_FATAL_FAILURE(RegisterFamilyWithAChildOfGAlone(f));
  RP_ASSERT_OK(f.FinalRejection("G", kFinal));
  RP_ASSERT_OK(f.FinalRejection("G2", kFinal));
  const std::vector<v1::PathwayTask> held = f.Tasks("G", kTaskRelocation);
  ASSERT_EQ(held.size(), 1u);
  ASSERT_TRUE(f.Tasks("G2", kTaskRelocation).empty());
  uint64_t wrong = 0;
  for (const v1::EventEnvelope& e : f.log("G")) {
    if (e.payload().Is<v1::FinalRejection>()) wrong = e.position();
  }

  v1::EventRetracted retracted;
  retracted.set_retracted_position(wrong);
  retracted.set_reason("recorded on the wrong person");
  RP_ASSERT_OK(f.RecordOn("G", kFinal + 2, retracted));
  const v1::EventEnvelope& retraction = f.log("G").back();
  ASSERT_TRUE(retraction.payload().Is<v1::EventRetracted>());

  EXPECT_TRUE(f.Tasks("G", kTaskRelocation).empty());
  const std::vector<v1::PathwayTask> relocation =
      HouseholdTasks(f, kTaskRelocation);
  ASSERT_EQ(relocation.size(), 1u);
  ASSERT_EQ(f.Tasks("G2", kTaskRelocation).size(), 1u);
  EXPECT_THAT(relocation[0].title(),
              HasSubstr("Relocate household H-1: G, G2, C8, CG from Oslo-1"));
  // The cancellation names the retraction ...
  const auto history = f.history("G");
  EXPECT_THAT(absl::StrJoin(history.rbegin()->moved(), "\n"),
              HasSubstr(absl::StrCat("task relocation ", held[0].key(),
                                     " cancelled: the retraction at version")));
  // ... and the co-guardian's taking over is caused by it.
  const v1::EventEnvelope& taken = f.log("G2").back();
  ASSERT_TRUE(taken.payload().Is<v1::HouseholdTasksShared>());
  EXPECT_EQ(taken.caused_by_stream_id(), "G");
  EXPECT_EQ(taken.caused_by_position(), retraction.position());
  EXPECT_EQ(FireTimersOfKind(f, "G2", kTimerHouseholdShare), 1);
  EXPECT_EQ(HouseholdTasks(f, kTaskRelocation).size(), 1u);
  EXPECT_TRUE(CoGuardianHolds(f.state("G"), kTaskRelocation, ""));

  RP_ASSERT_OK(f.CompleteTask("G2", relocation[0].id(), "relocated"));
  for (const char* person : {"G", "G2", "C8", "CG"}) {
    EXPECT_TRUE(f.state(person).residence().at_return_centre()) << person;
  }
}

TEST(CoGuardianTest, HouseholdTaskEventsCannotBeRecordedByACaller) {
  HouseholdFixture f;
  RP_ASSERT_OK(f.Register(kRegistered, Guardian("G")));
  RP_ASSERT_OK(f.Register(kRegistered, Guardian("G2")));
  RP_ASSERT_OK(
      f.Register(kRegistered, Child("C8", CivilDay(2018, 2, 1), {"G", "G2"})));
  v1::HouseholdTasksShared shared;
  shared.set_holder_id("G");
  shared.mutable_relocated_to()->set_reception_centre("Retur-1");
  EXPECT_THAT(f.RecordOn("G2", kFinal, shared).message(),
              HasSubstr("only with the holding guardian's own event"));
  EXPECT_FALSE(f.state("G2").residence().at_return_centre());
}

// A child registered after the guardian's decisions follows them at once,
// caused by the guardian's catch-up timer, as if registered before.
TEST(LateChildTest, AChildWhoJoinsLateCatchesUpWithTheGuardian) {
  HouseholdFixture f;
  RP_ASSERT_OK(f.Register(kRegistered, Guardian("G")));
  RP_ASSERT_OK(
      f.Register(kRegistered, Child("EARLY", CivilDay(2012, 1, 10), {"G"})));
  RP_ASSERT_OK(f.FirstRejection("G", kRegistered + 7));
  v1::AppealLodged appeal;  // the final rejection is the decision on it
  appeal.set_deferred_implementation(true);
  RP_ASSERT_OK(f.RecordOn("G", kRegistered + 10, appeal));
  RP_ASSERT_OK(f.FinalRejection("G", kFinal));
  v1::RelocationCompleted moved;
  moved.set_return_centre("Retur-1");
  RP_ASSERT_OK(f.RecordOn("G", kFinal + 3, moved));
  ASSERT_TRUE(f.state("EARLY").residence().at_return_centre());

  RP_ASSERT_OK(f.Register(kFinal + 5, [] {
    HouseholdPerson late = Child("LATE", CivilDay(2012, 1, 10), {"G"});
    late.centre = "Retur-1";
    return late;
  }()));
  const std::string timer = "household-catch-up-LATE";
  ASSERT_NE(f.state("G").armed_timers_size(), 0);
  RP_ASSERT_OK(f.FireTimer("G", timer));
  const v1::EventEnvelope& fired = f.log("G").back();
  EXPECT_THAT(Follows(f, "LATE"),
              ElementsAre(v1::FOLLOWED_DECISION_FIRST_REJECTION,
                          v1::FOLLOWED_DECISION_FINAL_REJECTION,
                          v1::FOLLOWED_DECISION_RELOCATION));
  for (const v1::EventEnvelope& e : f.log("LATE")) {
    if (!e.payload().Is<v1::GuardianDecisionFollowed>()) continue;
    EXPECT_EQ(e.caused_by_stream_id(), "G");
    EXPECT_EQ(e.caused_by_position(), fired.position());
  }
  // The late child's pathway is the early one's: stage, decisions,
  // deadlines, residence and one age-adapted information task.
  const v1::PathwayState& late = f.state("LATE");
  const v1::PathwayState& early = f.state("EARLY");
  EXPECT_EQ(late.stage(), early.stage());
  EXPECT_EQ(late.stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(DateText(late.final_rejection().notified_on()), "2026-04-01");
  EXPECT_EQ(DateText(late.departure_deadline().date()),
            DateText(early.departure_deadline().date()));
  EXPECT_EQ(DateText(late.appeal_window().date()),
            DateText(early.appeal_window().date()));
  EXPECT_EQ(late.residence().SerializeAsString(),
            early.residence().SerializeAsString());
  EXPECT_EQ(f.Tasks("LATE", kTaskChildInformation).size(), 1u);
  // The child's own history folds to its state.
  absl::StatusOr<std::vector<Applied>> folded =
      FoldLog(f.log("LATE"), ShippedPolicies());
  ASSERT_TRUE(folded.ok()) << folded.status();
  EXPECT_EQ(folded->back().state.SerializeAsString(), late.SerializeAsString());

  // A child who joined before the guardian's decision follows it once.
  HouseholdFixture quiet;
  RP_ASSERT_OK(quiet.Register(kRegistered, Guardian("G")));
  RP_ASSERT_OK(
      quiet.Register(kRegistered, Child("C", CivilDay(2012, 1, 10), {"G"})));
  RP_ASSERT_OK(quiet.FinalRejection("G", kFinal));
  // The catch-up, due when the child joined, fired before the decision (an
  // overdue timer fires first) with nothing to send: the decision is followed
  // once, and the engine's late firing finds no timer.
  EXPECT_EQ(quiet.FireTimer("G", "household-catch-up-C").code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(Follows(quiet, "C"),
              ElementsAre(v1::FOLLOWED_DECISION_FINAL_REJECTION));
  EXPECT_EQ(quiet.state("C").stage(), v1::STAGE_FINAL_REJECTION);
}

// Counts what the person's history adds to the statistics, by category and
// Oslo month ("final_rejection 2026-04"), as the engine does.
void CountStatistics(const HouseholdFixture& f, const std::string& person,
                     std::map<std::string, int>* counts) {
  ReturnPathwayWorkflow workflow(ShippedPolicies());
  absl::StatusOr<std::vector<Applied>> folded =
      FoldLog(f.log(person), ShippedPolicies());
  ASSERT_TRUE(folded.ok()) << folded.status();
  std::string before;
  for (size_t i = 0; i < folded->size(); ++i) {
    const std::string& after = (*folded)[i].transition.next_state;
    const v1::EventEnvelope& event = f.log(person)[i];
    for (const auto& key :
         workflow.Classify(before, after, event, f.Lookup())) {
      const absl::Time at =
          key.effective.value_or(FromTimestamp(event.effective_time()));
      (*counts)[absl::StrCat(key.category, " ", OsloDay(at).substr(0, 7))] +=
          key.delta;
    }
    before = after;
  }
}

absl::Time Oslo(int y, int m, int d, int hh, int mm) {
  absl::TimeZone oslo;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Oslo", &oslo));
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), oslo);
}

// A child's followed final rejection and departure count like anyone's, in
// the Oslo month (summer and winter time), once per child however many
// guardians it follows; a child whose own pathway ended counts no departure.
TEST(HouseholdStatisticsTest, ChildrenCountLikeAnyPersonByOsloMonth) {
  HouseholdFixture f;
  RP_ASSERT_OK(f.Register(kRegistered, Guardian("G")));
  RP_ASSERT_OK(f.Register(kRegistered, Guardian("G2")));
  RP_ASSERT_OK(f.Register(kRegistered,
                          Child("C14", CivilDay(2012, 1, 10), {"G", "G2"})));
  RP_ASSERT_OK(
      f.Register(kRegistered, Child("C8", CivilDay(2018, 2, 1), {"G"})));
  // 00:30 on 1 April in Oslo (summer time) is still March in UTC.
  for (const char* g : {"G", "G2"}) {
    v1::FinalRejection rejected;
    *rejected.mutable_notified_on() = ToDate(kFinal);
    RP_ASSERT_OK(f.Record(g, rejected, Oslo(2026, 4, 1, 0, 30)));
  }
  RP_ASSERT_OK(
      f.RecordOn("C8", CivilDay(2026, 5, 4), v1::ResidencePermitGranted()));
  v1::IomApplicationSubmitted iom;
  iom.set_programme(v1::IOM_PROGRAMME_VARP);
  RP_ASSERT_OK(f.RecordOn("G", CivilDay(2026, 5, 5), iom));
  v1::Departed departed;
  departed.set_kind(v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY);
  // 00:30 on 1 November in Oslo (winter time) is still October in UTC.
  RP_ASSERT_OK(f.Record("G", departed, Oslo(2026, 11, 1, 0, 30)));

  std::map<std::string, int> counts;
  for (const char* person : {"G", "G2", "C14", "C8"}) {
    CountStatistics(f, person, &counts);
  }
  EXPECT_EQ(counts["final_rejection 2026-04"], 4);  // G, G2, C14, C8
  EXPECT_EQ(counts["final_rejection 2026-03"], 0);
  EXPECT_EQ(counts["assisted_return 2026-11"], 2);  // G and C14, not C8
  EXPECT_EQ(counts["assisted_return 2026-10"], 0);
  EXPECT_EQ(counts["permit_granted 2026-05"], 1);
}

}  // namespace
}  // namespace returnpath::return_pathway
