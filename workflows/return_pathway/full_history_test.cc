// The state keeps the notes of its history, the log keeps the events: what
// the machine stores does not grow with what events say, and a refold reads
// the events back, or refuses.

#include "workflows/return_pathway/full_history.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/engine.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/pathway_fixture.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using absl::CivilDay;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Registered, first rejection, the appeal window expired (a derived final
// rejection), a conversation task completed, a long note.
class FullHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RP_ASSERT_OK(f_.Register(CivilDay(2026, 2, 1)));
    RP_ASSERT_OK(f_.FirstRejection(CivilDay(2026, 2, 9)));
    RP_ASSERT_OK(f_.FireTimer("appeal-window-v2"));
    RP_ASSERT_OK(f_.CompleteTask("conversation-v2"));
    v1::ReturnConversationHeld talk;
    talk.set_note(std::string(3000, 'n'));
    RP_ASSERT_OK(f_.RecordOn(CivilDay(2026, 3, 10), talk));
  }

  PathwayFixture f_;
};

TEST_F(FullHistoryTest, TheStateKeepsOnlyTheNotesOfItsHistory) {
  const v1::PathwayState& s = f_.state();
  EXPECT_EQ(s.last_version(), 5u);
  // The expiry derived the final rejection; the completion closed a task,
  // and its escalation with it; the conversation closed the next one. The
  // registration and the first rejection left no note.
  ASSERT_EQ(s.history_size(), 3) << s.DebugString();
  EXPECT_EQ(s.history(0).version(), 3u);
  EXPECT_TRUE(s.history(0).derived_final_rejection());
  EXPECT_EQ(s.history(1).version(), 4u);
  EXPECT_EQ(s.history(1).closed_task_key(), "conversation-v2");
  EXPECT_THAT(s.history(1).moved(),
              ElementsAre(HasSubstr("escalation-v3.1 closed")));
  EXPECT_EQ(s.history(2).version(), 5u);
  EXPECT_THAT(s.history(2).moved(),
              ElementsAre(HasSubstr("conversation-v3 closed")));
  for (const v1::HistoryEntry& e : s.history()) {
    EXPECT_FALSE(e.has_payload()) << e.version();
    EXPECT_FALSE(e.has_effective_time()) << e.version();
    EXPECT_TRUE(e.policy_version().empty()) << e.version();
  }
  EXPECT_LT(s.ByteSizeLong(), 3000u);  // the note is in the log only
}

TEST_F(FullHistoryTest, TheFullHistoryReadsEveryEventBackUnderItsNotes) {
  absl::StatusOr<v1::PathwayState> full =
      WithFullHistory(f_.state(), f_.Lookup(), ShippedPolicies());
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_EQ(full->history_size(), 5);
  for (int i = 0; i < 5; ++i) {
    const v1::HistoryEntry& e = full->history(i);
    const v1::EventEnvelope& logged = f_.log()[i];
    EXPECT_EQ(e.version(), logged.stream_version());
    EXPECT_EQ(e.payload().SerializeAsString(),
              logged.payload().SerializeAsString());
    EXPECT_EQ(FromTimestamp(e.effective_time()),
              FromTimestamp(logged.effective_time()));
    EXPECT_EQ(e.policy_version(), logged.policy_version());
  }
  EXPECT_TRUE(full->history(2).derived_final_rejection());
  EXPECT_EQ(full->history(3).closed_task_key(), "conversation-v2");
  // Reduced again, it is the state as stored.
  KeepHistoryNotesOnly(&*full);
  EXPECT_EQ(full->SerializeAsString(), f_.state().SerializeAsString());
}

TEST_F(FullHistoryTest, ANoteOnAnEventTheLogLacksIsDataLoss) {
  v1::PathwayState s = f_.state();
  s.mutable_history(1)->set_version(9);
  s.set_last_version(9);
  absl::StatusOr<v1::PathwayState> full =
      WithFullHistory(s, f_.Lookup(), ShippedPolicies());
  EXPECT_EQ(full.status().code(), absl::StatusCode::kNotFound) << full.status();
  s.set_last_version(5);
  full = WithFullHistory(s, f_.Lookup(), ShippedPolicies());
  EXPECT_EQ(full.status().code(), absl::StatusCode::kDataLoss) << full.status();
  EXPECT_THAT(full.status().message(), HasSubstr("version 9"));
}

// A refold whose events cannot be read is refused: it never folds what it
// found as if it were all.
TEST_F(FullHistoryTest, ARefoldWithoutTheLogIsRefused) {
  v1::PersonRegistered corrected;
  ASSERT_TRUE(f_.log().front().payload().UnpackTo(&corrected));
  corrected.set_nationality("IQ");
  v1::EventCorrected correction;
  correction.set_corrected_position(1);
  correction.mutable_replacement()->PackFrom(corrected);
  correction.set_reason("typed wrong");
  v1::EventEnvelope event;
  event.set_stream_id("P1");
  event.set_stream_version(6);
  *event.mutable_effective_time() = ToTimestamp(At(CivilDay(2026, 3, 11)));
  event.mutable_payload()->PackFrom(correction);
  const std::vector<v1::EventEnvelope> only_the_registration = {
      f_.log().front()};
  absl::StatusOr<Applied> applied = ApplyEvent(
      f_.state(), event, ShippedPolicies(), LogLookup(&only_the_registration));
  EXPECT_EQ(applied.status().code(), absl::StatusCode::kNotFound)
      << applied.status();
  // With the log, the same correction applies.
  applied = ApplyEvent(f_.state(), event, ShippedPolicies(), f_.Lookup());
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->state.person().nationality(), "IQ");
  // The corrected registration keeps its correction as a note.
  const v1::HistoryEntry& registration = applied->state.history(0);
  EXPECT_EQ(registration.version(), 1u);
  EXPECT_THAT(registration.correction_versions(), ElementsAre(6));
  EXPECT_TRUE(registration.has_replacement());
  EXPECT_FALSE(registration.has_payload());
}

}  // namespace
}  // namespace returnpath::return_pathway
