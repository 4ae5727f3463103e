#ifndef RETURNPATH_ENGINE_TESTING_EDIT_STORE_H_
#define RETURNPATH_ENGINE_TESTING_EDIT_STORE_H_

// Tampering under the engine, for tests of what Verify, Open and the checks
// find: a closed store's table edited row by row, as an operator with the
// disk (the embedded store's RocksDB) or a DBA (the PostgreSQL store's
// tables, in plain SQL) would. Failures are the running test's. Test-only.

#include <functional>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "engine/store_view.h"

namespace returnpath::engine::testing {

// One table of a closed store, edited under the engine. Keys and values are
// the stored bytes (engine/store/keys.h).
class RawTable {
 public:
  virtual ~RawTable() = default;
  // nullopt if `key` is absent.
  virtual std::optional<std::string> Get(absl::string_view key) = 0;
  // The first key at or after `start` in byte order; nullopt if none.
  virtual std::optional<std::string> FirstKeyFrom(absl::string_view start) = 0;
  // Inserts or overwrites.
  virtual void Put(absl::string_view key, absl::string_view value) = 0;
  virtual void Delete(absl::string_view key) = 0;
};

// Lets `edit` change `table` of the closed store of the test's `dir` (the
// store at TestStorePath(dir), engine/testing/test_store.h).
void EditStore(const std::string& dir, Table table,
               const std::function<void(RawTable&)>& edit);

}  // namespace returnpath::engine::testing

#endif  // RETURNPATH_ENGINE_TESTING_EDIT_STORE_H_
