// Related events (workflow.h, RelatedEvent): a transition appends events to
// other streams in the same atomic write as its own event.

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/replay.h"
#include "engine/testing/fault_file_system.h"
#include "engine/testing/runtime_test_util.h"
#include "engine/testing/test_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::TestStorePath;
using ::returnpath::engine::testing::Req;
using ::returnpath::engine::testing::TextOf;
using ::testing::HasSubstr;
namespace v1 = ::returnpath::v1;

class RelatedEventsTest : public testing::RuntimeTest {
 protected:
  absl::Status TryAppend(const std::string& stream, const std::string& text) {
    return store_->Append(Req(stream, {text})).status();
  }

  uint64_t Version(const std::string& stream) {
    absl::StatusOr<v1::StreamRecord> record = store_->GetStreamRecord(stream);
    return record.ok() ? record->version() : 0;
  }

  // The store's chain verifies and replay rebuilds what is stored.
  void ExpectConsistent() {
    EXPECT_TRUE(store_->Verify(1, 0, nullptr).ok());
    ReplayCheckOptions options;
    absl::StatusOr<ReplayReport> report =
        ReplayCheck(*store_, workflow_, options);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->difference_count, 0u)
        << report->differences.front().stream_id << " "
        << report->differences.front().what << ": "
        << report->differences.front().detail;
  }
};

TEST_F(RelatedEventsTest, WritesEachStreamWithItsOwnStateTimersTasksAndCause) {
  Append("a", "first");
  Append("b", "first");
  absl::StatusOr<AppendResult> result = store_->Append(
      Req("a",
          {"open:ka:q:10:5 to:b:arm:tb:4,open:kb:q:20:6 to:c:open:kc:q:30:7"}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->first_position, 3u);
  EXPECT_EQ(result->last_position, 3u);
  EXPECT_EQ(result->stream_version, 2u);
  EXPECT_EQ(result->related_events, 2u);

  std::vector<v1::EventEnvelope> b = Events("b");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[1].position(), 4u);
  EXPECT_EQ(b[1].stream_version(), 2u);
  EXPECT_EQ(TextOf(b[1]), "arm:tb:4 open:kb:q:20:6");
  EXPECT_EQ(b[1].caused_by_stream_id(), "a");
  EXPECT_EQ(b[1].caused_by_position(), 3u);
  EXPECT_EQ(b[1].causation_id(), "event:3");
  EXPECT_EQ(b[1].principal(), "user:test");
  EXPECT_EQ(b[1].policy_version(), "fake-1");
  std::vector<v1::EventEnvelope> c = Events("c");
  ASSERT_EQ(c.size(), 1u);  // a new stream
  EXPECT_EQ(c[0].position(), 5u);
  EXPECT_EQ(c[0].caused_by_position(), 3u);

  EXPECT_EQ(store_->GetStreamRecord("b")->state(),
            "|first|arm:tb:4 open:kb:q:20:6");
  absl::StatusOr<std::vector<v1::Timer>> timers = store_->TimersForStream("b");
  ASSERT_TRUE(timers.ok());
  ASSERT_EQ(timers->size(), 1u);
  EXPECT_EQ((*timers)[0].armed_at_position(), 4u);
  EXPECT_TRUE(store_->GetTask("b", "kb").ok());
  EXPECT_TRUE(store_->GetTask("c", "kc").ok());
  EXPECT_TRUE(store_->GetTask("a", "ka").ok());
  ExpectConsistent();
}

TEST_F(RelatedEventsTest, NestedRelatedEventsNameTheirOwnCause) {
  Append("a", "to:b:to:c:open:kc:q:1:3");
  std::vector<v1::EventEnvelope> c = Events("c");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].caused_by_stream_id(), "b");
  EXPECT_EQ(c[0].caused_by_position(), 2u);
  ExpectConsistent();
}

TEST_F(RelatedEventsTest, ARefusedRelatedEventRefusesTheWholeCommand) {
  Append("a", "first");
  Append("b", "first");
  absl::Status s = TryAppend("a", "open:ka:q:1:3 to:b:open:kb:q:1:3 to:c:fail");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr("the fake refuses this event"));
  EXPECT_EQ(store_->LastPosition(), 2u);
  EXPECT_EQ(Version("a"), 1u);
  EXPECT_EQ(Version("b"), 1u);
  EXPECT_FALSE(store_->GetStreamRecord("c").ok());
  EXPECT_FALSE(store_->GetTask("a", "ka").ok());
  EXPECT_FALSE(store_->GetTask("b", "kb").ok());
  ExpectConsistent();
}

TEST_F(RelatedEventsTest, AVersionConflictInARelatedStreamRefusesAll) {
  Append("a", "first");
  Append("b", "first");
  Append("b", "second");
  absl::Status s = TryAppend("a", "open:ka:q:1:3 tov:b:1:open:kb:q:1:3");
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted) << s;
  EXPECT_THAT(s.message(), HasSubstr("related stream \"b\" is at version 2, "
                                     "expected 1"));
  EXPECT_EQ(store_->LastPosition(), 3u);
  EXPECT_EQ(Version("a"), 1u);
  EXPECT_FALSE(store_->GetTask("a", "ka").ok());

  Append("a", "open:ka:q:1:3 tov:b:2:open:kb:q:1:3");
  EXPECT_EQ(Version("b"), 3u);
  ExpectConsistent();
}

TEST_F(RelatedEventsTest, ACycleIsRefused) {
  Append("a", "first");
  // Directly back to a, and through b and c back to b.
  for (const char* text : {"to:b:to:a:x", "to:b:to:c:to:b:x"}) {
    absl::Status s = TryAppend("a", text);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    EXPECT_THAT(s.message(), HasSubstr("(a cycle)"));
  }
  // Straight to itself.
  absl::Status s = TryAppend("a", "to:a:x");
  EXPECT_THAT(s.message(), HasSubstr("(a cycle)"));
  EXPECT_EQ(store_->LastPosition(), 1u);
  EXPECT_FALSE(store_->GetStreamRecord("b").ok());
  // Two branches reaching the same stream are no cycle.
  Append("a", "to:b:to:d:x to:c:to:d:y");
  EXPECT_EQ(Events("d").size(), 2u);
  ExpectConsistent();
}

TEST_F(RelatedEventsTest, FanOutBeyondTheWorkflowsLimitIsRefused) {
  Append("a", "first");
  // The fake allows 3 other streams per command, counted over every level.
  absl::Status s = TryAppend("a", "to:b:to:c:x to:d:x to:e:x");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr("more than 3 other streams"));
  EXPECT_EQ(store_->LastPosition(), 1u);
  // Several events to one stream count once.
  Append("a", "to:b:x to:b:y to:c:x to:d:x");
  EXPECT_EQ(Events("b").size(), 2u);
  ExpectConsistent();
}

TEST_F(RelatedEventsTest, ARetryAppendsNothingAgain) {
  AppendRequest request = Req("a", {"to:b:x"}, std::nullopt, "key-1");
  ASSERT_TRUE(store_->Append(request).ok());
  absl::StatusOr<AppendResult> retry = store_->Append(request);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->deduplicated);
  EXPECT_EQ(Events("b").size(), 1u);
  EXPECT_EQ(Events("b")[0].idempotency_key(), "key-1");
}

TEST_F(RelatedEventsTest, TimerFiringsAndRestartsKeepRelatedWritesConsistent) {
  Append("a", "armopen:t:2:k:q to:b:arm:tb:3");
  Reopen();
  EXPECT_EQ(Events("b").size(), 1u);
  EXPECT_EQ(store_->TimersForStream("b")->size(), 1u);
  ExpectConsistent();
}

// A crash while writing a command with related events leaves all of it or
// none of it; what was acknowledged before survives in every stream.
TEST(RelatedEventsCrashTest, PowerLossKeepsTheWriteWholeOrAbsent) {
  RP_SKIP_ON_POSTGRES("a power cut under RocksDB");
  testing::TempDir dir;
  ManualClock clock(Day(1));
  testing::FakeWorkflow workflow;
  auto fs = std::make_shared<testing::FaultFileSystem>();
  StoreOptions options;
  options.path = TestStorePath(dir.path());
  options.clock = &clock;
  options.workflow = &workflow;
  options.file_system = testing::ForStore(fs);
  {
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->Append(Req("a", {"to:b:open:kb:q:1:3"})).ok());
    fs->LosePower();
    EXPECT_FALSE((*store)->Append(Req("a", {"to:b:x to:c:y"})).ok());
    (*store)->Close().IgnoreError();
  }
  std::mt19937_64 rng(7);
  ASSERT_TRUE(fs->DropUnsyncedData(&rng, /*tear=*/true).ok());
  auto store = EventStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->LastPosition(), 2u);
  EXPECT_EQ((*store)->GetStreamRecord("b")->version(), 1u);
  EXPECT_TRUE((*store)->GetTask("b", "kb").ok());
  EXPECT_FALSE((*store)->GetStreamRecord("c").ok());
  EXPECT_TRUE((*store)->Verify(1, 0, nullptr).ok());
  absl::StatusOr<ReplayReport> report =
      ReplayCheck(**store, workflow, ReplayCheckOptions{});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->difference_count, 0u);
  ASSERT_TRUE((*store)->Append(Req("a", {"to:b:x to:c:y"})).ok());
  EXPECT_EQ((*store)->GetStreamRecord("c")->version(), 1u);
  ASSERT_TRUE((*store)->Close().ok());
}

}  // namespace
}  // namespace returnpath::engine
