#include "tools/crashtest/ledger.h"

#include "gtest/gtest.h"

namespace returnpath::crashtest {
namespace {

v1::EventEnvelope Stored(uint64_t position, uint64_t version,
                         const std::string& type, const std::string& key) {
  v1::EventEnvelope e;
  e.set_position(position);
  e.set_stream_id("P-1");
  e.set_stream_version(version);
  e.set_idempotency_key(key);
  e.mutable_payload()->set_type_url("type.googleapis.com/" + type);
  return e;
}

const std::vector<Ack> kAcks = {
    {"P-1", "k/register", "returnpath.v1.PersonRegistered", 3, 1},
    {"P-1", "k/relocation", "returnpath.v1.TaskCompleted", 9, 0}};

TEST(CheckHistoryTest, EveryAcknowledgementFoundIsClean) {
  CheckCounts counts;
  CheckHistory("P-1", kAcks,
               {Stored(3, 1, "returnpath.v1.PersonRegistered", "k/register"),
                Stored(7, 2, "returnpath.v1.TimerFired", ""),
                Stored(9, 3, "returnpath.v1.TaskCompleted", "k/relocation")},
               counts);
  EXPECT_EQ(counts.checked, 2u);
  EXPECT_EQ(counts.lost, 0u);
  EXPECT_EQ(counts.duplicated, 0u);
  EXPECT_TRUE(counts.problems.empty());
}

TEST(CheckHistoryTest, MissingOrMovedIsLost) {
  CheckCounts counts;
  // The registration came back at another version; the completion is gone.
  CheckHistory("P-1", kAcks,
               {Stored(3, 2, "returnpath.v1.PersonRegistered", "k/register")},
               counts);
  EXPECT_EQ(counts.lost, 2u);
  ASSERT_EQ(counts.problems.size(), 2u);
  EXPECT_NE(counts.problems[1].find("is missing"), std::string::npos);
}

TEST(CheckHistoryTest, OneCallStoredTwiceIsDuplicated) {
  CheckCounts counts;
  CheckHistory("P-1", {kAcks[0]},
               {Stored(3, 1, "returnpath.v1.PersonRegistered", "k/register"),
                Stored(5, 2, "returnpath.v1.PersonRegistered", "k/register")},
               counts);
  EXPECT_EQ(counts.lost, 0u);
  EXPECT_EQ(counts.duplicated, 1u);
}

TEST(CheckHistoryTest, TwoCallsAcknowledgedAtOnePositionIsDuplicated) {
  CheckCounts counts;
  Ack other = kAcks[0];
  other.idempotency_key = "k/other";
  CheckHistory("P-1", {kAcks[0], other},
               {Stored(3, 1, "returnpath.v1.PersonRegistered", "k/register")},
               counts);
  EXPECT_EQ(counts.duplicated, 1u);
}

}  // namespace
}  // namespace returnpath::crashtest
