#ifndef RETURNPATH_ENGINE_STORE_FILE_SCOPE_ERRORS_H_
#define RETURNPATH_ENGINE_STORE_FILE_SCOPE_ERRORS_H_

#include <memory>

#include "rocksdb/file_system.h"

namespace returnpath::engine {

// Wraps `base` so that an I/O error while writing or syncing a file (or
// syncing a directory) is marked as scoped to that file. RocksDB never writes
// to such a file again: it can recover by flushing its memtables into new
// files (DB::Resume), where an unmarked error would stop writes until the
// process restarts. Out-of-space errors are left as they are (RocksDB has its
// own handling for them). Thread-safe as `base` is.
std::shared_ptr<rocksdb::FileSystem> WithFileScopeErrors(
    std::shared_ptr<rocksdb::FileSystem> base);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_FILE_SCOPE_ERRORS_H_
