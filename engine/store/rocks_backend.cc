#include "store/rocks_backend.h"

#include <utility>

#include "engine/status_macros.h"
#include "rocksdb/write_batch.h"
#include "store/rocks_view.h"

namespace returnpath::engine {
namespace {

// Reads of the latest state: no snapshot.
class LatestView final : public StoreView {
 public:
  explicit LatestView(const StoreDb& db) : db_(db) {}
  absl::StatusOr<std::string> Get(Table table,
                                  absl::string_view key) const override {
    return db_.Get(table, key, nullptr);
  }
  std::unique_ptr<TableCursor> Cursor(Table table, absl::string_view start,
                                      absl::string_view limit) const override {
    return NewTableCursor(db_, table, nullptr, start, limit);
  }
  absl::StatusOr<std::optional<std::string>> LastKey(
      Table table, absl::string_view start,
      absl::string_view limit) const override {
    return LastKeyOf(db_, table, nullptr, start, limit);
  }

 private:
  const StoreDb& db_;
};

// Nothing to hold: this process is the only writer, and the sequencer runs
// one group at a time.
class RocksGroup final : public GroupWrite {
 public:
  explicit RocksGroup(RocksBackend& backend) : backend_(backend) {}
  absl::StatusOr<std::string> Get(Table table,
                                  absl::string_view key) const override {
    return backend_.Latest().Get(table, key);
  }
  std::unique_ptr<TableCursor> Cursor(Table table, absl::string_view start,
                                      absl::string_view limit) const override {
    return backend_.Latest().Cursor(table, start, limit);
  }
  absl::StatusOr<std::optional<std::string>> LastKey(
      Table table, absl::string_view start,
      absl::string_view limit) const override {
    return backend_.Latest().LastKey(table, start, limit);
  }
  absl::Status Commit(const WriteSet& writes) override {
    return backend_.Write(writes);
  }

 private:
  RocksBackend& backend_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RocksBackend>> RocksBackend::Open(
    Options options) {
  RP_ASSIGN_OR_RETURN(
      std::unique_ptr<StoreDb> db,
      StoreDb::Open(options.path, std::move(options.file_system),
                    options.min_free_disk_bytes));
  std::unique_ptr<RocksBackend> backend(
      new RocksBackend(std::move(db), options.sync));
  backend->gate_ = std::make_unique<WriteGate>(
      backend->db_.get(), options.path, options.min_free_disk_bytes,
      options.clock, std::move(options.log));
  return backend;
}

RocksBackend::RocksBackend(std::unique_ptr<StoreDb> db, bool sync)
    : db_(std::move(db)),
      sync_(sync),
      latest_(std::make_unique<LatestView>(*db_)) {}

absl::StatusOr<std::unique_ptr<StoreView>> RocksBackend::Snapshot() const {
  return NewSnapshotView(*db_);
}

absl::StatusOr<std::unique_ptr<GroupWrite>> RocksBackend::BeginGroup() {
  return std::make_unique<RocksGroup>(*this);
}

absl::Status RocksBackend::Write(const WriteSet& writes) {
  RP_RETURN_IF_ERROR(gate_->BeforeWrite());
  rocksdb::WriteBatch batch;
  for (const WriteOp& op : writes.ops()) {
    const rocksdb::Status added =
        op.erase ? batch.Delete(db_->cf(op.table), ToSlice(op.key))
                 : batch.Put(db_->cf(op.table), ToSlice(op.key),
                             ToSlice(op.value));
    if (!added.ok()) return FromRocks(added, "building the group's write");
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  return gate_->AfterWrite(db_->db()->Write(wo, &batch));
}

}  // namespace returnpath::engine
