#ifndef RETURNPATH_ENGINE_STORE_WRITE_SET_H_
#define RETURNPATH_ENGINE_STORE_WRITE_SET_H_

// Store-internal: the puts and deletes of one group's write, in order, with
// save points (a command's or an append's writes are dropped together when
// it fails). Names no storage library: each backend writes it its own way.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/store_view.h"

namespace returnpath::engine {

struct WriteOp {
  Table table;
  bool erase = false;  // a delete; `value` is empty
  std::string key;
  std::string value;
};

class WriteSet {
 public:
  void Put(Table table, absl::string_view key, absl::string_view value) {
    ops_.push_back(WriteOp{table, false, std::string(key), std::string(value)});
  }
  void Delete(Table table, absl::string_view key) {
    ops_.push_back(WriteOp{table, true, std::string(key), std::string()});
  }

  // Save points nest; each Rollback or Pop ends the newest. REQUIRES: one
  // is set.
  void SetSavePoint() { save_points_.push_back(ops_.size()); }
  void RollbackToSavePoint() {
    ops_.resize(save_points_.back());
    save_points_.pop_back();
  }
  void PopSavePoint() { save_points_.pop_back(); }
  bool HasSavePoint() const { return !save_points_.empty(); }

  size_t Count() const { return ops_.size(); }
  const std::vector<WriteOp>& ops() const { return ops_; }

 private:
  std::vector<WriteOp> ops_;
  std::vector<size_t> save_points_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_WRITE_SET_H_
