#ifndef RETURNPATH_ENGINE_STORE_WRITE_GATE_H_
#define RETURNPATH_ENGINE_STORE_WRITE_GATE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/clock.h"
#include "store/store_db.h"

namespace returnpath::engine {

// Where the store reports a change in whether it accepts writes: level
// ("warning", "error", "info") and one sentence. Called on the writing thread.
using StoreLog =
    std::function<void(absl::string_view level, absl::string_view message)>;

// Decides before each group write whether the store may write, and turns a
// failed write into a refusal a caller can act on. Writes are refused with
// RESOURCE_EXHAUSTED while the data disk has less than `min_free_bytes` free,
// and with UNAVAILABLE after a failed write until DB::Resume succeeds (tried
// on the next write, then at most once per kResumeInterval of the clock).
// Each change is logged once. Called by the one writing thread (AfterWrite
// also by EventStore::Flush, for a failed flush); the DB and
// clock are borrowed.
//
// RocksDB 7.8 must never write to a log file whose write failed (it aborts
// the process). DB::Resume leaves that file only by flushing a memtable that
// holds data, so the gate keeps one filled before every write (a delete of
// keys::kMetaLogKeeper, outside the log). Should every memtable still be
// empty when a write has failed, Resume would keep the failed file: writes
// are then refused until the store is opened again.
class WriteGate {
 public:
  static constexpr absl::Duration kResumeInterval = absl::Seconds(1);

  WriteGate(StoreDb* db, std::string path, uint64_t min_free_bytes,
            Clock* clock, StoreLog log);

  // OK, or why the next write may not happen.
  absl::Status BeforeWrite();
  // What the writers of a group get for `written`; a failure closes the gate
  // until the store has recovered.
  absl::Status AfterWrite(const rocksdb::Status& written);

 private:
  // The disk-full refusal; `free` from the last look.
  absl::Status DiskFull(uint64_t free) const;
  absl::Status Failed() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Resume, once the clock allows; OK once the store writes again.
  absl::Status TryResume() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether the active memtable of `cf` holds an entry.
  bool MemtableFilled(Table cf) const;
  // Whether some column family's active memtable holds an entry.
  bool AnyMemtableFilled() const;
  // Fills the meta memtable if it is empty (see the class comment).
  absl::Status KeepAMemtableFilled();

  // Constant after construction.
  StoreDb* const store_db_;
  rocksdb::DB* const db_;
  const std::string path_;
  const uint64_t min_free_bytes_;
  Clock* const clock_;
  const StoreLog log_;

  absl::Mutex mu_;
  bool disk_full_ ABSL_GUARDED_BY(mu_) = false;
  // The failed write's cause, path-free; empty while writes succeed.
  std::string failure_ ABSL_GUARDED_BY(mu_);
  absl::Time last_resume_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // A write failed while every memtable was empty: no Resume until reopened.
  bool needs_reopen_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_WRITE_GATE_H_
