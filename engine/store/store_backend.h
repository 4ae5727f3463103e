#ifndef RETURNPATH_ENGINE_STORE_STORE_BACKEND_H_
#define RETURNPATH_ENGINE_STORE_STORE_BACKEND_H_

// Store-internal: where the store's tables live. The event store's logic (the
// commit pipeline, the chain, sealing, verification, reads) is written
// against this; RocksDB (embedded, the default) and PostgreSQL (shared by
// several daemons, for high availability) implement it.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/event_store.h"
#include "engine/master_key.h"
#include "engine/store_view.h"
#include "store/hash_chain.h"
#include "store/write_set.h"

namespace returnpath::engine {

// Whether a store path names a PostgreSQL database (StoreOptions::path).
bool IsPostgresUri(absl::string_view path);

// One group's write: reads of the latest durable state (the group's own
// writes are not seen: the sequencer keeps those), then Commit. On a shared
// backend every other writer of the store waits from BeginGroup until Commit
// returns or this is destroyed (which abandons the write), so what the group
// read stays current while it runs.
class GroupWrite : public StoreView {
 public:
  // Reads `keys` now, in as few round trips as the backend can, so that the
  // group's later Gets of them are answered from memory. Only a hint: a key
  // not named is read when asked for. An error is the read's.
  virtual absl::Status Prefetch(absl::Span<const TableKey> keys) {
    return absl::OkStatus();
  }

  // Writes `writes` in one atomic, durable step (when the backend syncs).
  // Called at most once. An error means nothing was written.
  virtual absl::Status Commit(const WriteSet& writes) = 0;
};

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;

  // Reads of the latest durable state, each on its own (no snapshot).
  virtual const StoreView& Latest() const = 0;

  // One consistent view of every table; release it before Close.
  virtual absl::StatusOr<std::unique_ptr<StoreView>> Snapshot() const = 0;

  // Starts a group's write (see GroupWrite). Called by one thread at a time.
  virtual absl::StatusOr<std::unique_ptr<GroupWrite>> BeginGroup() = 0;

  // Whether other processes may write the same store: then the chain's end
  // is read again at the start of every group, and groups are not
  // pipelined (a group's reads must come after the write before it).
  virtual bool Shared() const = 0;

  // On a shared backend: calls `changed` (on a thread of the backend's,
  // which it must not block) whenever another process may have committed a
  // write, e.g. to wake long polls and subscriptions; the tables are the
  // truth, this only says when to look. Never called on others. Call before
  // any write.
  virtual void OnOthersCommitted(std::function<void()> changed) {}
  // Stops calling `changed` and returns once no call is running. The store
  // calls it before it closes, holding no lock (a call may take one).
  virtual void StopWatching() {}

  // Closes the connection or database. Idempotent; later calls fail.
  virtual absl::Status Close() = 0;

  // Maintenance, as EventStore's SyncLog, Flush, Compact, Backup and Gauges
  // say. A backend where one means nothing (every commit durable, no
  // memtables) does nothing; Backup is refused where the database backs
  // itself up.
  virtual absl::Status SyncLog() { return absl::OkStatus(); }
  virtual absl::Status Flush() { return absl::OkStatus(); }
  virtual absl::Status Compact(Table table) { return absl::OkStatus(); }
  // After an erasure: rewrites what holds removed records, so that no file
  // of the store keeps them.
  virtual absl::Status RewriteWithoutRemoved() { return absl::OkStatus(); }
  // `covered`: the durable end of the log as the backup starts.
  virtual absl::StatusOr<StoreBackup> Backup(const std::string& dir,
                                             const ChainState& covered,
                                             uint32_t keep) {
    return absl::FailedPreconditionError(
        "this store is backed up with its database's own tools "
        "(pg_basebackup, point-in-time recovery)");
  }
  // Fills in what the backend knows (sizes, free disk).
  virtual void FillGauges(StoreGauges* gauges) const {}

  // The keys that open sealed events (store/sealing.h); null: sealing is
  // off. Set once by the store's Open, before any read or write.
  const std::shared_ptr<const MasterKeyring>& master_keys() const {
    return master_keys_;
  }
  void set_master_keys(std::shared_ptr<const MasterKeyring> keys) {
    master_keys_ = std::move(keys);
  }

  // Writes `writes` as one group of its own (schema records at open).
  absl::Status WriteNow(const WriteSet& writes);

 private:
  std::shared_ptr<const MasterKeyring> master_keys_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_STORE_BACKEND_H_
