#ifndef RETURNPATH_ENGINE_STORE_ROCKS_VIEW_H_
#define RETURNPATH_ENGINE_STORE_ROCKS_VIEW_H_

// Store-internal: StoreView and TableCursor over the StoreDb.

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "engine/store_view.h"
#include "store/store_db.h"

namespace returnpath::engine {

// A cursor over `table` in [start, limit) at `snapshot` (null: the latest
// state). The database (and the snapshot) must outlive it.
std::unique_ptr<TableCursor> NewTableCursor(const StoreDb& db, Table table,
                                            const rocksdb::Snapshot* snapshot,
                                            absl::string_view start,
                                            absl::string_view limit);

// The last key of `table` in [start, limit) (empty limit: to the end) at
// `snapshot` (null: the latest); nullopt if there is none.
absl::StatusOr<std::optional<std::string>> LastKeyOf(
    const StoreDb& db, Table table, const rocksdb::Snapshot* snapshot,
    absl::string_view start, absl::string_view limit);

// A StoreView that holds one snapshot of `db` and releases it when destroyed.
std::unique_ptr<StoreView> NewSnapshotView(const StoreDb& db);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_ROCKS_VIEW_H_
