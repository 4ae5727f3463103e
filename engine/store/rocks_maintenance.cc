// RocksBackend's maintenance: log sync, flush, compaction (after an erasure
// too), backups and the gauges an operator's metrics scrape reads.

#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "rocksdb/file_system.h"
#include "store/backup.h"
#include "store/rocks_backend.h"

namespace returnpath::engine {
namespace {

// A RocksDB integer property summed over every column family; 0 if unknown.
uint64_t SumProperty(const StoreDb& db, const std::string& property) {
  uint64_t sum = 0;
  for (size_t cf = 0; cf < kTableCount; ++cf) {
    uint64_t value = 0;
    if (db.db()->GetIntProperty(db.cf(static_cast<Table>(cf)), property,
                                &value)) {
      sum += value;
    }
  }
  return sum;
}

}  // namespace

absl::Status RocksBackend::SyncLog() {
  return FromRocks(db_->db()->SyncWAL(), "syncing the log");
}

absl::Status RocksBackend::Flush() {
  std::vector<rocksdb::ColumnFamilyHandle*> all;
  for (size_t cf = 0; cf < kTableCount; ++cf) {
    all.push_back(db_->cf(static_cast<Table>(cf)));
  }
  const rocksdb::Status flushed =
      db_->db()->Flush(rocksdb::FlushOptions(), all);
  // A disk that failed the flush fails writes too: refused as they are, and
  // recovered at the next write.
  if (flushed.IsIOError()) return gate_->AfterWrite(flushed);
  return FromRocks(flushed, "flushing the tables");
}

absl::Status RocksBackend::Compact(Table table) {
  return FromRocks(db_->db()->CompactRange(rocksdb::CompactRangeOptions(),
                                           db_->cf(table), nullptr, nullptr),
                   absl::StrCat("compacting the ", TableName(table)));
}

absl::Status RocksBackend::RewriteWithoutRemoved() {
  RP_RETURN_IF_ERROR(Flush());
  rocksdb::CompactRangeOptions options;
  // The last level too, where a deleted value would otherwise stay until
  // that file is next compacted.
  options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  // The tables an erasure deletes from or overwrites; the events stay as
  // they were (their erasable part sealed), so their table, the largest, is
  // left alone. `keys` last: its keys are stream ids only, and each
  // compaction starts a MANIFEST listing the files live before it
  // (store_db.cc), so the last one lists none that held erased keys.
  for (const Table table :
       {Table::kState, Table::kTimers, Table::kTimerIds, Table::kTasks,
        Table::kTaskReady, Table::kIndex, Table::kMeta, Table::kKeys}) {
    RP_RETURN_IF_ERROR(FromRocks(
        db_->db()->CompactRange(options, db_->cf(table), nullptr, nullptr),
        absl::StrCat("compacting the ", TableName(table),
                     " after an erasure")));
  }
  return absl::OkStatus();
}

absl::StatusOr<StoreBackup> RocksBackend::Backup(const std::string& dir,
                                                 const ChainState& covered,
                                                 uint32_t keep) {
  return BackUpStore(*db_, dir, covered, keep);
}

void RocksBackend::FillGauges(StoreGauges* gauges) const {
  gauges->file_bytes = SumProperty(*db_, "rocksdb.total-sst-files-size");
  gauges->memtable_bytes =
      SumProperty(*db_, "rocksdb.cur-size-all-mem-tables");
  gauges->live_data_bytes =
      SumProperty(*db_, "rocksdb.estimate-live-data-size");
  gauges->pending_compaction_bytes =
      SumProperty(*db_, "rocksdb.estimate-pending-compaction-bytes");
  uint64_t running = 0;
  if (db_->db()->GetIntProperty("rocksdb.num-running-compactions", &running)) {
    gauges->running_compactions = running;
  }
  uint64_t free = 0;
  if (db_->db()
          ->GetFileSystem()
          ->GetFreeSpace(db_->db()->GetName(), rocksdb::IOOptions(), &free,
                         nullptr)
          .ok()) {
    gauges->free_disk_bytes = free;
  }
}

}  // namespace returnpath::engine
