#include "engine/store_access.h"

#include <memory>

#include "engine/sequencer.h"

namespace returnpath::engine {

absl::StatusOr<const StoreDb*> StoreDbOf(EventStore& store) {
  // A command that writes nothing: the sequencer skips the write.
  return RunCommand<const StoreDb*>(
      store, [](CommandContext& ctx) -> absl::StatusOr<const StoreDb*> {
        return &ctx.db();
      });
}

uint64_t LastPositionIn(const StoreDb& db, const rocksdb::Snapshot* snapshot) {
  uint64_t last = 0;
  absl::StatusOr<std::string> value =
      db.Get(StoreDb::kMeta, keys::kMetaLastPosition, snapshot);
  if (value.ok()) {
    absl::string_view in = *value;
    keys::GetU64(&in, &last);
  }
  return last;
}

std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

absl::Status ScanRange(
    const StoreDb& db, StoreDb::Cf cf, const rocksdb::Snapshot* snapshot,
    absl::string_view start, absl::string_view limit,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  rocksdb::Slice upper(limit.data(), limit.size());
  if (!limit.empty()) ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(ro, db.cf(cf)));
  for (it->Seek(rocksdb::Slice(start.data(), start.size())); it->Valid();
       it->Next()) {
    absl::string_view key(it->key().data(), it->key().size());
    absl::string_view value(it->value().data(), it->value().size());
    if (!visit(key, value)) break;
  }
  return FromRocks(it->status(), "scanning");
}

}  // namespace returnpath::engine
