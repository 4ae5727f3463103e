#ifndef RETURNPATH_ENGINE_TESTING_FAULT_FILE_SYSTEM_H_
#define RETURNPATH_ENGINE_TESTING_FAULT_FILE_SYSTEM_H_

// Test-only: a file system that loses power on demand, for the store's
// crash and I/O-error tests (StoreOptions::file_system).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "engine/store_file_system.h"
#include "rocksdb/file_system.h"

namespace returnpath::engine::testing {

// `fs` as the store takes it (StoreOptions::file_system).
inline std::shared_ptr<StoreFileSystem> ForStore(
    std::shared_ptr<rocksdb::FileSystem> fs) {
  return std::make_shared<StoreFileSystem>(StoreFileSystem{std::move(fs)});
}

// The kinds of operation a fault can be injected into.
enum class FaultOp { kWrite, kSync, kRename, kOpen, kCount };

// A FileSystemWrapper that remembers what was written but not synced, and
// at LosePower() stops all writing; DropUnsyncedData() then makes the files
// what a power cut would have left: data past the last Sync gone (or torn),
// files whose directory entry was never synced gone. Thread-safe. Renames
// and deletions are taken as durable at once; syncs are recorded, not
// performed (the host keeps its page cache; only simulated crashes count).
class FaultFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultFileSystem(std::shared_ptr<rocksdb::FileSystem> base =
                               rocksdb::FileSystem::Default());

  const char* Name() const override { return "FaultFileSystem"; }

  // The `nth` operation of `op` from now (1: the next) fails with `error`,
  // once. A later call for the same op replaces an earlier one.
  void FailNth(FaultOp op, uint64_t nth, rocksdb::IOStatus error);
  // While on, every write fails with IOStatus::NoSpace.
  void SetDiskFull(bool full);
  // GetFreeSpace reports `bytes`; nullopt: what the base file system says.
  void SetFreeSpace(std::optional<uint64_t> bytes);

  // From now on every write, sync, rename, delete and open for writing fails
  // with an I/O error, as if the machine had lost power; reads still work.
  void LosePower();
  // Loses power after `ops` more writes and syncs (0: at once).
  void LosePowerAfter(uint64_t ops);
  bool powered_off() const;

  // After LosePower and once the database is closed: cuts every file back to
  // what was synced (with `tear`, keeps a random prefix of the unsynced tail
  // instead), deletes files created since their directory's last sync that
  // were never synced, forgets what it tracked and powers on again. Returns
  // the first error from the base file system. Without `power_on` the power
  // stays off: for a process about to exit with its database still open.
  rocksdb::IOStatus DropUnsyncedData(std::mt19937_64* rng, bool tear,
                                     bool power_on = true);

  // rocksdb::FileSystem
  rocksdb::IOStatus NewWritableFile(
      const std::string& fname, const rocksdb::FileOptions& file_opts,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& fname, const rocksdb::FileOptions& file_opts,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& fname, const std::string& old_fname,
      const rocksdb::FileOptions& file_opts,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomRWFile(
      const std::string& fname, const rocksdb::FileOptions& file_opts,
      std::unique_ptr<rocksdb::FSRandomRWFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name,
                                 const rocksdb::IOOptions& io_opts,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src,
                               const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& src, const std::string& target,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& fname, size_t size,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDir(const std::string& dirname,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDirIfMissing(const std::string& dirname,
                                       const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteDir(const std::string& dirname,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFreeSpace(const std::string& path,
                                 const rocksdb::IOOptions& options,
                                 uint64_t* free_space,
                                 rocksdb::IODebugContext* dbg) override;

  // Called by this file system's files and directories.
  rocksdb::IOStatus Appended(const std::string& fname, uint64_t end);
  rocksdb::IOStatus Synced(const std::string& fname);
  rocksdb::IOStatus Truncated(const std::string& fname, uint64_t size);
  rocksdb::IOStatus DirectorySynced(const std::string& dirname);

 private:
  // What the file system knows of a file written since power came on.
  struct TrackedFile {
    uint64_t written = 0;  // bytes the writer has appended
    uint64_t synced = 0;   // of them, bytes made durable by a Sync
    bool ever_synced = false;
    bool entry_synced = false;  // its directory was synced since it was made
  };

  // The status of one operation of `op`: the injected error if it is the
  // one, an I/O error once power is off, else OK. Counts it.
  rocksdb::IOStatus Check(FaultOp op) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  rocksdb::IOStatus CheckOp(FaultOp op) ABSL_LOCKS_EXCLUDED(mu_);
  // Wraps a file opened for writing; tracks it as `state` if `fresh` or not
  // tracked yet.
  std::unique_ptr<rocksdb::FSWritableFile> Track(
      const std::string& fname, std::unique_ptr<rocksdb::FSWritableFile> file,
      const TrackedFile& state, bool fresh) ABSL_LOCKS_EXCLUDED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, TrackedFile> files_ ABSL_GUARDED_BY(mu_);
  bool powered_off_ ABSL_GUARDED_BY(mu_) = false;
  bool disk_full_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<uint64_t> free_space_ ABSL_GUARDED_BY(mu_);
  // Writes and syncs left before power goes; -1: no such plan.
  int64_t ops_until_power_loss_ ABSL_GUARDED_BY(mu_) = -1;
  struct Injected {
    uint64_t remaining = 0;  // 0: none armed
    rocksdb::IOStatus error;
  };
  Injected injected_[static_cast<int>(FaultOp::kCount)] ABSL_GUARDED_BY(mu_);
};

}  // namespace returnpath::engine::testing

#endif  // RETURNPATH_ENGINE_TESTING_FAULT_FILE_SYSTEM_H_
