// A correction or retraction on a guardian reaches the children who followed
// the corrected fact: each child's state becomes what it would have been had
// the corrected fact been recorded on time (domain.md, "Households").

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/household.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/household_fixture.h"
#include "workflows/return_pathway/return_pathway_workflow.h"
#include "workflows/return_pathway/step.h"
#include "workflows/return_pathway/task_kinds.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using absl::CivilDay;
using ::testing::HasSubstr;

constexpr CivilDay kRegistered(2026, 3, 2);
constexpr CivilDay kRecorded(2026, 4, 1);
constexpr CivilDay kRight(2026, 3, 25);  // the right notification day

// G guards C14 (14) and C8 (8).
void RegisterFamily(HouseholdFixture& f) {
  HouseholdPerson guardian;
  guardian.id = "G";
  RP_ASSERT_OK(f.Register(kRegistered, guardian));
  for (const auto& [id, born] :
       {std::pair<std::string, CivilDay>{"C14", CivilDay(2012, 1, 10)},
        std::pair<std::string, CivilDay>{"C8", CivilDay(2018, 2, 1)}}) {
    HouseholdPerson child;
    child.id = id;
    child.born = born;
    child.role = v1::HOUSEHOLD_ROLE_CHILD;
    child.guardians = {"G"};
    RP_ASSERT_OK(f.Register(kRegistered, child));
  }
}

// What a caseworker sees of a pathway: stage, decisions, deadlines,
// residence, open tasks (kind and due) and armed timers.
std::string Pathway(const v1::PathwayState& s) {
  std::vector<std::string> parts = {
      StageName(s.stage()),
      absl::StrCat("final ", DateText(s.final_rejection().notified_on()),
                   " basis ", s.final_rejection().basis()),
      absl::StrCat("deadline ", DateText(s.departure_deadline().date()),
                   s.departure_deadline().expired() ? " expired" : "",
                   s.departure_deadline().suspended() ? " suspended" : ""),
      absl::StrCat("appeal window ", DateText(s.appeal_window().date())),
      absl::StrCat("centre ", s.residence().reception_centre(),
                   s.residence().at_return_centre() ? " (return)" : "")};
  for (const v1::PathwayTask& t : s.open_tasks()) {
    parts.push_back(absl::StrCat("task ", t.kind(), " due ", LastDay(t.due())));
  }
  for (const v1::PathwayTimer& t : s.armed_timers()) {
    parts.push_back(absl::StrCat("timer ", t.kind(), " ", LastDay(t.due())));
  }
  return absl::StrJoin(parts, "; ");
}

const v1::EventEnvelope* LastOfType(const HouseholdFixture& f,
                                    const std::string& person,
                                    const google::protobuf::Descriptor* type) {
  const v1::EventEnvelope* out = nullptr;
  for (const v1::EventEnvelope& e : f.log(person)) {
    if (e.payload().type_url().ends_with(type->full_name())) out = &e;
  }
  return out;
}

// The guardian's final rejection, recorded with the wrong day, is corrected:
// the children follow the corrected day as if it had been recorded on time.
TEST(HouseholdCorrectionTest, ACorrectedFinalRejectionReachesTheChildren) {
  HouseholdFixture on_time;
  RegisterFamily(on_time);
  RP_ASSERT_OK(on_time.FinalRejection("G", kRight));

  HouseholdFixture f;
  RegisterFamily(f);
  RP_ASSERT_OK(f.FinalRejection("G", kRecorded));
  const uint64_t wrong = f.log("G").back().position();
  ASSERT_EQ(DateText(f.state("C14").final_rejection().notified_on()),
            "2026-04-01");
  v1::FinalRejection right;
  *right.mutable_notified_on() = ToDate(kRight);
  v1::EventCorrected corrected;
  corrected.set_corrected_position(wrong);
  corrected.mutable_replacement()->PackFrom(right);
  *corrected.mutable_effective_time() = ToTimestamp(At(kRight));
  corrected.set_reason("the decision was notified on 25 March");
  RP_ASSERT_OK(f.RecordOn("G", kRecorded + 1, corrected));
  const v1::EventEnvelope& correction = f.log("G").back();

  for (const std::string child : {"C14", "C8"}) {
    const v1::EventEnvelope* told =
        LastOfType(f, child, v1::GuardianFollowsCorrected::descriptor());
    ASSERT_NE(told, nullptr) << child;
    EXPECT_EQ(told->caused_by_stream_id(), "G");
    EXPECT_EQ(told->caused_by_position(), correction.position());
    EXPECT_EQ(Pathway(f.state(child)), Pathway(on_time.state(child))) << child;
    EXPECT_EQ(DateText(f.state(child).final_rejection().notified_on()),
              "2026-03-25");
  }
  EXPECT_EQ(Pathway(f.state("G")), Pathway(on_time.state("G")));
  // The child's history alone folds to its state.
  absl::StatusOr<std::vector<Applied>> folded =
      FoldLog(f.log("C14"), ShippedPolicies());
  ASSERT_TRUE(folded.ok()) << folded.status();
  EXPECT_EQ(folded->back().state.SerializeAsString(),
            f.state("C14").SerializeAsString());
  // And says what moved, because of which event.
  const auto history = f.history("C14");
  const v1::HistoryEntry& entry = *history.rbegin();
  EXPECT_THAT(absl::StrJoin(entry.moved(), "\n"),
              HasSubstr("correction of a guardian's decisions"));
}

// A retracted final rejection, and the expiry that followed it, are taken
// back from the children, and from the statistics.
TEST(HouseholdCorrectionTest,
     ARetractedFinalRejectionIsTakenBackFromTheChildren) {
  HouseholdFixture never;
  RegisterFamily(never);

  HouseholdFixture f;
  RegisterFamily(f);
  RP_ASSERT_OK(f.FinalRejection("G", kRecorded));
  const uint64_t wrong = f.log("G").back().position();
  std::string deadline_timer;
  for (const v1::PathwayTimer& t : f.state("G").armed_timers()) {
    if (t.kind() == kTimerDepartureDeadline) deadline_timer = t.id();
  }
  RP_ASSERT_OK(f.FireTimer("G", deadline_timer));
  ASSERT_EQ(f.state("C8").stage(), v1::STAGE_OVERSTAYED);
  ASSERT_EQ(f.Tasks("C14", kTaskChildInformation).size(), 1u);

  v1::EventRetracted retracted;
  retracted.set_retracted_position(wrong);
  retracted.set_reason("recorded on the wrong person");
  const std::string before_c14 = f.state("C14").SerializeAsString();
  RP_ASSERT_OK(f.RecordOn("G", kRecorded + 30, retracted));
  for (const std::string child : {"C14", "C8"}) {
    EXPECT_EQ(f.state(child).stage(), v1::STAGE_ASYLUM_PENDING) << child;
    EXPECT_EQ(Pathway(f.state(child)), Pathway(never.state(child))) << child;
  }
  EXPECT_TRUE(f.Tasks("C14", kTaskChildInformation).empty());

  // The statistics take the child's final rejection back, in its month.
  ReturnPathwayWorkflow workflow(ShippedPolicies());
  int final_rejections = 0;
  for (const auto& key :
       workflow.Classify(before_c14, f.state("C14").SerializeAsString(),
                         f.log("C14").back(), f.Lookup())) {
    if (key.category == "final_rejection") {
      final_rejections += key.delta;
      EXPECT_EQ(OsloDay(*key.effective), "2026-04-01");
    }
  }
  EXPECT_EQ(final_rejections, -1);
}

// G is rejected (first rejection, a deferred appeal, and the final
// rejection notified on `final_day`); then LATE (14) joins at kRecorded + 5
// and catches up through G's timer.
void LateChildCaughtUp(HouseholdFixture& f, CivilDay final_day) {
  RP_ASSERT_OK(f.Register(kRegistered, Guardian("G")));
  RP_ASSERT_OK(f.FirstRejection("G", kRegistered + 7));
  v1::AppealLodged appeal;
  appeal.set_deferred_implementation(true);
  RP_ASSERT_OK(f.RecordOn("G", kRegistered + 10, appeal));
  RP_ASSERT_OK(f.FinalRejection("G", final_day));
  RP_ASSERT_OK(
      f.Register(kRecorded + 5, Child("LATE", CivilDay(2012, 1, 10), {"G"})));
  RP_ASSERT_OK(f.FireTimer("G", "household-catch-up-LATE"));
  ASSERT_EQ(f.state("LATE").stage(), v1::STAGE_FINAL_REJECTION);
}

// The child's history before `n` more events is the start of it after: a
// correction appends, it never reorders.
void ExpectHistoryOnlyGrew(const std::vector<v1::EventEnvelope>& before,
                           const std::vector<v1::EventEnvelope>& after) {
  ASSERT_GT(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].SerializeAsString(), before[i].SerializeAsString()) << i;
  }
}

// A child who caught up when it joined follows a correction of a decision
// the guardian took before it joined: its deadlines and tasks are those it
// would have had had it caught up with the corrected history.
TEST(HouseholdCorrectionTest, ACorrectionBeforeALateChildJoinedReachesIt) {
  HouseholdFixture on_time;
  LateChildCaughtUp(on_time, kRight);

  HouseholdFixture f;
  LateChildCaughtUp(f, kRecorded);
  uint64_t wrong = 0;
  for (const v1::EventEnvelope& e : f.log("G")) {
    if (e.payload().Is<v1::FinalRejection>()) wrong = e.position();
  }
  const std::vector<v1::EventEnvelope> before = f.log("LATE");
  v1::FinalRejection right;
  *right.mutable_notified_on() = ToDate(kRight);
  v1::EventCorrected corrected;
  corrected.set_corrected_position(wrong);
  corrected.mutable_replacement()->PackFrom(right);
  *corrected.mutable_effective_time() = ToTimestamp(At(kRight));
  corrected.set_reason("the decision was notified on 25 March");
  RP_ASSERT_OK(f.RecordOn("G", kRecorded + 6, corrected));

  const v1::PathwayState& late = f.state("LATE");
  EXPECT_EQ(DateText(late.final_rejection().notified_on()), "2026-03-25");
  EXPECT_EQ(DateText(late.departure_deadline().date()),
            DateText(on_time.state("LATE").departure_deadline().date()));
  EXPECT_EQ(Pathway(late), Pathway(on_time.state("LATE")));
  const v1::EventEnvelope& told = f.log("LATE").back();
  EXPECT_EQ(told.caused_by_position(), f.log("G").back().position());
  // It corrects only what the child followed: the catch-up's follows, not
  // the guardian's decision from before the child joined.
  std::set<uint64_t> followed;
  for (const v1::EventEnvelope& e : before) {
    v1::GuardianDecisionFollowed follow;
    if (e.payload().UnpackTo(&follow)) {
      followed.insert(follow.guardian_position());
    }
  }
  v1::GuardianFollowsCorrected correction;
  ASSERT_TRUE(told.payload().UnpackTo(&correction));
  ASSERT_GT(correction.corrections_size(), 0);
  for (const v1::FollowCorrection& c : correction.corrections()) {
    EXPECT_TRUE(followed.contains(c.guardian_position()))
        << c.guardian_position();
  }
  ExpectHistoryOnlyGrew(before, f.log("LATE"));
  absl::StatusOr<std::vector<Applied>> folded =
      FoldLog(f.log("LATE"), ShippedPolicies());
  ASSERT_TRUE(folded.ok()) << folded.status();
  EXPECT_EQ(folded->back().state.SerializeAsString(), late.SerializeAsString());
}

// A final rejection retracted after a late child caught up with it is no
// longer followed: the child is where it would be had it caught up without
// it, and its age-adapted information task is cancelled naming the event.
TEST(HouseholdCorrectionTest, ARetractionBeforeALateChildJoinedReachesIt) {
  HouseholdFixture never;
  RP_ASSERT_OK(never.Register(kRegistered, Guardian("G")));
  RP_ASSERT_OK(never.FirstRejection("G", kRegistered + 7));
  v1::AppealLodged appeal;
  appeal.set_deferred_implementation(true);
  RP_ASSERT_OK(never.RecordOn("G", kRegistered + 10, appeal));
  RP_ASSERT_OK(never.Register(kRecorded + 5,
                              Child("LATE", CivilDay(2012, 1, 10), {"G"})));
  RP_ASSERT_OK(never.FireTimer("G", "household-catch-up-LATE"));

  HouseholdFixture f;
  LateChildCaughtUp(f, kRecorded);
  uint64_t wrong = 0;
  for (const v1::EventEnvelope& e : f.log("G")) {
    if (e.payload().Is<v1::FinalRejection>()) wrong = e.position();
  }
  const std::vector<v1::PathwayTask> info =
      f.Tasks("LATE", kTaskChildInformation);
  ASSERT_EQ(info.size(), 1u);
  const std::vector<v1::EventEnvelope> before = f.log("LATE");
  v1::EventRetracted retracted;
  retracted.set_retracted_position(wrong);
  retracted.set_reason("recorded on the wrong person");
  RP_ASSERT_OK(f.RecordOn("G", kRecorded + 6, retracted));

  EXPECT_EQ(f.state("LATE").stage(), v1::STAGE_FIRST_REJECTION);
  EXPECT_EQ(Pathway(f.state("LATE")), Pathway(never.state("LATE")));
  EXPECT_TRUE(f.Tasks("LATE", kTaskChildInformation).empty());
  const auto history = f.history("LATE");
  const v1::HistoryEntry& entry = *history.rbegin();
  EXPECT_THAT(absl::StrJoin(entry.moved(), "\n"),
              HasSubstr(absl::StrCat("task child information ", info[0].key(),
                                     " cancelled: ")));
  EXPECT_THAT(absl::StrJoin(entry.moved(), "\n"),
              HasSubstr("correction of a guardian's decisions"));
  ExpectHistoryOnlyGrew(before, f.log("LATE"));
}

TEST(HouseholdCorrectionTest, ACallerCannotCorrectWhatAChildFollowed) {
  HouseholdFixture f;
  RegisterFamily(f);
  RP_ASSERT_OK(f.FinalRejection("G", kRecorded));
  v1::GuardianFollowsCorrected forged;
  forged.set_guardian_id("G");
  forged.add_corrections()->set_retracted(true);
  EXPECT_THAT(f.RecordOn("C8", kRecorded + 1, forged).message(),
              HasSubstr("only with the guardian's correction"));
  EXPECT_EQ(f.state("C8").stage(), v1::STAGE_FINAL_REJECTION);
}

}  // namespace
}  // namespace returnpath::return_pathway
