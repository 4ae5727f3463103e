// EventStoreImpl::Gauges: what an operator's metrics scrape asks of the store.

#include "commit/event_store_impl.h"
#include "rocksdb/file_system.h"

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

StoreGauges EventStoreImpl::Gauges() {
  StoreGauges gauges;
  absl::ReaderMutexLock lock(&mu_);
  if (closed_) return gauges;
  gauges.last_position = sequencer_->Committed().last_position;
  gauges.queued_commands = sequencer_->Queued();
  gauges.file_bytes = SumProperty(*db_, "rocksdb.total-sst-files-size");
  gauges.memtable_bytes = SumProperty(*db_, "rocksdb.cur-size-all-mem-tables");
  gauges.live_data_bytes = SumProperty(*db_, "rocksdb.estimate-live-data-size");
  gauges.pending_compaction_bytes =
      SumProperty(*db_, "rocksdb.estimate-pending-compaction-bytes");
  uint64_t running = 0;
  if (db_->db()->GetIntProperty("rocksdb.num-running-compactions", &running)) {
    gauges.running_compactions = running;
  }
  uint64_t free = 0;
  if (db_->db()
          ->GetFileSystem()
          ->GetFreeSpace(db_->db()->GetName(), rocksdb::IOOptions(), &free,
                         nullptr)
          .ok()) {
    gauges.free_disk_bytes = free;
  }
  return gauges;
}

}  // namespace returnpath::engine
