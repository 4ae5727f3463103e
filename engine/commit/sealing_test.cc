// Sealing at rest (store/sealing.h): erasable fields are stored sealed under
// their stream's key, every reader gets them back, the master key guards the
// store, rotation rewraps, and a stream whose key is gone reads as erased.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/event_store.h"
#include "engine/master_key.h"
#include "engine/testing/edit_store.h"
#include "engine/testing/store_test_util.h"
#include "engine/testing/test_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/erasable_test.pb.h"
#include "store/codec.h"
#include "store/keys.h"
#include "store/stream_walk.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::TempDir;
using ::returnpath::engine::testing::TestStorePath;
using ::returnpath::v1::EventEnvelope;
using ::returnpath::v1::test::ErasableRecord;
using ::testing::HasSubstr;

constexpr char kCanary[] = "CANARY-7f3a";

MasterKey KeyOf(char digit) {
  return *MasterKeyFromText(std::string(64, digit),
                            absl::StrCat("test key ", std::string(1, digit)));
}

std::shared_ptr<const MasterKeyring> Ring(char current,
                                          std::vector<char> previous = {}) {
  std::vector<MasterKey> old;
  for (char p : previous) old.push_back(KeyOf(p));
  return std::make_shared<MasterKeyring>(KeyOf(current), std::move(old));
}

// A payload with erasable fields (each holding the canary) beside readable
// ones.
ErasableRecord Record(const std::string& kind, const std::string& who) {
  ErasableRecord r;
  r.set_kind(kind);
  r.set_name(absl::StrCat(kCanary, "-name-", who));
  r.set_age(41);
  r.set_version(3);
  r.mutable_inner()->set_secret(absl::StrCat(kCanary, "-secret"));
  r.mutable_inner()->set_count(7);
  return r;
}

google::protobuf::Any Packed(const ErasableRecord& record) {
  google::protobuf::Any any;
  any.PackFrom(record);
  return any;
}

ErasableRecord RecordOf(const EventEnvelope& event) {
  ErasableRecord r;
  EXPECT_TRUE(event.payload().UnpackTo(&r)) << event.DebugString();
  return r;
}

AppendRequest Req(const std::string& stream,
                  const std::vector<ErasableRecord>& records) {
  AppendRequest r;
  r.stream_id = stream;
  r.principal = "user:test";
  for (const ErasableRecord& record : records) {
    r.events.push_back({Day(1), Packed(record)});
  }
  return r;
}

// Each event reads the one before it in its stream and keeps its name in
// the state; kind "relate" appends a related event to stream "r-<stream>".
class LookupWorkflow final : public Workflow {
 public:
  absl::StatusOr<std::string> PolicyVersionAt(absl::Time) const override {
    return "p-1";
  }
  size_t MaxRelatedStreams() const override { return 1; }
  absl::StatusOr<Transition> Apply(absl::string_view state,
                                   const EventEnvelope& event,
                                   const EventLookup& events) const override {
    Transition t;
    t.next_state = std::string(state);
    const ErasableRecord record = RecordOf(event);
    if (event.stream_version() > 1) {
      absl::StatusOr<uint64_t> position =
          events.PositionOf(event.stream_id(), event.stream_version() - 1);
      if (!position.ok()) return position.status();
      absl::StatusOr<EventEnvelope> before = events.EventAt(*position);
      if (!before.ok()) return before.status();
      t.next_state = absl::StrCat("saw:", RecordOf(*before).name());
    }
    if (record.kind() == "relate") {
      t.related_events.push_back({absl::StrCat("r-", event.stream_id()),
                                  std::nullopt, Day(1),
                                  Packed(Record("related", "r"))});
    }
    return t;
  }
};

class SealingTest : public ::testing::Test {
 protected:
  SealingTest() : clock_(Day(10)) {}

  absl::StatusOr<std::unique_ptr<EventStore>> Open(
      std::shared_ptr<const MasterKeyring> keys,
      const Workflow* workflow = nullptr, bool prepare = true) {
    store_.reset();
    StoreOptions options;
    options.path = TestStorePath(dir_.path());
    options.clock = &clock_;
    options.workflow = workflow;
    options.prepare_transitions = prepare;
    options.master_keys = std::move(keys);
    return EventStore::Open(options);
  }

  void MustOpen(std::shared_ptr<const MasterKeyring> keys,
                const Workflow* workflow = nullptr, bool prepare = true) {
    auto store = Open(std::move(keys), workflow, prepare);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  void MustAppend(const AppendRequest& request) {
    absl::StatusOr<AppendResult> result = store_->Append(request);
    ASSERT_TRUE(result.ok()) << result.status();
  }

  // Whether any stored event's bytes hold the canary.
  bool StoredHoldsCanary() {
    std::vector<uint64_t> all;
    for (uint64_t p = 1; p <= store_->LastPosition(); ++p) all.push_back(p);
    auto stored = store_->ReadStoredEvents(all);
    EXPECT_TRUE(stored.ok()) << stored.status();
    bool found = false;
    for (const StoredEvent& e : stored.value_or(std::vector<StoredEvent>{})) {
      found = found || absl::StrContains(e.envelope_bytes, kCanary);
    }
    return found;
  }

  std::vector<EventEnvelope> Stream(const std::string& stream) {
    auto events = store_->ReadStream(stream, 1, 100);
    EXPECT_TRUE(events.ok()) << events.status();
    return events.value_or(std::vector<EventEnvelope>{});
  }

  // The stream's events as replay reads them: from a snapshot view.
  std::vector<EventEnvelope> FromSnapshot(const std::string& stream) {
    std::vector<EventEnvelope> events;
    auto view = store_->Snapshot();
    EXPECT_TRUE(view.ok()) << view.status();
    if (!view.ok()) return events;
    StreamCursor index(**view, Table::kStreams, keys::StreamPrefix(stream));
    EXPECT_TRUE(index.Valid());
    if (!index.Valid()) return events;
    absl::Status read = ReadIndexedStream(
        **view, index, &events,
        [](std::string problem) { ADD_FAILURE() << problem; });
    EXPECT_TRUE(read.ok()) << read;
    return events;
  }

  void ExpectPlain(const EventEnvelope& event, const std::string& kind,
                   const std::string& who) {
    EXPECT_TRUE(event.sealed().empty());
    EXPECT_FALSE(event.erased());
    EXPECT_EQ(RecordOf(event).SerializeAsString(),
              Record(kind, who).SerializeAsString())
        << event.DebugString();
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(SealingTest, ErasableFieldsAreSealedAtRestAndOpenedOnRead) {
  MustOpen(Ring('a'));
  MustAppend(Req("s-1", {Record("arrived", "1"), Record("moved", "1")}));
  MustAppend(Req("s-2", {Record("arrived", "2")}));

  EXPECT_FALSE(StoredHoldsCanary());
  auto stored = store_->ReadStoredEvents({1});
  ASSERT_TRUE(stored.ok());
  EventEnvelope raw;
  ASSERT_TRUE(raw.ParseFromString((*stored)[0].envelope_bytes));
  EXPECT_FALSE(raw.sealed().empty());
  EXPECT_EQ(RecordOf(raw).kind(), "arrived");  // the rest stays readable
  EXPECT_EQ(RecordOf(raw).inner().count(), 7);

  std::vector<EventEnvelope> stream = Stream("s-1");
  ASSERT_EQ(stream.size(), 2u);
  ExpectPlain(stream[0], "arrived", "1");
  ExpectPlain(stream[1], "moved", "1");
  auto page = store_->ReadAll(1, 10);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->events.size(), 3u);
  ExpectPlain(page->events[2], "arrived", "2");
  std::vector<EventEnvelope> replayed = FromSnapshot("s-2");
  ASSERT_EQ(replayed.size(), 1u);
  ExpectPlain(replayed[0], "arrived", "2");
  EXPECT_TRUE(store_->Verify(1, 3, nullptr).ok());
}

// The workflow's lookups and related events, prepared off the sequencer or
// computed on it.
class SealedWorkflowTest : public SealingTest,
                           public ::testing::WithParamInterface<bool> {};

TEST_P(SealedWorkflowTest, LookupsAndRelatedEventsSeePlainPayloads) {
  LookupWorkflow workflow;
  MustOpen(Ring('a'), &workflow, /*prepare=*/GetParam());
  // The second event reads the first one, written in the same command.
  MustAppend(Req("s-1", {Record("arrived", "1"), Record("relate", "2")}));
  auto record = store_->GetStreamRecord("s-1");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->state(), absl::StrCat("saw:", kCanary, "-name-1"));
  // A later command reads a durable one.
  MustAppend(Req("s-1", {Record("moved", "3")}));
  record = store_->GetStreamRecord("s-1");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->state(), absl::StrCat("saw:", kCanary, "-name-2"));

  std::vector<EventEnvelope> related = Stream("r-s-1");
  ASSERT_EQ(related.size(), 1u);
  ExpectPlain(related[0], "related", "r");
  EXPECT_FALSE(StoredHoldsCanary());
  EXPECT_TRUE(store_->Verify(1, store_->LastPosition(), nullptr).ok());
}

INSTANTIATE_TEST_SUITE_P(PreparedOrNot, SealedWorkflowTest, ::testing::Bool());

TEST_F(SealingTest, AnotherMasterKeyIsRefused) {
  MustOpen(Ring('a'));
  MustAppend(Req("s-1", {Record("arrived", "1")}));
  auto wrong = Open(Ring('b'));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(wrong.status().message(), HasSubstr(KeyOf('a').id));
  EXPECT_THAT(wrong.status().message(), HasSubstr(KeyOf('b').id));
}

TEST_F(SealingTest, RotationRewrapsEveryStreamKey) {
  MustOpen(Ring('a'));
  MustAppend(Req("s-1", {Record("arrived", "1")}));
  MustAppend(Req("s-2", {Record("arrived", "2")}));
  MustOpen(Ring('b', {'a'}));
  ExpectPlain(Stream("s-1")[0], "arrived", "1");
  MustAppend(Req("s-3", {Record("arrived", "3")}));
  MustOpen(Ring('b'));  // the old key is no longer needed
  ExpectPlain(Stream("s-1")[0], "arrived", "1");
  ExpectPlain(Stream("s-2")[0], "arrived", "2");
  ExpectPlain(Stream("s-3")[0], "arrived", "3");
  EXPECT_FALSE(Open(Ring('a')).ok());
}

TEST_F(SealingTest, SealedStoreDoesNotOpenWithoutItsKey) {
  MustOpen(Ring('a'));
  MustAppend(Req("s-1", {Record("arrived", "1")}));
  auto keyless = Open(nullptr);
  ASSERT_FALSE(keyless.ok());
  EXPECT_EQ(keyless.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(keyless.status().message(), HasSubstr("RETURNPATH_MASTER_KEY"));
}

TEST_F(SealingTest, WithoutMasterKeysNothingIsSealed) {
  MustOpen(nullptr);
  MustAppend(Req("s-1", {Record("arrived", "1")}));
  EXPECT_TRUE(StoredHoldsCanary());
  ExpectPlain(Stream("s-1")[0], "arrived", "1");
  MustOpen(nullptr);  // and it opens again without keys
}

TEST_F(SealingTest, StreamWithoutKeyReadsAsErased) {
  MustOpen(Ring('a'));
  MustAppend(Req("s-1", {Record("arrived", "1"), Record("moved", "1")}));
  MustAppend(Req("s-2", {Record("arrived", "2")}));
  store_.reset();
  testing::EditStore(
      dir_.path(), Table::kKeys,
      [](testing::RawTable& stream_keys) { stream_keys.Delete("s-1"); });
  MustOpen(Ring('a'));
  std::vector<EventEnvelope> erased = Stream("s-1");
  ASSERT_EQ(erased.size(), 2u);
  std::vector<EventEnvelope> replayed = FromSnapshot("s-1");
  ASSERT_EQ(replayed.size(), 2u);
  for (const EventEnvelope& event : {erased[0], replayed[1]}) {
    EXPECT_TRUE(event.erased());
    EXPECT_TRUE(event.sealed().empty());
    ErasableRecord r = RecordOf(event);
    EXPECT_TRUE(r.name().empty());
    EXPECT_EQ(r.age(), 0);
    EXPECT_TRUE(r.inner().secret().empty());
    EXPECT_EQ(r.version(), 3);
    EXPECT_EQ(r.inner().count(), 7);
  }
  EXPECT_EQ(RecordOf(erased[0]).kind(), "arrived");
  ExpectPlain(Stream("s-2")[0], "arrived", "2");
  EXPECT_TRUE(store_->Verify(1, 3, nullptr).ok());
}

}  // namespace
}  // namespace returnpath::engine
