// The exact stored bytes of events (each hash recomputable from them and the
// previous hash) and checkpoints kept beside the log.

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "engine/digest.h"
#include "engine/event_store.h"
#include "engine/testing/store_test_util.h"
#include "engine/testing/test_store.h"
#include "gtest/gtest.h"
#include "store/hash_chain.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::Req;
using ::returnpath::engine::testing::TempDir;
using ::returnpath::engine::testing::TestStorePath;

class StoredRecordsTest : public ::testing::Test {
 protected:
  StoredRecordsTest() : clock_(Day(10)) { Reopen(); }

  void Reopen() {
    store_.reset();
    StoreOptions options;
    options.path = TestStorePath(dir_.path());
    options.clock = &clock_;
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  absl::Status Put(uint64_t position, std::string record) {
    absl::Status written;
    absl::Notification done;
    store_->PutCheckpointAsync(position, std::move(record),
                               [&](absl::Status s) {
                                 written = s;
                                 done.Notify();
                               });
    done.WaitForNotification();
    return written;
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(StoredRecordsTest, StoredBytesRehashToTheChain) {
  ASSERT_TRUE(store_->Append(Req("p-1", {"one", "two"})).ok());
  ASSERT_TRUE(store_->Append(Req("p-2", {"three"})).ok());
  absl::StatusOr<std::vector<StoredEvent>> stored =
      store_->ReadStoredEvents({1, 2, 3});
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), 3u);
  std::string previous = GenesisHash();
  for (const StoredEvent& event : *stored) {
    EXPECT_EQ(event.hash, Sha256(previous + event.envelope_bytes));
    v1::EventEnvelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(event.envelope_bytes));
    EXPECT_EQ(envelope.position(), event.position);
    EXPECT_TRUE(envelope.hash().empty());
    previous = event.hash;
  }
}

TEST_F(StoredRecordsTest, AMissingPositionIsNamed) {
  ASSERT_TRUE(store_->Append(Req("p-1", {"one"})).ok());
  absl::StatusOr<std::vector<StoredEvent>> stored =
      store_->ReadStoredEvents({1, 7});
  EXPECT_EQ(stored.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(stored.status().message(), "no event at position 7");
}

TEST_F(StoredRecordsTest, CheckpointsAreKeptInPositionOrderAcrossAReopen) {
  ASSERT_TRUE(Put(12, "twelve").ok());
  ASSERT_TRUE(Put(3, "three").ok());
  ASSERT_TRUE(Put(300, "three hundred").ok());
  Reopen();
  absl::StatusOr<std::vector<Checkpoint>> all = store_->ReadCheckpoints(0, 10);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].position, 3u);
  EXPECT_EQ((*all)[1].record, "twelve");
  EXPECT_EQ((*all)[2].position, 300u);
  absl::StatusOr<std::vector<Checkpoint>> later = store_->ReadCheckpoints(4, 1);
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].position, 12u);
}

}  // namespace
}  // namespace returnpath::engine
