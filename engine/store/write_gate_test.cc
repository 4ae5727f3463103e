// The write gate on a bare store database, writing as the sequencer does:
// the one failure DB::Resume cannot get past while the process runs is
// refused until the store is opened again, instead of aborting the process.

#include "store/write_gate.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/clock.h"
#include "engine/testing/fault_file_system.h"
#include "engine/testing/store_test_util.h"
#include "gtest/gtest.h"
#include "store/keys.h"
#include "store/store_db.h"

namespace returnpath::engine::testing {
namespace {

class WriteGateTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    gate_.reset();
    // Closing after a failed write reports that failure again.
    if (db_ != nullptr) db_->Close().IgnoreError();
    auto db = StoreDb::Open(dir_.path(), fs_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    gate_ = std::make_unique<WriteGate>(
        db_.get(), dir_.path(), /*min_free_bytes=*/0, &clock_,
        [this](absl::string_view level, absl::string_view message) {
          log_.push_back(absl::StrCat(level, ": ", message));
        });
  }

  // One synced write of `key` through the gate, as a group commit makes it.
  absl::Status Write(const std::string& key) {
    absl::Status refused = gate_->BeforeWrite();
    if (!refused.ok()) return refused;
    rocksdb::WriteBatch batch;
    EXPECT_TRUE(batch.Put(db_->cf(Table::kEvents), key, "v").ok());
    rocksdb::WriteOptions synced;
    synced.sync = true;
    return gate_->AfterWrite(db_->db()->Write(synced, &batch));
  }

  // What RocksDB does when the logs outgrow max_total_wal_size: every
  // memtable moves to a new log file, all of them empty.
  void FlushEveryMemtable() {
    rocksdb::FlushOptions wait;
    for (size_t cf = 0; cf < kTableCount; ++cf) {
      ASSERT_TRUE(db_->db()->Flush(wait, db_->cf(static_cast<Table>(cf))).ok());
    }
  }

  bool Has(const std::string& key) {
    return db_->Get(Table::kEvents, key, nullptr).ok();
  }

  TempDir dir_;
  ManualClock clock_{Day(1)};
  std::shared_ptr<FaultFileSystem> fs_ = std::make_shared<FaultFileSystem>();
  std::unique_ptr<StoreDb> db_;
  std::unique_ptr<WriteGate> gate_;
  std::vector<std::string> log_;
};

TEST_F(WriteGateTest, AFailedWriteRecoversWhileAMemtableHoldsData) {
  ASSERT_TRUE(Write("a").ok());
  fs_->FailNth(FaultOp::kSync, 1, rocksdb::IOStatus::IOError("bad disk"));
  EXPECT_EQ(Write("b").code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(Write("c").ok());
  ASSERT_TRUE(Write("d").ok());
  EXPECT_TRUE(Has("a") && Has("c") && Has("d"));
  ASSERT_EQ(log_.size(), 2u);
  EXPECT_TRUE(absl::StartsWith(log_[1], "info: the store has recovered"));
}

// A flush in the background fails (a table file cannot be written): RocksDB
// stops writes; the next write is refused, the one after resumes the store,
// which writes the table again, and nothing written before is lost.
TEST_F(WriteGateTest, AFailedFlushIsRefusedThenRecovered) {
  ASSERT_TRUE(Write("a").ok());
  fs_->FailNth(FaultOp::kSync, 1, rocksdb::IOStatus::IOError("bad disk"));
  EXPECT_FALSE(
      db_->db()->Flush(rocksdb::FlushOptions(), db_->cf(Table::kEvents)).ok());

  const absl::Status refused = Write("b");
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StartsWith(refused.message(), "the store refuses writes"))
      << refused.message();
  EXPECT_TRUE(Has("a"));  // reads go on
  ASSERT_TRUE(Write("c").ok());
  EXPECT_TRUE(absl::StartsWith(log_.back(), "info: the store has recovered"));

  Open();
  EXPECT_TRUE(Has("a") && Has("c"));
  EXPECT_FALSE(Has("b"));
}

TEST_F(WriteGateTest, AFailedWriteWithEveryMemtableEmptyWaitsForAReopen) {
  ASSERT_TRUE(Write("a").ok());
  ASSERT_TRUE(gate_->BeforeWrite().ok());
  FlushEveryMemtable();
  fs_->FailNth(FaultOp::kWrite, 1, rocksdb::IOStatus::IOError("bad disk"));
  rocksdb::WriteBatch batch;
  ASSERT_TRUE(batch.Put(db_->cf(Table::kEvents), "b", "v").ok());
  rocksdb::WriteOptions synced;
  synced.sync = true;
  EXPECT_EQ(gate_->AfterWrite(db_->db()->Write(synced, &batch)).code(),
            absl::StatusCode::kUnavailable);

  // Resuming now would keep the failed log file, and RocksDB would abort at
  // the next write to it: the gate refuses instead, also a second later.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const absl::Status refused = Write("c");
    EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
    EXPECT_TRUE(absl::EndsWith(refused.message(),
                               "writes resume once returnpathd has been "
                               "restarted"))
        << refused.message();
    clock_.Advance(absl::Seconds(1));
  }
  ASSERT_EQ(log_.size(), 2u);
  EXPECT_EQ(log_[1],
            "error: the store cannot recover from the failed write while it "
            "runs (RocksDB would write to the failed log file again): restart "
            "returnpathd");

  Open();
  ASSERT_TRUE(Write("d").ok());
  EXPECT_TRUE(Has("a") && Has("d"));
  EXPECT_FALSE(Has("c"));
}

}  // namespace
}  // namespace returnpath::engine::testing
