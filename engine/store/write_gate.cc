#include "store/write_gate.h"

#include <utility>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "rocksdb/file_system.h"
#include "store/keys.h"

namespace returnpath::engine {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

void RawLog(absl::string_view level, absl::string_view message) {
  if (level == "info") {
    ABSL_RAW_LOG(INFO, "%.*s", static_cast<int>(message.size()),
                 message.data());
  } else {
    ABSL_RAW_LOG(WARNING, "%.*s", static_cast<int>(message.size()),
                 message.data());
  }
}

}  // namespace

WriteGate::WriteGate(StoreDb* db, std::string path, uint64_t min_free_bytes,
                     Clock* clock, StoreLog log)
    : store_db_(db),
      db_(db->db()),
      path_(std::move(path)),
      min_free_bytes_(min_free_bytes),
      clock_(clock),
      log_(log ? std::move(log) : StoreLog(RawLog)) {}

absl::Status WriteGate::DiskFull(uint64_t free) const {
  return absl::ResourceExhaustedError(absl::StrCat(
      "the data disk is full: ", free / kMiB, " MiB free, writes resume above ",
      min_free_bytes_ / kMiB, " MiB"));
}

absl::Status WriteGate::Failed() const {
  return absl::UnavailableError(absl::StrCat(
      "the store refuses writes: a write to its disk failed (", failure_,
      "); writes resume once ",
      needs_reopen_ ? "returnpathd has been restarted" : "it has recovered"));
}

absl::Status WriteGate::BeforeWrite() {
  uint64_t free = 0;
  // statvfs on the data directory: about a microsecond, next to a group's
  // fsync of a millisecond or more, so it is asked for every group.
  const rocksdb::IOStatus probed = db_->GetFileSystem()->GetFreeSpace(
      path_, rocksdb::IOOptions(), &free, nullptr);
  {
    absl::MutexLock lock(&mu_);
    if (probed.ok() && free < min_free_bytes_) {
      if (!disk_full_) {
        disk_full_ = true;
        log_("warning", DiskFull(free).message());
      }
      return DiskFull(free);
    }
    if (disk_full_) {
      disk_full_ = false;
      log_("info", absl::StrCat("the data disk has ", free / kMiB,
                                " MiB free again: writes resume"));
    }
    if (!failure_.empty()) RP_RETURN_IF_ERROR(TryResume());
  }
  return KeepAMemtableFilled();
}

absl::Status WriteGate::TryResume() {
  if (needs_reopen_) return Failed();
  const absl::Time now = clock_->Now();
  if (now - last_resume_ < kResumeInterval) return Failed();
  last_resume_ = now;
  if (!AnyMemtableFilled()) {
    needs_reopen_ = true;
    log_("error",
         "the store cannot recover from the failed write while it runs "
         "(RocksDB would write to the failed log file again): restart "
         "returnpathd");
    return Failed();
  }
  const rocksdb::Status resumed = db_->Resume();
  if (!resumed.ok()) {
    log_("error", absl::StrCat("the store could not recover from the failed "
                               "write (",
                               resumed.ToString(),
                               "); it tries again, and a restart of "
                               "returnpathd recovers it"));
    return Failed();
  }
  log_("info", absl::StrCat("the store has recovered from a failed write (",
                            failure_, "): writes resume"));
  failure_.clear();
  return absl::OkStatus();
}

bool WriteGate::MemtableFilled(Table cf) const {
  uint64_t entries = 0;
  return db_->GetIntProperty(store_db_->cf(cf),
                             rocksdb::DB::Properties::kNumEntriesActiveMemTable,
                             &entries) &&
         entries > 0;
}

bool WriteGate::AnyMemtableFilled() const {
  for (size_t cf = 0; cf < kTableCount; ++cf) {
    if (MemtableFilled(static_cast<Table>(cf))) return true;
  }
  return false;
}

absl::Status WriteGate::KeepAMemtableFilled() {
  if (MemtableFilled(Table::kMeta)) return absl::OkStatus();
  rocksdb::WriteOptions outside_the_log;
  outside_the_log.disableWAL = true;
  return AfterWrite(db_->Delete(outside_the_log, store_db_->cf(Table::kMeta),
                                keys::kMetaLogKeeper));
}

absl::Status WriteGate::AfterWrite(const rocksdb::Status& written) {
  if (written.ok()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  if (failure_.empty()) {
    // The operator's log keeps RocksDB's own words, file names included.
    log_("error", absl::StrCat("a write to the store failed; writes are "
                               "refused until it has recovered: ",
                               written.ToString()));
    failure_ = WithoutPaths(written.ToString());
  }
  if (written.IsNoSpace()) {
    uint64_t free = 0;
    db_->GetFileSystem()
        ->GetFreeSpace(path_, rocksdb::IOOptions(), &free, nullptr)
        .PermitUncheckedError();
    return DiskFull(free);
  }
  return Failed();
}

}  // namespace returnpath::engine
