#include "store/rocks_view.h"

#include <string>


namespace returnpath::engine {
namespace {

class RocksCursor final : public TableCursor {
 public:
  RocksCursor(const StoreDb& db, Table table, const rocksdb::Snapshot* snapshot,
              absl::string_view start, absl::string_view limit)
      : limit_(limit), upper_(limit_) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    if (!limit_.empty()) ro.iterate_upper_bound = &upper_;
    it_.reset(db.db()->NewIterator(ro, db.cf(table)));
    it_->Seek(ToSlice(start));
  }

  bool Valid() const override { return it_->Valid(); }
  absl::string_view key() const override { return View(it_->key()); }
  absl::string_view value() const override { return View(it_->value()); }
  void Next() override { it_->Next(); }
  absl::Status status() const override {
    return FromRocks(it_->status(), "scanning");
  }

 private:
  const std::string limit_;  // the iterator's upper bound points into it
  const rocksdb::Slice upper_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

class SnapshotView final : public StoreView {
 public:
  explicit SnapshotView(const StoreDb& db)
      : db_(db), snapshot_(db.db()) {}

  absl::StatusOr<std::string> Get(Table table,
                                  absl::string_view key) const override {
    return db_.Get(table, key, snapshot_.get());
  }
  std::unique_ptr<TableCursor> Cursor(Table table, absl::string_view start,
                                      absl::string_view limit) const override {
    return NewTableCursor(db_, table, snapshot_.get(), start, limit);
  }
  absl::StatusOr<std::optional<std::string>> LastKey(
      Table table, absl::string_view start,
      absl::string_view limit) const override {
    return LastKeyOf(db_, table, snapshot_.get(), start, limit);
  }

 private:
  const StoreDb& db_;
  const ScopedSnapshot snapshot_;
};

}  // namespace

std::unique_ptr<TableCursor> NewTableCursor(const StoreDb& db, Table table,
                                            const rocksdb::Snapshot* snapshot,
                                            absl::string_view start,
                                            absl::string_view limit) {
  return std::make_unique<RocksCursor>(db, table, snapshot, start, limit);
}

absl::StatusOr<std::optional<std::string>> LastKeyOf(
    const StoreDb& db, Table table, const rocksdb::Snapshot* snapshot,
    absl::string_view start, absl::string_view limit) {
  const std::string lower(start), upper(limit);
  const rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.iterate_lower_bound = &lower_slice;
  if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(ro, db.cf(table)));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), "seeking backwards");
  if (!it->Valid()) return std::nullopt;
  return std::string(View(it->key()));
}

std::unique_ptr<StoreView> NewSnapshotView(const StoreDb& db) {
  return std::make_unique<SnapshotView>(db);
}

}  // namespace returnpath::engine
