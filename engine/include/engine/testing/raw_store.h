#ifndef RETURNPATH_ENGINE_TESTING_RAW_STORE_H_
#define RETURNPATH_ENGINE_TESTING_RAW_STORE_H_

// Tampering under the engine, for tests of what Verify and Open find: opens a
// closed store's RocksDB directly. Test-only.

#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"

namespace returnpath::engine::testing {

// Opens the store's RocksDB at `path`, bypassing the engine, and lets `edit`
// change the column family named `cf`.
inline void EditRaw(
    const std::string& path, const std::string& cf,
    const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle*)>&
        edit) {
  std::vector<std::string> names;
  ASSERT_TRUE(
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names)
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(
      rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles, &db)
          .ok());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == cf) edit(db, handles[i]);
  }
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  ASSERT_TRUE(db->Close().ok());
  delete db;
}

}  // namespace returnpath::engine::testing

#endif  // RETURNPATH_ENGINE_TESTING_RAW_STORE_H_
