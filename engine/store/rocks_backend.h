#ifndef RETURNPATH_ENGINE_STORE_ROCKS_BACKEND_H_
#define RETURNPATH_ENGINE_STORE_ROCKS_BACKEND_H_

// Store-internal: the embedded backend, one RocksDB in a directory, written
// by this process only. It keeps what only RocksDB has within reach of the
// store (flush, compaction, backups, gauges) through db().

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/store_backend.h"
#include "store/store_db.h"
#include "store/write_gate.h"

namespace returnpath::engine {

class RocksBackend final : public StoreBackend {
 public:
  struct Options {
    std::string path;
    std::shared_ptr<rocksdb::FileSystem> file_system;  // null: the OS's
    uint64_t min_free_disk_bytes = 0;
    bool sync = true;  // fsync every group
    Clock* clock = nullptr;  // for the write gate's retries
    StoreLog log;
  };
  static absl::StatusOr<std::unique_ptr<RocksBackend>> Open(Options options);

  const StoreView& Latest() const override { return *latest_; }
  absl::StatusOr<std::unique_ptr<StoreView>> Snapshot() const override;
  absl::StatusOr<std::unique_ptr<GroupWrite>> BeginGroup() override;
  bool Shared() const override { return false; }
  absl::Status Close() override { return db_->Close(); }
  absl::Status SyncLog() override;
  absl::Status Flush() override;
  absl::Status Compact(Table table) override;
  absl::Status RewriteWithoutRemoved() override;
  absl::StatusOr<StoreBackup> Backup(const std::string& dir,
                                     const ChainState& covered,
                                     uint32_t keep) override;
  void FillGauges(StoreGauges* gauges) const override;

  StoreDb& db() const { return *db_; }
  WriteGate& gate() const { return *gate_; }

  // Writes `writes` as one batch, through the gate, synced if the backend
  // syncs.
  absl::Status Write(const WriteSet& writes);

 private:
  RocksBackend(std::unique_ptr<StoreDb> db, bool sync);

  const std::unique_ptr<StoreDb> db_;
  std::unique_ptr<WriteGate> gate_;
  const bool sync_;
  const std::unique_ptr<StoreView> latest_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_ROCKS_BACKEND_H_
