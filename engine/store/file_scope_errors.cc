#include "store/file_scope_errors.h"

#include <string>
#include <utility>

namespace returnpath::engine {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

IOStatus Scoped(IOStatus s) {
  if (s.IsIOError() && !s.IsNoSpace()) {
    s.SetScope(IOStatus::IOErrorScope::kIOErrorScopeFile);
  }
  return s;
}

class ScopedWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  using FSWritableFileOwnerWrapper::FSWritableFileOwnerWrapper;

  IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                  IODebugContext* dbg) override {
    return Scoped(target()->Append(data, options, dbg));
  }
  IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info,
                  IODebugContext* dbg) override {
    return Scoped(target()->Append(data, options, info, dbg));
  }
  IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                            const IOOptions& options,
                            IODebugContext* dbg) override {
    return Scoped(target()->PositionedAppend(data, offset, options, dbg));
  }
  IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                            const IOOptions& options,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* dbg) override {
    return Scoped(target()->PositionedAppend(data, offset, options, info, dbg));
  }
  IOStatus Truncate(uint64_t size, const IOOptions& options,
                    IODebugContext* dbg) override {
    return Scoped(target()->Truncate(size, options, dbg));
  }
  IOStatus Close(const IOOptions& options, IODebugContext* dbg) override {
    return Scoped(target()->Close(options, dbg));
  }
  IOStatus Flush(const IOOptions& options, IODebugContext* dbg) override {
    return Scoped(target()->Flush(options, dbg));
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    return Scoped(target()->Sync(options, dbg));
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    return Scoped(target()->Fsync(options, dbg));
  }
  IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const IOOptions& options,
                     IODebugContext* dbg) override {
    return Scoped(target()->RangeSync(offset, nbytes, options, dbg));
  }
};

class ScopedDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  using FSDirectoryWrapper::FSDirectoryWrapper;

  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    return Scoped(FSDirectoryWrapper::Fsync(options, dbg));
  }
  IOStatus FsyncWithDirOptions(
      const IOOptions& options, IODebugContext* dbg,
      const rocksdb::DirFsyncOptions& dir_options) override {
    return Scoped(
        FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options));
  }
};

class FileScopeErrorFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  using FileSystemWrapper::FileSystemWrapper;

  const char* Name() const override { return "FileScopeErrorFileSystem"; }

  IOStatus NewWritableFile(const std::string& fname,
                           const rocksdb::FileOptions& options,
                           std::unique_ptr<rocksdb::FSWritableFile>* result,
                           IODebugContext* dbg) override {
    return Wrap(target()->NewWritableFile(fname, options, result, dbg), result);
  }
  IOStatus ReopenWritableFile(const std::string& fname,
                              const rocksdb::FileOptions& options,
                              std::unique_ptr<rocksdb::FSWritableFile>* result,
                              IODebugContext* dbg) override {
    return Wrap(target()->ReopenWritableFile(fname, options, result, dbg),
                result);
  }
  IOStatus ReuseWritableFile(const std::string& fname,
                             const std::string& old_fname,
                             const rocksdb::FileOptions& options,
                             std::unique_ptr<rocksdb::FSWritableFile>* result,
                             IODebugContext* dbg) override {
    return Wrap(
        target()->ReuseWritableFile(fname, old_fname, options, result, dbg),
        result);
  }
  IOStatus NewDirectory(const std::string& name, const IOOptions& options,
                        std::unique_ptr<rocksdb::FSDirectory>* result,
                        IODebugContext* dbg) override {
    IOStatus s = target()->NewDirectory(name, options, result, dbg);
    if (s.ok()) *result = std::make_unique<ScopedDirectory>(std::move(*result));
    return s;
  }

 private:
  static IOStatus Wrap(IOStatus s,
                       std::unique_ptr<rocksdb::FSWritableFile>* result) {
    if (s.ok()) {
      *result = std::make_unique<ScopedWritableFile>(std::move(*result));
    }
    return Scoped(std::move(s));
  }
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> WithFileScopeErrors(
    std::shared_ptr<rocksdb::FileSystem> base) {
  return std::make_shared<FileScopeErrorFileSystem>(std::move(base));
}

}  // namespace returnpath::engine
