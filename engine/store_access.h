#ifndef RETURNPATH_ENGINE_STORE_ACCESS_H_
#define RETURNPATH_ENGINE_STORE_ACCESS_H_

// Engine-internal: raw, snapshot-consistent reads of the store's column
// families for the runtime modules (timer loop, task queue, replay), which
// need ranges the EventStore interface does not offer.

#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/event_store.h"
#include "engine/keys.h"
#include "engine/store_db.h"

namespace returnpath::engine {

// The StoreDb behind `store`, fetched once through the sequencer seam. It is
// valid until the store is closed: whoever reads through it must be stopped
// before EventStore::Close.
absl::StatusOr<const StoreDb*> StoreDbOf(EventStore& store);

// The smallest key greater than every key that starts with `prefix`; empty
// means "no bound".
std::string PrefixEnd(std::string prefix);

// Calls `visit(key, value)` for keys in [start, limit) (empty limit: to the
// end) until it returns false. `snapshot` may be null (latest).
absl::Status ScanRange(
    const StoreDb& db, StoreDb::Cf cf, const rocksdb::Snapshot* snapshot,
    absl::string_view start, absl::string_view limit,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit);

// The last position the meta record names in `snapshot`, for progress
// totals; 0 if it is absent or unreadable.
uint64_t LastPositionIn(const StoreDb& db, const rocksdb::Snapshot* snapshot);

// Reads and parses a proto; nullopt if absent, DATA_LOSS if it does not parse.
template <typename Proto>
absl::StatusOr<std::optional<Proto>> ReadProto(
    const StoreDb& db, StoreDb::Cf cf, absl::string_view key,
    const rocksdb::Snapshot* snapshot) {
  absl::StatusOr<std::string> value = db.Get(cf, key, snapshot);
  if (absl::IsNotFound(value.status())) return std::nullopt;
  if (!value.ok()) return value.status();
  Proto proto;
  if (!proto.ParseFromString(*value)) {
    return absl::DataLossError(absl::StrCat("a ", keys::ColumnFamilies()[cf],
                                            " record does not parse"));
  }
  return proto;
}

// Times the runtime writes into keys are whole microseconds, so a key and
// the record it points at name the same instant.
inline absl::Time TruncateToMicros(absl::Time t) {
  return absl::FromUnixMicros(absl::ToUnixMicros(t));
}

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_ACCESS_H_
