#include "engine/event_store.h"

#include <memory>
#include <vector>

#include "absl/synchronization/notification.h"
#include "commit/sequencer.h"
#include "engine/testing/store_test_util.h"
#include "engine/testing/test_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/codec.h"
#include "store/hash_chain.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::Req;
using ::returnpath::engine::testing::TempDir;
using ::returnpath::engine::testing::TestStorePath;
using ::returnpath::engine::testing::TextOf;
using ::testing::HasSubstr;
using ::testing::Not;

absl::Status ReusedKey() {
  return absl::AlreadyExistsError(
      "idempotency_key was already used for a different request");
}

class EventStoreTest : public ::testing::Test {
 protected:
  EventStoreTest() : clock_(Day(10)) { Reopen(); }

  void Reopen() {
    store_.reset();
    StoreOptions options;
    options.path = TestStorePath(dir_.path());
    options.clock = &clock_;
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  AppendResult MustAppend(const AppendRequest& request) {
    absl::StatusOr<AppendResult> result = store_->Append(request);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.value_or(AppendResult{});
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(EventStoreTest, AppendsAndReadsBack) {
  AppendResult a = MustAppend(Req("p-1", {"one", "two"}));
  EXPECT_EQ(a.first_position, 1u);
  EXPECT_EQ(a.last_position, 2u);
  EXPECT_EQ(a.stream_version, 2u);
  EXPECT_FALSE(a.deduplicated);
  AppendResult b = MustAppend(Req("p-2", {"three"}));
  EXPECT_EQ(b.first_position, 3u);
  EXPECT_EQ(b.stream_version, 1u);
  EXPECT_EQ(store_->LastPosition(), 3u);

  auto events = store_->ReadStream("p-1", 1, 100);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ(TextOf((*events)[1]), "two");
  EXPECT_EQ((*events)[1].stream_version(), 2u);
  EXPECT_EQ((*events)[1].principal(), "user:test");
  EXPECT_EQ((*events)[1].recorded_time().seconds(),
            absl::ToUnixSeconds(Day(10)));
  EXPECT_EQ((*events)[1].previous_hash(), (*events)[0].hash());
  EXPECT_EQ((*events)[0].previous_hash(), GenesisHash());

  auto from_two = store_->ReadStream("p-1", 2, 100);
  ASSERT_TRUE(from_two.ok());
  ASSERT_EQ(from_two->size(), 1u);
  EXPECT_EQ(TextOf((*from_two)[0]), "two");

  auto record = store_->GetStreamRecord("p-1");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->version(), 2u);
  EXPECT_EQ(record->last_position(), 2u);
}

TEST_F(EventStoreTest, ReadAllPages) {
  for (int i = 0; i < 5; ++i)
    MustAppend(Req("p-" + std::to_string(i % 2), {"e"}));
  auto page = store_->ReadAll(1, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 2u);
  EXPECT_EQ(page->next_position, 3u);
  page = store_->ReadAll(page->next_position, 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 3u);
  EXPECT_EQ(page->events.back().position(), 5u);
  EXPECT_EQ(page->next_position, 6u);
  page = store_->ReadAll(6, 10);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->events.empty());
  EXPECT_EQ(page->next_position, 6u);
}

TEST_F(EventStoreTest, UnknownStreamIsNotFound) {
  EXPECT_EQ(store_->GetStreamRecord("nobody").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->ReadStream("nobody", 1, 10).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(EventStoreTest, ExpectedVersionConflictIsAbortedWithActualVersion) {
  MustAppend(Req("p-1", {"a", "b", "c"}));
  absl::StatusOr<AppendResult> r = store_->Append(Req("p-1", {"d"}, 2));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(r.status().message(), HasSubstr("is at version 3"));
  EXPECT_EQ(store_->LastPosition(), 3u);

  r = store_->Append(Req("p-1", {"d"}, 0));  // "must not exist yet"
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store_->Append(Req("p-9", {"x"}, 1)).status().code(),
            absl::StatusCode::kAborted);

  EXPECT_EQ(MustAppend(Req("p-1", {"d"}, 3)).stream_version, 4u);
  EXPECT_EQ(MustAppend(Req("p-new", {"x"}, 0)).stream_version, 1u);
}

TEST_F(EventStoreTest, AGuardJudgesTheRecordAsTheWriteSeesIt) {
  MustAppend(Req("p-1", {"a", "b"}));
  std::vector<uint64_t> seen;
  AppendRequest guarded = Req("p-1", {"c"});
  guarded.guard = [&seen](const returnpath::v1::StreamRecord& record) {
    seen.push_back(record.version());
    return record.version() < 3 ? absl::OkStatus()
                                : absl::PermissionDeniedError("too late");
  };
  EXPECT_EQ(MustAppend(guarded).stream_version, 3u);
  absl::StatusOr<AppendResult> refused = store_->Append(guarded);
  EXPECT_EQ(refused.status(), absl::PermissionDeniedError("too late"));
  EXPECT_EQ(seen, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(store_->LastPosition(), 3u);  // the refused append wrote nothing
  EXPECT_EQ(store_->GetStreamRecord("p-1")->version(), 3u);

  AppendRequest fresh = Req("p-2", {"x"});
  fresh.guard = [&seen](const returnpath::v1::StreamRecord& record) {
    seen.push_back(record.version());
    return absl::OkStatus();
  };
  MustAppend(fresh);
  EXPECT_EQ(seen.back(), 0u);  // no stream yet
}

TEST_F(EventStoreTest, IdempotentRetryReturnsFirstResultAndAppendsNothing) {
  AppendResult first = MustAppend(Req("p-1", {"a", "b"}, 0, "cmd-1"));
  MustAppend(Req("p-1", {"c"}));
  // The retry carries the stale expected version; it still gets its answer.
  AppendResult retry = MustAppend(Req("p-1", {"a", "b"}, 0, "cmd-1"));
  EXPECT_TRUE(retry.deduplicated);
  EXPECT_EQ(retry.first_position, first.first_position);
  EXPECT_EQ(retry.last_position, first.last_position);
  EXPECT_EQ(retry.stream_version, first.stream_version);
  EXPECT_EQ(store_->LastPosition(), 3u);
  EXPECT_EQ(store_->GetStreamRecord("p-1")->version(), 3u);

  absl::StatusOr<AppendResult> other =
      store_->Append(Req("p-2", {"a"}, {}, "cmd-1"));
  EXPECT_EQ(other.status(), ReusedKey());

  Reopen();  // the record is durable, not only cached
  EXPECT_TRUE(MustAppend(Req("p-1", {"a", "b"}, 0, "cmd-1")).deduplicated);
  EXPECT_EQ(store_->LastPosition(), 3u);
}

// A key names one request: the same key with other content is a caller's
// mistake (or a probe), answered without naming what the key was used for.
TEST_F(EventStoreTest, AKeyReusedForADifferentRequestIsAlreadyExists) {
  AppendResult first = MustAppend(Req("p-1", {"a"}, std::nullopt, "cmd-1"));
  EXPECT_EQ(store_->Append(Req("p-1", {"b"}, std::nullopt, "cmd-1")).status(),
            ReusedKey());
  AppendRequest later = Req("p-1", {"a"}, std::nullopt, "cmd-1");
  later.events[0].effective_time = Day(2);
  EXPECT_EQ(store_->Append(later).status(), ReusedKey());
  EXPECT_EQ(
      store_->Append(Req("p-1", {"a", "a"}, std::nullopt, "cmd-1")).status(),
      ReusedKey());
  absl::Status elsewhere =
      store_->Append(Req("p-2", {"a"}, std::nullopt, "cmd-1")).status();
  EXPECT_EQ(elsewhere, ReusedKey());
  EXPECT_THAT(elsewhere.message(), Not(HasSubstr("p-1")));
  EXPECT_EQ(store_->LastPosition(), first.last_position);

  AppendResult retry = MustAppend(Req("p-1", {"a"}, std::nullopt, "cmd-1"));
  EXPECT_TRUE(retry.deduplicated);
  EXPECT_EQ(retry.last_position, first.last_position);
}

// Records written before requests were fingerprinted know only the stream.
TEST_F(EventStoreTest, AKeyFromBeforeFingerprintsIsJudgedByItsStreamAlone) {
  AppendResult first = MustAppend(Req("p-1", {"a"}));
  const IdempotencyRecord old{"p-1", first.first_position, first.last_position,
                              first.stream_version, /*fingerprint=*/""};
  ASSERT_TRUE(
      RunCommand<bool>(*CommandQueueOf(*store_),
                       [&](CommandContext& ctx) -> absl::StatusOr<bool> {
                         ctx.PutRecord(Table::kIdempotency, "old-key",
                                       EncodeIdempotency(old));
                         return true;
                       })
          .ok());
  AppendResult retry = MustAppend(Req("p-1", {"b"}, std::nullopt, "old-key"));
  EXPECT_TRUE(retry.deduplicated);
  EXPECT_EQ(retry.last_position, first.last_position);
  EXPECT_EQ(store_->Append(Req("p-2", {"a"}, std::nullopt, "old-key")).status(),
            ReusedKey());
  EXPECT_EQ(store_->LastPosition(), first.last_position);
}

TEST_F(EventStoreTest, BadInputIsInvalidArgumentNamingTheField) {
  auto expect_invalid = [&](AppendRequest r, const std::string& field) {
    absl::Status s = store_->Append(std::move(r)).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(s.message(), HasSubstr(field));
  };
  expect_invalid(Req("", {"a"}), "stream_id");
  expect_invalid(Req(std::string("a\0b", 3), {"a"}), "stream_id");
  expect_invalid(Req("p-\xff", {"a"}), "stream_id");
  AppendRequest bad_principal = Req("p-1", {"a"});
  bad_principal.principal = "\xc0\xaf";  // overlong '/'
  expect_invalid(bad_principal, "principal");
  // What an engine key is stored as (keys.h) cannot be a caller's key.
  expect_invalid(Req("p-1", {"a"}, std::nullopt, "\xfftimer:1"),
                 "idempotency_key");
  expect_invalid(Req("p-1", {}), "events");
  AppendRequest no_time = Req("p-1", {"a", "b"});
  no_time.events[1].effective_time = absl::InfinitePast();
  expect_invalid(no_time, "events[1].effective_time");
  AppendRequest no_payload = Req("p-1", {"a"});
  no_payload.events[0].payload.Clear();
  expect_invalid(no_payload, "events[0].payload");
  EXPECT_EQ(store_->LastPosition(), 0u);
}

TEST_F(EventStoreTest, ReopenKeepsEverythingAndTheChainContinues) {
  MustAppend(Req("p-1", {"a", "b"}));
  MustAppend(Req("p-2", {"c"}));
  Reopen();
  EXPECT_EQ(store_->LastPosition(), 3u);
  EXPECT_EQ(store_->GetStreamRecord("p-1")->version(), 2u);
  AppendResult next = MustAppend(Req("p-1", {"d"}, 2));
  EXPECT_EQ(next.first_position, 4u);
  EXPECT_EQ(next.stream_version, 3u);
  auto all = store_->ReadAll(1, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->events.size(), 4u);
  EXPECT_EQ(all->events[3].previous_hash(), all->events[2].hash());
  EXPECT_TRUE(store_->Verify(1, 0, nullptr).ok());
}

TEST_F(EventStoreTest, AppendAsyncCallsBackOnceDurable) {
  absl::Notification done;
  absl::StatusOr<AppendResult> got;
  uint64_t seen_last = 0;
  store_->AppendAsync(Req("p-1", {"a"}), [&](absl::StatusOr<AppendResult> r) {
    got = std::move(r);
    seen_last = store_->LastPosition();  // already published
    done.Notify();
  });
  done.WaitForNotification();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->last_position, 1u);
  EXPECT_EQ(seen_last, 1u);
}

TEST_F(EventStoreTest, CommitListenersHearEveryDurableWrite) {
  std::vector<uint64_t> heard;
  absl::Mutex mu;
  store_->AddCommitListener([&](uint64_t last) {
    absl::MutexLock lock(&mu);
    heard.push_back(last);
  });
  MustAppend(Req("p-1", {"a", "b"}));
  absl::MutexLock lock(&mu);
  EXPECT_EQ(heard, std::vector<uint64_t>{2});
}

TEST_F(EventStoreTest, ClosedStoreRefusesWork) {
  MustAppend(Req("p-1", {"a"}));
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_TRUE(store_->Close().ok());
  EXPECT_EQ(store_->Append(Req("p-1", {"b"})).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->ReadAll(1, 10).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(EventStoreTest, OpenNeedsPathAndClock) {
  StoreOptions options;
  options.clock = &clock_;
  EXPECT_EQ(EventStore::Open(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.path = TestStorePath(dir_.path() + "/other");
  options.clock = nullptr;
  EXPECT_EQ(EventStore::Open(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace returnpath::engine
