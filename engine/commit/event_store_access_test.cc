// The access log: chained records read by stream, actor and time, newest
// first and page by page; tampering found by VerifyAccessLog or Open; records
// an earlier release wrote unchained, chained on open.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "engine/event_store.h"
#include "engine/proto_time.h"
#include "engine/testing/edit_store.h"
#include "engine/testing/store_test_util.h"
#include "engine/testing/test_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/keys.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::EditStore;
using ::returnpath::engine::testing::RawTable;
using ::returnpath::engine::testing::TempDir;
using ::returnpath::engine::testing::TestStorePath;
using ::returnpath::v1::AccessEntry;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class AccessTest : public ::testing::Test {
 protected:
  AccessTest() { EXPECT_TRUE(Open().ok()); }

  absl::Status Open(StoreOptions::LegacyAccessReader legacy = nullptr) {
    store_.reset();
    StoreOptions options;
    options.path = TestStorePath(dir_.path());
    options.clock = &clock_;
    options.read_legacy_access = std::move(legacy);
    absl::StatusOr<std::unique_ptr<EventStore>> store =
        EventStore::Open(options);
    if (!store.ok()) return store.status();
    store_ = *std::move(store);
    return absl::OkStatus();
  }

  absl::Status Log(std::vector<std::string> streams, const std::string& actor,
                   const std::string& detail = "d") {
    absl::Status written;
    absl::Notification done;
    store_->LogAccessAsync(std::move(streams), actor, detail,
                           [&](absl::Status s) {
                             written = s;
                             done.Notify();
                           });
    done.WaitForNotification();
    return written;
  }

  // The sequences `query` reads, newest first; `*next` gets the resume key.
  std::vector<uint64_t> Read(const AccessQuery& query, size_t max = 1000,
                             std::string* next = nullptr) {
    std::vector<uint64_t> sequences;
    absl::StatusOr<std::string> resume =
        store_->ReadAccessLog(query, [&](const AccessEntry& entry) {
          sequences.push_back(entry.sequence());
          return sequences.size() < max;
        });
    EXPECT_TRUE(resume.ok()) << resume.status();
    if (next != nullptr) *next = resume.value_or("");
    return sequences;
  }

  absl::Status Verify() { return store_->VerifyAccessLog(nullptr).status(); }

  // Writes `a` reading P1 and P2 on day 3, `b` reading P1 on day 4, `a`
  // reading P3 on day 5: records 1..4.
  void WriteFour() {
    clock_.SetTime(Day(3));
    ASSERT_TRUE(Log({"P1", "P2"}, "a").ok());
    clock_.SetTime(Day(4));
    ASSERT_TRUE(Log({"P1"}, "b").ok());
    clock_.SetTime(Day(5));
    ASSERT_TRUE(Log({"P3"}, "a").ok());
  }

  void CloseAndEdit(const std::function<void(RawTable&)>& edit) {
    store_.reset();
    EditStore(dir_.path(), Table::kAccessLog, edit);
  }

  TempDir dir_;
  ManualClock clock_{Day(2)};
  std::unique_ptr<EventStore> store_;
};

TEST_F(AccessTest, ReadsByStreamActorAndTimeNewestFirst) {
  WriteFour();
  AccessQuery p1;
  p1.stream_id = "P1";
  EXPECT_THAT(Read(p1), ElementsAre(3, 1));
  AccessQuery by_a;
  by_a.actor = "a";
  EXPECT_THAT(Read(by_a), ElementsAre(4, 2, 1));
  EXPECT_THAT(Read(AccessQuery()), ElementsAre(4, 3, 2, 1));
  AccessQuery p1_by_a = p1;
  p1_by_a.actor = "a";
  EXPECT_THAT(Read(p1_by_a), ElementsAre(1));
  AccessQuery day4;
  day4.from = Day(4);
  day4.to = Day(5);
  EXPECT_THAT(Read(day4), ElementsAre(3));
  AccessQuery from_day4_of_a = by_a;
  from_day4_of_a.from = Day(4);
  EXPECT_THAT(Read(from_day4_of_a), ElementsAre(4));
  AccessQuery before_day4 = p1;
  before_day4.to = Day(4);  // exclusive
  EXPECT_THAT(Read(before_day4), ElementsAre(1));

  std::vector<AccessEntry> entries;
  ASSERT_TRUE(store_
                  ->ReadAccessLog(p1,
                                  [&](const AccessEntry& entry) {
                                    entries.push_back(entry);
                                    return true;
                                  })
                  .ok());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].actor(), "a");
  EXPECT_EQ(entries[1].stream_id(), "P1");
  EXPECT_EQ(entries[1].detail(), "d");
  EXPECT_EQ(FromTimestamp(entries[1].time()), Day(3));
  EXPECT_EQ(entries[1].previous_hash(), std::string(32, '\0'));
  EXPECT_NE(entries[0].previous_hash(), std::string(32, '\0'));
  EXPECT_EQ(*store_->VerifyAccessLog(nullptr), 4u);
}

TEST_F(AccessTest, PagesGoOnAfterTheLastRecordRead) {
  for (int i = 0; i < 25; ++i) {
    clock_.SetTime(Day(3) + absl::Minutes(i / 2));  // two share each minute
    ASSERT_TRUE(Log({"P"}, "a").ok());
  }
  AccessQuery query;
  query.stream_id = "P";
  std::vector<uint64_t> all;
  int pages = 0;
  do {
    std::string next;
    std::vector<uint64_t> page = Read(query, 10, &next);
    all.insert(all.end(), page.begin(), page.end());
    query.after = next;
    ++pages;
  } while (!query.after.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(all.size(), 25u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], 25 - i);

  // A page that ends exactly at the last record says there is no more.
  AccessQuery exact;
  exact.stream_id = "P";
  std::string next;
  EXPECT_EQ(Read(exact, 25, &next).size(), 25u);
  EXPECT_EQ(next, "");
  exact.actor = "a";
  exact.after = "\x04not this query's";
  EXPECT_EQ(
      store_->ReadAccessLog(exact, [](const AccessEntry&) { return true; })
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(AccessTest, AReopenedStoreGoesOnWithTheSameChain) {
  WriteFour();
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Log({"P4"}, "c").ok());
  EXPECT_THAT(Read(AccessQuery()), ElementsAre(5, 4, 3, 2, 1));
  EXPECT_EQ(*store_->VerifyAccessLog(nullptr), 5u);
}

TEST_F(AccessTest, AChangedByteInARecordIsFound) {
  WriteFour();
  CloseAndEdit([](RawTable& access_log) {
    std::optional<std::string> value = access_log.Get(keys::AccessRecord(2));
    ASSERT_TRUE(value.has_value());
    (*value)[value->size() - 3] ^= 0x01;  // inside the entry's bytes
    access_log.Put(keys::AccessRecord(2), *value);
  });
  ASSERT_TRUE(Open().ok());
  const absl::Status verified = Verify();
  EXPECT_EQ(verified.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(verified.message(), HasSubstr("access record 2"));
}

TEST_F(AccessTest, ADeletedRecordIsFoundByVerifyAndByTheRead) {
  WriteFour();
  CloseAndEdit(
      [](RawTable& access_log) { access_log.Delete(keys::AccessRecord(2)); });
  ASSERT_TRUE(Open().ok());
  const absl::Status verified = Verify();
  EXPECT_EQ(verified.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(verified.message(),
              HasSubstr("access record 2: missing; the next stored record "
                        "is 3"));
  AccessQuery p2;
  p2.stream_id = "P2";
  EXPECT_EQ(store_->ReadAccessLog(p2, [](const AccessEntry&) { return true; })
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(AccessTest, ADeletedOrAddedIndexEntryIsFound) {
  WriteFour();
  // Hiding a read from a person's listing: its by-stream entry goes.
  CloseAndEdit([](RawTable& access_log) {
    const std::string prefix =
        keys::AccessIndexPrefix(keys::kAccessByStreamTag, "P2");
    std::optional<std::string> entry = access_log.FirstKeyFrom(prefix);
    ASSERT_TRUE(entry.has_value());
    ASSERT_TRUE(absl::StartsWith(*entry, prefix));
    access_log.Delete(*entry);
  });
  ASSERT_TRUE(Open().ok());
  AccessQuery p2;
  p2.stream_id = "P2";
  EXPECT_TRUE(Read(p2).empty());
  absl::Status verified = Verify();
  EXPECT_EQ(verified.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(verified.message(),
              HasSubstr("access record 2: an index entry of it is missing"));

  // Putting it back under another person's name is found as well.
  CloseAndEdit([](RawTable& access_log) {
    for (const char* stream : {"P2", "P9"}) {
      const std::string prefix =
          keys::AccessIndexPrefix(keys::kAccessByStreamTag, stream);
      access_log.Put(keys::AccessIndex(prefix, Day(3), 2), "");
    }
  });
  ASSERT_TRUE(Open().ok());
  verified = Verify();
  EXPECT_EQ(verified.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(verified.message(),
              HasSubstr("indexes hold 13 entries for 4 records"));
  AccessQuery p9;
  p9.stream_id = "P9";
  EXPECT_EQ(store_->ReadAccessLog(p9, [](const AccessEntry&) { return true; })
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(AccessTest, ARemovedLastRecordStopsOpen) {
  WriteFour();
  CloseAndEdit(
      [](RawTable& access_log) { access_log.Delete(keys::AccessRecord(4)); });
  const absl::Status opened = Open();
  EXPECT_EQ(opened.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(opened.message(),
              HasSubstr("meta says the access log ends at record 4 but the "
                        "last stored record is 3"));
}

// What an earlier release wrote: stream \0 time sequence -> its record.
std::string LegacyKey(const std::string& stream, absl::Time time,
                      uint64_t sequence) {
  std::string key = stream;
  key.push_back('\0');
  keys::PutTime(&key, time);
  keys::PutU64(&key, sequence);
  return key;
}

TEST_F(AccessTest, RecordsOfAnEarlierReleaseAreChainedOnOpen) {
  CloseAndEdit([](RawTable& access_log) {
    for (int i = 0; i < 5000; ++i) {  // more than one migration batch
      const std::string stream = i % 2 == 0 ? "P1" : "P2";
      access_log.Put(LegacyKey(stream, Day(1) + absl::Seconds(i), i),
                     absl::StrCat("old:", i % 3));
    }
  });
  const absl::Status refused = Open();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("before it was chained"));

  auto reader = [](absl::string_view record)
      -> absl::StatusOr<StoreOptions::LegacyAccess> {
    return StoreOptions::LegacyAccess{std::string(record.substr(4)), "old"};
  };
  ASSERT_TRUE(Open(reader).ok());
  EXPECT_EQ(*store_->VerifyAccessLog(nullptr), 5000u);
  AccessQuery p1_by_2;
  p1_by_2.stream_id = "P1";
  p1_by_2.actor = "2";  // i % 3 == 2 and even
  std::vector<AccessEntry> entries;
  ASSERT_TRUE(store_
                  ->ReadAccessLog(p1_by_2,
                                  [&](const AccessEntry& entry) {
                                    entries.push_back(entry);
                                    return true;
                                  })
                  .ok());
  ASSERT_EQ(entries.size(), 833u);  // i = 2, 8, ..., 4994
  EXPECT_EQ(FromTimestamp(entries.front().time()),
            Day(1) + absl::Seconds(4994));
  EXPECT_EQ(entries.front().detail(), "old");

  // New records go on from the migrated ones.
  ASSERT_TRUE(Open().ok());  // nothing left to migrate: no reader needed
  ASSERT_TRUE(Log({"P1"}, "new").ok());
  EXPECT_EQ(*store_->VerifyAccessLog(nullptr), 5001u);
}

}  // namespace
}  // namespace returnpath::engine
