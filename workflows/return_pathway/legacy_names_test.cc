#include "workflows/return_pathway/legacy_names.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflows/return_pathway/pathway_fixture.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

// P1's events at positions 14 (version 3) and 21 (version 5); P2's at 15.
class LegacyNamesTest : public ::testing::Test {
 protected:
  LegacyNamesTest()
      : log_([this](absl::FunctionRef<bool(const v1::EventEnvelope&)> visit) {
          for (const auto& [position, e] : events_) {
            if (!visit(e)) return;
          }
        }) {
    Add(14, "P1", 3);
    Add(21, "P1", 5);
    Add(15, "P2", 1);
    in_.stream_id = "P1";
    in_.log = &log_;
  }
  void Add(uint64_t position, const char* stream, uint64_t version) {
    v1::EventEnvelope& e = events_[position];
    e.set_position(position);
    e.set_stream_id(stream);
    e.set_stream_version(version);
  }

  std::map<uint64_t, v1::EventEnvelope> events_;
  LogLookup log_;
  EventInput in_;
};

TEST_F(LegacyNamesTest, PositionsBecomeTheStreamsVersions) {
  EXPECT_EQ(*CurrentName("relocate-14", in_), "relocate-v3");
  EXPECT_EQ(*CurrentName("escalate-conversation-14", in_),
            "escalate-conversation-v3");
  EXPECT_EQ(*CurrentName("escalation-21.2", in_), "escalation-v5.2");
  EXPECT_EQ(*CurrentName("deadline-follow-up-14~21", in_),
            "deadline-follow-up-v3~v5");
  // A child's id after the key keeps its own digits.
  EXPECT_EQ(*CurrentName("child-info-14-SYNTHETIC-003-child-1", in_),
            "child-info-v3-SYNTHETIC-003-child-1");
}

TEST_F(LegacyNamesTest, CurrentNamesAndOtherIdsStayAsTheyAre) {
  EXPECT_EQ(*CurrentName("relocate-v3", in_), "relocate-v3");
  EXPECT_EQ(*CurrentName("escalate-relocate-v3", in_), "escalate-relocate-v3");
  EXPECT_EQ(*CurrentName("household-catch-up-C14", in_),
            "household-catch-up-C14");
}

TEST_F(LegacyNamesTest, APositionOfAnotherStreamOrNoneIsAnError) {
  EXPECT_EQ(CurrentName("relocate-15", in_).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(CurrentName("relocate-99", in_).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace returnpath::return_pathway
