// Tampering under the store: bytes flipped, events removed, the stream index
// or the chain head changed. Verify or Open must name the bad position.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/event_store.h"
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
using ::returnpath::engine::testing::Req;
using ::returnpath::engine::testing::TempDir;
using ::returnpath::engine::testing::TestStorePath;
using ::testing::HasSubstr;

// Flips one bit of byte `offset` of the stored value at `position`.
void FlipByte(const std::string& dir, uint64_t position, size_t offset) {
  EditStore(dir, Table::kEvents, [&](RawTable& events) {
    std::optional<std::string> value = events.Get(keys::Event(position));
    ASSERT_TRUE(value.has_value());
    ASSERT_LT(offset, value->size());
    (*value)[offset] ^= 0x04;
    events.Put(keys::Event(position), *value);
  });
}

class VerifyTest : public ::testing::Test {
 protected:
  VerifyTest() : clock_(Day(3)) {
    const absl::Status opened = Open();
    EXPECT_TRUE(opened.ok()) << opened;
    if (!opened.ok()) return;
    for (int i = 0; i < 20; ++i) {
      EXPECT_TRUE(
          store_->Append(Req("p-" + std::to_string(i % 3), {"e"})).ok());
    }
    store_.reset();
  }

  absl::Status Open() {
    store_.reset();
    StoreOptions options;
    options.path = TestStorePath(dir_.path());
    options.clock = &clock_;
    auto store = EventStore::Open(options);
    if (!store.ok()) return store.status();
    store_ = *std::move(store);
    return absl::OkStatus();
  }

  absl::Status OpenAndVerify() {
    absl::Status open = Open();
    if (!open.ok()) return open;
    return store_->Verify(1, 0, nullptr);
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(VerifyTest, IntactLogVerifiesWithProgress) {
  ASSERT_TRUE(Open().ok());
  std::vector<uint64_t> seen;
  EXPECT_TRUE(store_
                  ->Verify(1, 0,
                           [&](uint64_t p, uint64_t last) {
                             seen.push_back(p);
                             EXPECT_EQ(last, 20u);
                           })
                  .ok());
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), 20u);
  EXPECT_TRUE(store_->Verify(5, 9, nullptr).ok());
  EXPECT_TRUE(store_->Verify(21, 0, nullptr).ok());  // nothing past the end
  EXPECT_EQ(store_->Verify(30, 0, nullptr).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(VerifyTest, FlippedEnvelopeByteIsDataLossAtThatPosition) {
  FlipByte(dir_.path(), 7, 40);  // inside the envelope bytes
  absl::Status s = OpenAndVerify();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_THAT(s.message(), HasSubstr("position 7"));
  EXPECT_EQ(BadPositionOf(s), 7u);  // as data, for the audit service
  EXPECT_TRUE(store_->Verify(1, 6, nullptr).ok());  // before it is intact
}

TEST_F(VerifyTest, FlippedBytesAnywhereInAnEventAreFound) {
  std::string value;
  EditStore(dir_.path(), Table::kEvents, [&](RawTable& events) {
    value = events.Get(keys::Event(11)).value_or("");
  });
  ASSERT_FALSE(value.empty());
  // The hash, its boundary with the envelope, and a stride through the rest
  // (each probe reopens the database, so not every byte).
  std::vector<size_t> offsets = {0, 31, 32, 33, value.size() - 1};
  for (size_t offset = 40; offset < value.size(); offset += 9) {
    offsets.push_back(offset);
  }
  for (size_t offset : offsets) {
    FlipByte(dir_.path(), 11, offset);
    absl::Status s = OpenAndVerify();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << "offset " << offset;
    EXPECT_THAT(s.message(), HasSubstr("position 11")) << "offset " << offset;
    store_.reset();
    FlipByte(dir_.path(), 11, offset);  // restore
  }
  EXPECT_TRUE(OpenAndVerify().ok());
}

TEST_F(VerifyTest, RemovedEventIsDataLoss) {
  EditStore(dir_.path(), Table::kEvents,
            [](RawTable& events) { events.Delete(keys::Event(8)); });
  absl::Status s = OpenAndVerify();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("position 8: missing"));
  EXPECT_EQ(BadPositionOf(s), 8u);
}

TEST_F(VerifyTest, RedirectedStreamIndexIsDataLoss) {
  EditStore(dir_.path(), Table::kStreams, [](RawTable& streams) {
    // p-0's version 2 is position 4; point it at position 1.
    streams.Put(keys::StreamVersion("p-0", 2), keys::U64(1));
  });
  absl::Status s = OpenAndVerify();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("position 4"));
  EXPECT_EQ(BadPositionOf(s), 4u);
}

TEST_F(VerifyTest, TamperedLastEventOrMetaFailsOpen) {
  FlipByte(dir_.path(), 20, 3);  // the stored hash of the last event
  absl::Status s = Open();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("position 20"));
  FlipByte(dir_.path(), 20, 3);

  EditStore(dir_.path(), Table::kEvents,
            [](RawTable& events) { events.Delete(keys::Event(20)); });
  s = Open();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("last stored event is at 19"));
}

}  // namespace
}  // namespace returnpath::engine
