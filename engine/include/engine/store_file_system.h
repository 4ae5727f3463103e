#ifndef RETURNPATH_ENGINE_STORE_FILE_SYSTEM_H_
#define RETURNPATH_ENGINE_STORE_FILE_SYSTEM_H_

// The embedded store's file system seam (StoreOptions::file_system), apart
// from the store's interface: the one public header that names RocksDB, for
// tests and test builds that inject faults
// (engine/testing/fault_file_system.h).

#include <memory>

#include "rocksdb/file_system.h"

namespace returnpath::engine {

// Where the embedded store keeps its files instead of the operating system's.
struct StoreFileSystem {
  std::shared_ptr<rocksdb::FileSystem> rocksdb;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_FILE_SYSTEM_H_
