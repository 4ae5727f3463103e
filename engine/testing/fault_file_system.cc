#include "engine/testing/fault_file_system.h"

#include <algorithm>
#include <utility>

namespace returnpath::engine::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

std::string DirectoryOf(const std::string& fname) {
  const size_t slash = fname.find_last_of('/');
  return slash == std::string::npos ? "." : fname.substr(0, slash);
}

std::string WithoutTrailingSlash(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

IOStatus PowerLoss() { return IOStatus::IOError("simulated power loss"); }

// Through a reopened file: the POSIX file system has no FileSystem::Truncate.
IOStatus CutFile(rocksdb::FileSystem& fs, const std::string& fname,
                 uint64_t size) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s =
      fs.ReopenWritableFile(fname, rocksdb::FileOptions(), &file, nullptr);
  if (s.ok()) s = file->Truncate(size, IOOptions(), nullptr);
  if (s.ok()) s = file->Close(IOOptions(), nullptr);
  return s;
}

// Reports every append, sync and truncation to the file system before it
// reaches the file; a refused one never does.
class FaultWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file,
                    std::string fname, uint64_t size, FaultFileSystem* fs)
      : FSWritableFileOwnerWrapper(std::move(file)),
        fname_(std::move(fname)),
        size_(size),
        fs_(fs) {}

  IOStatus Append(const Slice& data, const IOOptions& options,
                  IODebugContext* dbg) override {
    IOStatus s = fs_->Appended(fname_, size_ + data.size());
    if (!s.ok()) return s;
    size_ += data.size();
    return FSWritableFileOwnerWrapper::Append(data, options, dbg);
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& /*info*/,
                  IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset,
                            const IOOptions& options,
                            IODebugContext* dbg) override {
    const uint64_t end = std::max(size_, offset + data.size());
    IOStatus s = fs_->Appended(fname_, end);
    if (!s.ok()) return s;
    size_ = end;
    return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options,
                                                        dbg);
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset,
                            const IOOptions& options,
                            const rocksdb::DataVerificationInfo& /*info*/,
                            IODebugContext* dbg) override {
    return PositionedAppend(data, offset, options, dbg);
  }
  IOStatus Truncate(uint64_t size, const IOOptions& options,
                    IODebugContext* dbg) override {
    IOStatus s = fs_->Truncated(fname_, size);
    if (!s.ok()) return s;
    size_ = size;
    return FSWritableFileOwnerWrapper::Truncate(size, options, dbg);
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    // The data must reach the operating system before it counts as synced.
    IOStatus s = FSWritableFileOwnerWrapper::Flush(options, dbg);
    return s.ok() ? fs_->Synced(fname_) : s;
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    return Sync(options, dbg);
  }
  IOStatus RangeSync(uint64_t /*offset*/, uint64_t /*nbytes*/,
                     const IOOptions& /*options*/,
                     IODebugContext* /*dbg*/) override {
    return IOStatus::OK();  // a hint only: it promises nothing durable
  }
  bool IsSyncThreadSafe() const override { return false; }

 private:
  const std::string fname_;
  uint64_t size_;  // bytes appended so far
  FaultFileSystem* const fs_;
};

class FaultDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  FaultDirectory(std::unique_ptr<rocksdb::FSDirectory> dir, std::string name,
                 FaultFileSystem* fs)
      : FSDirectoryWrapper(std::move(dir)), name_(std::move(name)), fs_(fs) {}

  IOStatus Fsync(const IOOptions& /*options*/,
                 IODebugContext* /*dbg*/) override {
    return fs_->DirectorySynced(name_);
  }
  IOStatus FsyncWithDirOptions(
      const IOOptions& options, IODebugContext* dbg,
      const rocksdb::DirFsyncOptions& /*dir_fsync_options*/) override {
    return Fsync(options, dbg);
  }

 private:
  const std::string name_;
  FaultFileSystem* const fs_;
};

}  // namespace

FaultFileSystem::FaultFileSystem(std::shared_ptr<rocksdb::FileSystem> base)
    : FileSystemWrapper(base) {}

void FaultFileSystem::FailNth(FaultOp op, uint64_t nth, IOStatus error) {
  absl::MutexLock lock(&mu_);
  injected_[static_cast<int>(op)] = {nth, std::move(error)};
}

void FaultFileSystem::SetDiskFull(bool full) {
  absl::MutexLock lock(&mu_);
  disk_full_ = full;
}

void FaultFileSystem::SetFreeSpace(std::optional<uint64_t> bytes) {
  absl::MutexLock lock(&mu_);
  free_space_ = bytes;
}

void FaultFileSystem::LosePower() { LosePowerAfter(0); }

void FaultFileSystem::LosePowerAfter(uint64_t ops) {
  absl::MutexLock lock(&mu_);
  if (ops == 0) {
    powered_off_ = true;
  } else {
    ops_until_power_loss_ = static_cast<int64_t>(ops);
  }
}

bool FaultFileSystem::powered_off() const {
  absl::MutexLock lock(&mu_);
  return powered_off_;
}

IOStatus FaultFileSystem::Check(FaultOp op) {
  if (powered_off_) return PowerLoss();
  if ((op == FaultOp::kWrite || op == FaultOp::kSync) &&
      ops_until_power_loss_ >= 0 && ops_until_power_loss_-- == 0) {
    powered_off_ = true;
    return PowerLoss();
  }
  Injected& injected = injected_[static_cast<int>(op)];
  if (injected.remaining > 0 && --injected.remaining == 0) {
    return injected.error;
  }
  if (op == FaultOp::kWrite && disk_full_) {
    return IOStatus::NoSpace("simulated full disk");
  }
  return IOStatus::OK();
}

IOStatus FaultFileSystem::Appended(const std::string& fname, uint64_t end) {
  absl::MutexLock lock(&mu_);
  IOStatus s = Check(FaultOp::kWrite);
  if (s.ok()) files_[fname].written = end;
  return s;
}

IOStatus FaultFileSystem::Synced(const std::string& fname) {
  absl::MutexLock lock(&mu_);
  IOStatus s = Check(FaultOp::kSync);
  if (!s.ok()) return s;
  TrackedFile& file = files_[fname];
  file.synced = file.written;
  file.ever_synced = true;
  return s;
}

IOStatus FaultFileSystem::Truncated(const std::string& fname, uint64_t size) {
  absl::MutexLock lock(&mu_);
  IOStatus s = Check(FaultOp::kWrite);
  if (!s.ok()) return s;
  auto it = files_.find(fname);
  if (it != files_.end()) {
    it->second.written = size;
    it->second.synced = std::min(it->second.synced, size);
  }
  return s;
}

IOStatus FaultFileSystem::DirectorySynced(const std::string& dirname) {
  absl::MutexLock lock(&mu_);
  IOStatus s = Check(FaultOp::kSync);
  if (!s.ok()) return s;
  const std::string dir = WithoutTrailingSlash(dirname);
  for (auto& [name, file] : files_) {
    if (DirectoryOf(name) == dir) file.entry_synced = true;
  }
  return s;
}

IOStatus FaultFileSystem::DropUnsyncedData(std::mt19937_64* rng, bool tear,
                                           bool power_on) {
  absl::MutexLock lock(&mu_);
  IOStatus first;
  const IOOptions io;
  for (const auto& [name, file] : files_) {
    IOStatus s;
    if (!file.ever_synced && !file.entry_synced) {
      s = target()->DeleteFile(name, io, nullptr);
      if (s.IsNotFound()) s = IOStatus::OK();
    } else {
      uint64_t keep = file.synced;
      if (tear && file.written > file.synced) {
        keep += (*rng)() % (file.written - file.synced + 1);
      }
      uint64_t size = 0;
      s = target()->GetFileSize(name, io, &size, nullptr);
      if (s.ok() && size > keep) s = CutFile(*target(), name, keep);
      if (s.IsNotFound()) s = IOStatus::OK();  // deleted since
    }
    if (first.ok() && !s.ok()) first = s;
  }
  files_.clear();
  powered_off_ = !power_on;
  ops_until_power_loss_ = -1;
  return first;
}

IOStatus FaultFileSystem::CheckOp(FaultOp op) {
  absl::MutexLock lock(&mu_);
  return Check(op);
}

std::unique_ptr<rocksdb::FSWritableFile> FaultFileSystem::Track(
    const std::string& fname, std::unique_ptr<rocksdb::FSWritableFile> file,
    const TrackedFile& state, bool fresh) {
  {
    absl::MutexLock lock(&mu_);
    if (fresh || files_.count(fname) == 0) files_[fname] = state;
  }
  return std::make_unique<FaultWritableFile>(std::move(file), fname,
                                             state.written, this);
}

IOStatus FaultFileSystem::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& file_opts,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  IOStatus s = CheckOp(FaultOp::kOpen);
  std::unique_ptr<rocksdb::FSWritableFile> file;
  if (s.ok()) s = target()->NewWritableFile(fname, file_opts, &file, dbg);
  if (s.ok()) *result = Track(fname, std::move(file), {}, /*fresh=*/true);
  return s;
}

IOStatus FaultFileSystem::ReopenWritableFile(
    const std::string& fname, const rocksdb::FileOptions& file_opts,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  IOStatus s = CheckOp(FaultOp::kOpen);
  std::unique_ptr<rocksdb::FSWritableFile> file;
  if (s.ok()) s = target()->ReopenWritableFile(fname, file_opts, &file, dbg);
  uint64_t size = 0;
  if (s.ok()) s = target()->GetFileSize(fname, IOOptions(), &size, dbg);
  // What was there before is as durable as it was; only new bytes count.
  const TrackedFile durable{size, size, true, true};
  if (s.ok()) *result = Track(fname, std::move(file), durable, /*fresh=*/false);
  return s;
}

IOStatus FaultFileSystem::ReuseWritableFile(
    const std::string& fname, const std::string& old_fname,
    const rocksdb::FileOptions& file_opts,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  IOStatus s = RenameFile(old_fname, fname, IOOptions(), dbg);
  if (!s.ok()) return s;
  return NewWritableFile(fname, file_opts, result, dbg);
}

IOStatus FaultFileSystem::NewRandomRWFile(
    const std::string& fname, const rocksdb::FileOptions& file_opts,
    std::unique_ptr<rocksdb::FSRandomRWFile>* result, IODebugContext* dbg) {
  IOStatus s = CheckOp(FaultOp::kOpen);
  // Not tracked: the store's RocksDB options never write through one.
  return s.ok() ? target()->NewRandomRWFile(fname, file_opts, result, dbg) : s;
}

IOStatus FaultFileSystem::NewDirectory(
    const std::string& name, const IOOptions& io_opts,
    std::unique_ptr<rocksdb::FSDirectory>* result, IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  IOStatus s = target()->NewDirectory(name, io_opts, &dir, dbg);
  if (!s.ok()) return s;
  *result = std::make_unique<FaultDirectory>(std::move(dir),
                                             WithoutTrailingSlash(name), this);
  return s;
}

IOStatus FaultFileSystem::RenameFile(const std::string& src,
                                     const std::string& target_name,
                                     const IOOptions& options,
                                     IODebugContext* dbg) {
  absl::MutexLock lock(&mu_);
  IOStatus s = Check(FaultOp::kRename);
  if (!s.ok()) return s;
  s = target()->RenameFile(src, target_name, options, dbg);
  if (!s.ok()) return s;
  auto it = files_.find(src);
  if (it == files_.end()) {
    files_.erase(target_name);
  } else {
    TrackedFile moved = it->second;
    moved.entry_synced = true;  // see the class comment
    files_.erase(it);
    files_[target_name] = moved;
  }
  return s;
}

IOStatus FaultFileSystem::LinkFile(const std::string& src,
                                   const std::string& target_name,
                                   const IOOptions& options,
                                   IODebugContext* dbg) {
  absl::MutexLock lock(&mu_);
  if (powered_off_) return PowerLoss();
  return target()->LinkFile(src, target_name, options, dbg);
}

IOStatus FaultFileSystem::DeleteFile(const std::string& fname,
                                     const IOOptions& options,
                                     IODebugContext* dbg) {
  absl::MutexLock lock(&mu_);
  if (powered_off_) return PowerLoss();
  IOStatus s = target()->DeleteFile(fname, options, dbg);
  if (s.ok()) files_.erase(fname);
  return s;
}

IOStatus FaultFileSystem::Truncate(const std::string& fname, size_t size,
                                   const IOOptions& options,
                                   IODebugContext* dbg) {
  IOStatus s = Truncated(fname, size);
  if (!s.ok()) return s;
  return target()->Truncate(fname, size, options, dbg);
}

IOStatus FaultFileSystem::CreateDir(const std::string& dirname,
                                    const IOOptions& options,
                                    IODebugContext* dbg) {
  if (powered_off()) return PowerLoss();
  return target()->CreateDir(dirname, options, dbg);
}

IOStatus FaultFileSystem::CreateDirIfMissing(const std::string& dirname,
                                             const IOOptions& options,
                                             IODebugContext* dbg) {
  if (powered_off()) return PowerLoss();
  return target()->CreateDirIfMissing(dirname, options, dbg);
}

IOStatus FaultFileSystem::DeleteDir(const std::string& dirname,
                                    const IOOptions& options,
                                    IODebugContext* dbg) {
  if (powered_off()) return PowerLoss();
  return target()->DeleteDir(dirname, options, dbg);
}

IOStatus FaultFileSystem::GetFreeSpace(const std::string& path,
                                       const IOOptions& options,
                                       uint64_t* free_space,
                                       IODebugContext* dbg) {
  {
    absl::MutexLock lock(&mu_);
    if (free_space_.has_value()) {
      *free_space = *free_space_;
      return IOStatus::OK();
    }
  }
  return target()->GetFreeSpace(path, options, free_space, dbg);
}

}  // namespace returnpath::engine::testing
