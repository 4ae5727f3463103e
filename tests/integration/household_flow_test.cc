// A household end to end through the real daemon: a guardian's final
// rejection reaches the children in the same write, in their own histories;
// the family has one relocation task and moves together; one age-adapted
// information task, for the child aged 12 to 17.

#include <map>
#include <string>
#include <vector>

#include "clients/lib/time_text.h"
#include "gmock/gmock.h"
#include "returnpath/v1/household.pb.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

// Reception works the reception queue and follows the family to the
// return centre: the national team's principals.
class HouseholdTest : public IntegrationTest {
 protected:
  DaemonOptions Options() const override { return NationalTeam(); }

  absl::Status RegisterMember(const std::string& id, const std::string& born,
                              const std::string& role,
                              const std::string& guardian = "",
                              bool own_case = false) {
    client::EventArgs args = {{"person", id},       {"household", "H-1"},
                              {"born", born},       {"nationality", "AF"},
                              {"centre", "Oslo-1"}, {"region", "oslo"},
                              {"role", role}};
    if (!guardian.empty()) args.Add("guardian", guardian);
    if (own_case) args.Add("own-case", "true");
    return Record(id, "register", args).status();
  }

  // The last event of `person`'s history, which must exist.
  v1::EventEnvelope Last(const std::string& person) {
    absl::StatusOr<std::vector<v1::EventEnvelope>> history = History(person);
    EXPECT_TRUE(history.ok() && !history->empty()) << person;
    return history.ok() && !history->empty() ? history->back()
                                             : v1::EventEnvelope();
  }

  std::vector<v1::Task> Open(const std::string& person,
                             const std::string& kind) {
    absl::StatusOr<v1::PathwayView> view = View(person);
    EXPECT_TRUE(view.ok()) << view.status();
    return view.ok() ? TasksOfKind(*view, kind) : std::vector<v1::Task>{};
  }

  // Desk 1 at Oslo-1 takes the household's relocation task `task_id`, held by
  // `holder`, from the queue and completes it as relocated.
  absl::Status TakeAndCompleteRelocation(const std::string& holder,
                                         const std::string& task_id) {
    v1::PollTasksRequest poll;
    poll.set_queue("reception/Oslo-1");
    poll.set_worker("desk-1");
    absl::StatusOr<v1::PollTasksResponse> got = As("reception").Poll(poll);
    if (!got.ok()) return got.status();
    EXPECT_EQ(got->task().id(), task_id);
    v1::CompleteTaskRequest complete;
    complete.mutable_task()->set_person_id(holder);
    complete.mutable_task()->set_task_id(task_id);
    complete.mutable_task()->set_worker("desk-1");
    complete.set_outcome("relocated");
    return StatusOf(As("reception").Complete(complete));
  }
};

TEST_F(HouseholdTest, ChildrenFollowTheGuardianAndTheFamilyMovesTogether) {
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T08:00:00Z")));
  RP_ASSERT_OK(RegisterMember("G-1", "1985-01-01", "guardian"));
  RP_ASSERT_OK(RegisterMember("C-14", "2012-01-10", "child", "G-1"));
  RP_ASSERT_OK(RegisterMember("C-8", "2018-02-01", "child", "G-1"));
  RP_ASSERT_OK(RegisterMember("C-OWN", "2010-05-05", "child", "G-1", true));
  absl::StatusOr<v1::PathwayState> guardian = State("G-1");
  RP_ASSERT_OK(guardian);
  EXPECT_EQ(guardian->household_size(), 3);

  absl::StatusOr<v1::RecordEventResponse> rejected =
      Record("G-1", "final-rejection", {{"notified", "2026-03-02"}});
  RP_ASSERT_OK(rejected);

  // Each child without a case of their own: the final rejection in their own
  // history, caused by the guardian's event, written with it.
  for (const std::string child : {"C-14", "C-8"}) {
    const v1::EventEnvelope followed = Last(child);
    EXPECT_EQ(PayloadType(followed), "returnpath.v1.GuardianDecisionFollowed")
        << child;
    EXPECT_EQ(followed.caused_by_stream_id(), "G-1");
    EXPECT_EQ(followed.caused_by_position(), rejected->position());
    EXPECT_EQ(followed.causation_id(),
              absl::StrCat("event:", rejected->position()));
    v1::GuardianDecisionFollowed decision;
    ASSERT_TRUE(followed.payload().UnpackTo(&decision));
    EXPECT_EQ(decision.decision(), v1::FOLLOWED_DECISION_FINAL_REJECTION);
    absl::StatusOr<v1::PathwayState> state = State(child);
    RP_ASSERT_OK(state);
    EXPECT_EQ(state->stage(), v1::STAGE_FINAL_REJECTION) << child;
    EXPECT_TRUE(Open(child, "relocation").empty()) << child;
  }
  absl::StatusOr<v1::PathwayState> own = State("C-OWN");
  RP_ASSERT_OK(own);
  EXPECT_EQ(own->stage(), v1::STAGE_ASYLUM_PENDING);
  EXPECT_EQ(PayloadType(Last("C-OWN")), "returnpath.v1.PersonRegistered");

  // An auditor reading only the child's history sees why.
  ProcessResult history =
      Ctl({"--as=auditor", "audit", "history", "--person", "C-8"});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_THAT(history.out,
              HasSubstr(absl::StrCat("follows-guardian: the final rejection of "
                                     "guardian G-1; now final rejection "
                                     "(caused by G-1 event ",
                                     rejected->position(), ")")));

  // One relocation task for the household, listing every member.
  std::vector<v1::Task> relocation = Open("G-1", "relocation");
  ASSERT_EQ(relocation.size(), 1u);
  EXPECT_THAT(relocation[0].title(),
              HasSubstr("Relocate household H-1: G-1, C-14, C-8 from Oslo-1"));
  // One age-adapted information task: the 14-year-old's.
  EXPECT_EQ(Open("C-14", "child_information").size(), 1u);
  EXPECT_TRUE(Open("C-8", "child_information").empty());
  EXPECT_TRUE(Open("G-1", "child_information").empty());
  EXPECT_TRUE(Open("C-OWN", "child_information").empty());

  // Completing it relocates all of them.
  RP_ASSERT_OK(Record("G-1", "relocation-ordered", {{"to", "Retur-1"}}));
  RP_ASSERT_OK(TakeAndCompleteRelocation("G-1", relocation[0].id()));
  for (const std::string person : {"G-1", "C-14", "C-8"}) {
    absl::StatusOr<v1::PathwayState> state = State(person);
    RP_ASSERT_OK(state);
    EXPECT_TRUE(state->residence().at_return_centre()) << person;
    EXPECT_EQ(state->residence().reception_centre(), "Retur-1") << person;
  }
  own = State("C-OWN");
  RP_ASSERT_OK(own);
  EXPECT_FALSE(own->residence().at_return_centre());

  // The store stays whole: every chain verifies and replay agrees.
  ProcessResult verify = Ctl({"--as=auditor", "audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  ProcessResult replay = Ctl({"--as=auditor", "audit", "replay-check"});
  EXPECT_EQ(replay.exit_code, 0) << replay.out << replay.err;
}

// Two guardians hold one relocation task and one conversation for the
// household; a child registered after the final rejection catches up at
// once; completing the household's task moves everyone.
TEST_F(HouseholdTest, TwoGuardiansShareTheTasksAndALateChildCatchesUp) {
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T08:00:00Z")));
  RP_ASSERT_OK(RegisterMember("G-1", "1985-01-01", "guardian"));
  RP_ASSERT_OK(RegisterMember("G-2", "1986-01-01", "guardian"));
  client::EventArgs child = {{"person", "C-14"},     {"household", "H-1"},
                             {"born", "2012-01-10"}, {"nationality", "AF"},
                             {"centre", "Oslo-1"},   {"region", "oslo"},
                             {"role", "child"}};
  child.Add("guardian", "G-1");
  child.Add("guardian", "G-2");
  RP_ASSERT_OK(Record("C-14", "register", child));
  for (const char* guardian : {"G-2", "G-1"}) {
    RP_ASSERT_OK(
        Record(guardian, "final-rejection", {{"notified", "2026-03-02"}}));
  }
  // G-2's decision came first: G-2 holds the household's tasks.
  std::vector<v1::Task> relocation = Open("G-2", "relocation");
  ASSERT_EQ(relocation.size(), 1u);
  EXPECT_THAT(relocation[0].title(),
              HasSubstr("Relocate household H-1: G-1, G-2, C-14 from Oslo-1"));
  EXPECT_TRUE(Open("G-1", "relocation").empty());
  std::vector<v1::Task> talks = Open("G-2", "return_conversation");
  ASSERT_EQ(talks.size(), 1u);
  EXPECT_THAT(talks[0].title(),
              HasSubstr("household H-1 (guardians G-1, G-2)"));
  EXPECT_TRUE(Open("G-1", "return_conversation").empty());

  // A child registered now follows the final rejection at once.
  RP_ASSERT_OK(RegisterMember("C-LATE", "2018-02-01", "child", "G-1"));
  absl::StatusOr<v1::EventEnvelope> caught_up =
      WaitForEvent("C-LATE", [](const v1::EventEnvelope& e) {
        return e.payload().Is<v1::GuardianDecisionFollowed>();
      });
  RP_ASSERT_OK(caught_up);
  EXPECT_EQ(caught_up->caused_by_stream_id(), "G-1");
  absl::StatusOr<v1::PathwayState> late = State("C-LATE");
  RP_ASSERT_OK(late);
  EXPECT_EQ(late->stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(client::DateText(late->departure_deadline().date()), "2026-03-23");

  // The household's one task moves all four.
  RP_ASSERT_OK(Record("G-2", "relocation-ordered", {{"to", "Retur-1"}}));
  RP_ASSERT_OK(TakeAndCompleteRelocation("G-2", relocation[0].id()));
  for (const std::string person : {"G-1", "G-2", "C-14", "C-LATE"}) {
    absl::StatusOr<v1::PathwayState> state = State(person);
    RP_ASSERT_OK(state);
    EXPECT_TRUE(state->residence().at_return_centre()) << person;
    EXPECT_EQ(state->residence().reception_centre(), "Retur-1") << person;
  }
  ProcessResult replay = Ctl({"--as=auditor", "audit", "replay-check"});
  EXPECT_EQ(replay.exit_code, 0) << replay.out << replay.err;
}

// A corrected final rejection on the guardian reaches the child's history
// and deadline; the child's final rejection counts in the statistics, and
// moves with the correction.
TEST_F(HouseholdTest, AGuardiansCorrectionReachesTheChild) {
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T08:00:00Z")));
  RP_ASSERT_OK(RegisterMember("G-1", "1985-01-01", "guardian"));
  RP_ASSERT_OK(RegisterMember("C-8", "2018-02-01", "child", "G-1"));
  absl::StatusOr<v1::RecordEventResponse> wrong =
      Record("G-1", "final-rejection", {{"notified", "2026-03-02"}});
  RP_ASSERT_OK(wrong);
  absl::StatusOr<client::BuiltEvent> right =
      client::BuildEvent("final-rejection", {{"notified", "2026-02-27"}});
  RP_ASSERT_OK(right);
  absl::StatusOr<client::BuiltEvent> correction =
      client::BuildEvent("correction",
                         {{"position", absl::StrCat(wrong->position())},
                          {"reason", "notified on 27 February"}},
                         &*right);
  RP_ASSERT_OK(correction);
  absl::StatusOr<v1::RecordEventResponse> corrected =
      As("reception").Record("G-1", *correction);
  RP_ASSERT_OK(corrected);

  const v1::EventEnvelope told = Last("C-8");
  EXPECT_EQ(PayloadType(told), "returnpath.v1.GuardianFollowsCorrected");
  EXPECT_EQ(told.caused_by_stream_id(), "G-1");
  EXPECT_EQ(told.caused_by_position(), corrected->position());
  absl::StatusOr<v1::PathwayState> child = State("C-8");
  RP_ASSERT_OK(child);
  EXPECT_EQ(client::DateText(child->final_rejection().notified_on()),
            "2026-02-27");
  EXPECT_EQ(client::DateText(child->departure_deadline().date()), "2026-03-20");
  ProcessResult history =
      Ctl({"--as=auditor", "audit", "history", "--person", "C-8"});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_THAT(history.out, HasSubstr(absl::StrCat(
                               "guardian-corrected: guardian G-1 "
                               "corrected the final rejection of version ",
                               wrong->version(), " now final rejection")));

  absl::StatusOr<v1::StatisticsResponse> rows =
      As("auditor").Statistics(v1::StatisticsRequest());
  RP_ASSERT_OK(rows);
  // The correction dates the decision 27 February: the guardian's and the
  // child's final rejections both move to February.
  std::map<std::string, uint64_t> final_rejections;
  for (const v1::StatisticsRow& row : rows->rows()) {
    if (row.category() == "final_rejection") {
      final_rejections[row.month()] += row.count();
    }
  }
  EXPECT_EQ(final_rejections["2026-02"], 2u) << rows->DebugString();
  EXPECT_EQ(final_rejections["2026-03"], 0u) << rows->DebugString();
  ProcessResult replay = Ctl({"--as=auditor", "audit", "replay-check"});
  EXPECT_EQ(replay.exit_code, 0) << replay.out << replay.err;
}

}  // namespace
}  // namespace returnpath::integration
