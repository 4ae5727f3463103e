#ifndef RETURNPATH_ENGINE_STORE_STORE_DB_H_
#define RETURNPATH_ENGINE_STORE_STORE_DB_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/master_key.h"
#include "engine/store_view.h"
#include "rocksdb/db.h"
#include "rocksdb/listener.h"

namespace returnpath::engine {

// Debian's Abseil has its own string_view, distinct from std::string_view.
inline absl::string_view View(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}
inline rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

// Maps a RocksDB status to an absl::Status: corruption is DATA_LOSS, busy or
// timed out is UNAVAILABLE, the rest INTERNAL; the message starts with `what`
// and names files without their directory (WithoutPaths).
absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what);

// `text` with every absolute path cut to its last part ("/srv/rp/store/
// 000012.log" becomes "000012.log"): callers are never told where the data
// lives.
std::string WithoutPaths(absl::string_view text);

// The store's RocksDB with its column families (engine/keys.h).
// Thread-safe after Open, as RocksDB is; Close must not race other calls.
// Owns the DB and the column family handles until Close or destruction.
class StoreDb {
 public:
  // Opens or creates the database at `path` with every column family, on
  // `file_system` (null: the operating system's). Compactions leave
  // `reserved_bytes` free once the disk has been full. RocksDB does not
  // recover from a failed write by itself: DB::Resume does (WriteGate).
  static absl::StatusOr<std::unique_ptr<StoreDb>> Open(
      const std::string& path,
      std::shared_ptr<rocksdb::FileSystem> file_system = nullptr,
      uint64_t reserved_bytes = 0);

  ~StoreDb();
  StoreDb(const StoreDb&) = delete;
  StoreDb& operator=(const StoreDb&) = delete;

  rocksdb::DB* db() const { return db_.get(); }
  // The column family that holds `table` (keys::ColumnFamilies() is in Table
  // order).
  rocksdb::ColumnFamilyHandle* cf(Table table) const {
    return handles_[static_cast<size_t>(table)];
  }

  // Point read; NOT_FOUND if absent. `snapshot` may be null (latest).
  absl::StatusOr<std::string> Get(Table table, absl::string_view key,
                                  const rocksdb::Snapshot* snapshot) const;

  // Releases the handles and closes the database. Idempotent.
  absl::Status Close();


 private:
  StoreDb() = default;

  // Declared before db_: the database uses them until it is closed.
  std::unique_ptr<rocksdb::Env> env_;
  std::shared_ptr<rocksdb::EventListener> listener_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned; see Close
};

// Holds a RocksDB snapshot for one read and releases it after.
class ScopedSnapshot {
 public:
  explicit ScopedSnapshot(rocksdb::DB* db)
      : db_(db), snapshot_(db->GetSnapshot()) {}
  ~ScopedSnapshot() { db_->ReleaseSnapshot(snapshot_); }
  ScopedSnapshot(const ScopedSnapshot&) = delete;
  ScopedSnapshot& operator=(const ScopedSnapshot&) = delete;

  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_STORE_DB_H_
