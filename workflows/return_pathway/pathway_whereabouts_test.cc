// A disappeared person's tasks: the ones that need the person (return
// conversation, a child's information) are paused while their whereabouts
// are unknown, never escalated meanwhile, and resume on reappearance with
// the days they had left; the police search task closes.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/pathway_fixture.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using absl::CivilDay;

const returnpath::engine::TaskSpec* Spec(
    const std::vector<returnpath::engine::TaskSpec>& specs,
    const std::string& id) {
  for (const auto& spec : specs) {
    if (spec.id == id) return &spec;
  }
  return nullptr;
}

int EscalationsOf(const PathwayFixture& f, const std::string& key) {
  int n = 0;
  for (const v1::PathwayTask& t : f.state().open_tasks()) {
    if (t.parent_key() == key) ++n;
  }
  return n;
}

// Registered on 2026-01-05, final rejection notified 2026-03-02 (position
// 2): a return conversation due by 2026-03-05, a relocation task.
class WhereaboutsTest : public ::testing::Test {
 protected:
  void FinallyRejected() {
    RP_ASSERT_OK(f_.Register(CivilDay(2026, 1, 5)));
    RP_ASSERT_OK(f_.FinalRejection(CivilDay(2026, 3, 2)));
    ASSERT_NE(f_.TaskByKey("conversation-v2"), nullptr);
    ASSERT_EQ(LastDay(f_.TaskByKey("conversation-v2")->due()), "2026-03-05");
    ASSERT_TRUE(f_.Armed("escalate-conversation-v2"));
  }
  PathwayFixture f_;
};

TEST_F(WhereaboutsTest, TheConversationPausesAndResumesWithTheDaysItHadLeft) {
  FinallyRejected();
  RP_ASSERT_OK(f_.Disappear(CivilDay(2026, 3, 3)));
  const v1::PathwayTask* conversation = f_.TaskByKey("conversation-v2");
  ASSERT_NE(conversation, nullptr);
  EXPECT_TRUE(conversation->has_paused_at());
  EXPECT_EQ(OsloDay(conversation->paused_at()), "2026-03-03");
  EXPECT_EQ(LastDay(conversation->due()), "2026-03-05");  // kept while paused
  EXPECT_TRUE(f_.Cancelled("escalate-conversation-v2"));
  const auto* paused = Spec(f_.last().tasks_to_update, "conversation-v2");
  ASSERT_NE(paused, nullptr);
  ASSERT_TRUE(paused->paused_since.has_value());
  EXPECT_EQ(OsloDay(*paused->paused_since), "2026-03-03");
  // The relocation needs no conversation with the person: it is not paused.
  ASSERT_NE(f_.TaskByKey("relocate-v2"), nullptr);
  EXPECT_FALSE(f_.TaskByKey("relocate-v2")->has_paused_at());
  EXPECT_EQ(Spec(f_.last().tasks_to_update, "relocate-v2"), nullptr);

  // Its old due date passes while the person is away: nothing escalates it.
  RP_ASSERT_OK(f_.FireDueTimers(At(CivilDay(2026, 3, 15))));
  EXPECT_EQ(EscalationsOf(f_, "conversation-v2"), 0);
  ASSERT_NE(f_.TaskByKey("conversation-v2"), nullptr);
  EXPECT_TRUE(f_.TaskByKey("conversation-v2")->has_paused_at());

  // Back 17 days later, with the 3 days it had left (03-03 to 03-05): due
  // by 2026-03-22.
  RP_ASSERT_OK(f_.Reappear(CivilDay(2026, 3, 20)));
  EXPECT_TRUE(f_.Closed("disappeared-v3"));
  conversation = f_.TaskByKey("conversation-v2");
  ASSERT_NE(conversation, nullptr);
  EXPECT_FALSE(conversation->has_paused_at());
  EXPECT_EQ(LastDay(conversation->due()), "2026-03-22");
  EXPECT_THAT(conversation->title(), ::testing::EndsWith("; due 2026-03-22"));
  const auto* resumed = Spec(f_.last().tasks_to_update, "conversation-v2");
  ASSERT_NE(resumed, nullptr);
  EXPECT_FALSE(resumed->paused_since.has_value());
  EXPECT_EQ(LastDay(resumed->due), "2026-03-22");
  ASSERT_NE(f_.Timer("escalate-conversation-v2"), nullptr);
  EXPECT_EQ(LastDay(f_.Timer("escalate-conversation-v2")->due()), "2026-03-22");
  EXPECT_FALSE(f_.Closed("conversation-v2"));

  // Overdue on its new date, it escalates as before.
  RP_ASSERT_OK(f_.FireTimer("escalate-conversation-v2"));
  EXPECT_EQ(EscalationsOf(f_, "conversation-v2"), 1);
  ExpectFoldFromNothingGivesTheState(f_.state(), f_.Lookup(),
                                     "paused and resumed");
}

// An escalation already open about the conversation pauses with it; on
// return both resume, and the conversation is not escalated a second time.
TEST_F(WhereaboutsTest, AnEscalatedConversationPausesWithItsEscalation) {
  FinallyRejected();
  RP_ASSERT_OK(f_.FireTimer("escalate-conversation-v2"));
  ASSERT_EQ(EscalationsOf(f_, "conversation-v2"), 1);
  RP_ASSERT_OK(f_.Disappear(CivilDay(2026, 3, 12)));
  for (const v1::PathwayTask& t : f_.state().open_tasks()) {
    const bool needs_person =
        t.key() == "conversation-v2" || t.parent_key() == "conversation-v2";
    EXPECT_EQ(t.has_paused_at(), needs_person) << t.key();
  }
  RP_ASSERT_OK(f_.Reappear(CivilDay(2026, 3, 14)));
  // Overdue when paused and as overdue on return: the 2 days away are added
  // to its due date.
  EXPECT_EQ(LastDay(f_.TaskByKey("conversation-v2")->due()), "2026-03-07");
  for (const v1::PathwayTask& t : f_.state().open_tasks()) {
    EXPECT_FALSE(t.has_paused_at()) << t.key();
  }
  EXPECT_FALSE(f_.Armed("escalate-conversation-v2"));
  EXPECT_EQ(EscalationsOf(f_, "conversation-v2"), 1);
  ExpectFoldFromNothingGivesTheState(f_.state(), f_.Lookup(),
                                     "escalated, paused");
}

// A conversation the pathway asks for while the person is away opens paused
// and counts its days from the return.
TEST_F(WhereaboutsTest, ATaskOpenedWhileAwayOpensPaused) {
  RP_ASSERT_OK(f_.Register(CivilDay(2026, 1, 5)));
  RP_ASSERT_OK(f_.Disappear(CivilDay(2026, 2, 1)));
  RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
  const v1::PathwayTask* conversation = f_.TaskOfKind("return_conversation");
  ASSERT_NE(conversation, nullptr);
  const std::string key = conversation->key();
  EXPECT_TRUE(conversation->has_paused_at());
  EXPECT_FALSE(f_.Armed(absl::StrCat("escalate-", key)));
  const auto* opened = Spec(f_.last().tasks_to_open, key);
  ASSERT_NE(opened, nullptr);
  EXPECT_TRUE(opened->paused_since.has_value());
  RP_ASSERT_OK(f_.Reappear(CivilDay(2026, 2, 20)));
  // Due 7 days after the notification; back 11 days later.
  EXPECT_EQ(LastDay(f_.TaskByKey(key)->due()), "2026-02-27");
  EXPECT_TRUE(f_.Armed(absl::StrCat("escalate-", key)));
  ExpectFoldFromNothingGivesTheState(f_.state(), f_.Lookup(),
                                     "opened while away");
}

// Recorded late, a disappearance before the conversation's due date still
// pauses it from that day: the refold gives the same days left.
TEST_F(WhereaboutsTest, ADisappearanceRecordedLatePausesFromItsOwnDay) {
  FinallyRejected();
  v1::QualificationCourseEnrolled course;
  course.set_course_id("norsk-1");
  RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 4), course));
  RP_ASSERT_OK(f_.Record(v1::Disappeared(), At(CivilDay(2026, 3, 3)),
                         At(CivilDay(2026, 3, 8))));
  ASSERT_NE(f_.TaskByKey("conversation-v2"), nullptr);
  EXPECT_TRUE(f_.TaskByKey("conversation-v2")->has_paused_at());
  EXPECT_EQ(OsloDay(f_.TaskByKey("conversation-v2")->paused_at()),
            "2026-03-03");
  RP_ASSERT_OK(f_.Reappear(CivilDay(2026, 3, 10)));
  EXPECT_EQ(LastDay(f_.TaskByKey("conversation-v2")->due()), "2026-03-12");
  ExpectFoldFromNothingGivesTheState(f_.state(), f_.Lookup(),
                                     "late disappearance");
}

}  // namespace
}  // namespace returnpath::return_pathway
