#ifndef RETURNPATH_ENGINE_STORE_VIEW_H_
#define RETURNPATH_ENGINE_STORE_VIEW_H_

// Reads of the store's tables in the engine's own terms, for the jobs that
// need ranges the EventStore's reads do not offer (task queue, replay and its
// check, the access log, benchmarks). Nothing here names a storage library:
// another store implements the same view.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace returnpath::v1 {
class EventEnvelope;
}  // namespace returnpath::v1

namespace returnpath::engine {

// The store's tables; their keys and values are laid out in engine/keys.h.
enum class Table {
  kEvents,
  kStreams,
  kState,
  kTimers,
  kTimerIds,
  kTasks,
  kTaskReady,
  kIdempotency,
  kIndex,
  kAccessLog,
  kMeta,
  kKeys,
};

inline constexpr size_t kTableCount = static_cast<size_t>(Table::kKeys) + 1;

// "events", "task_ready", ...: the table's name in messages.
absl::string_view TableName(Table table);

// One record's address.
struct TableKey {
  Table table;
  std::string key;
};

// A forward walk over a table's keys in byte order. Not thread-safe; the view
// it came from must outlive it.
class TableCursor {
 public:
  virtual ~TableCursor() = default;
  virtual bool Valid() const = 0;
  // REQUIRES: Valid(). Valid until the next Next().
  virtual absl::string_view key() const = 0;
  virtual absl::string_view value() const = 0;
  virtual void Next() = 0;
  // Why the walk ended early, if it did.
  virtual absl::Status status() const = 0;
};

// Calls `visit(key, value)` from the cursor's position on until it returns
// false; then the cursor's status.
absl::Status VisitAll(
    TableCursor& cursor,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit);

// One consistent view of every table (a snapshot). Thread-safe. It must be
// released before the store is closed.
class StoreView {
 public:
  virtual ~StoreView() = default;

  // Point read; NOT_FOUND if absent.
  virtual absl::StatusOr<std::string> Get(Table table,
                                          absl::string_view key) const = 0;

  // A cursor at the first key >= `start`, ending before `limit` (empty: at
  // the end of the table).
  virtual std::unique_ptr<TableCursor> Cursor(
      Table table, absl::string_view start = "",
      absl::string_view limit = "") const = 0;

  // The last key in [start, limit) (empty limit: to the end); nullopt if
  // there is none. This default walks the range: a backend that can seek
  // backwards overrides it.
  virtual absl::StatusOr<std::optional<std::string>> LastKey(
      Table table, absl::string_view start = "",
      absl::string_view limit = "") const;

  // Calls `visit(key, value)` for keys in [start, limit) (empty limit: to the
  // end) until it returns false.
  absl::Status Scan(
      Table table, absl::string_view start, absl::string_view limit,
      absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit)
      const;

  // The last position the meta record names, for progress totals; 0 if it is
  // absent or unreadable.
  uint64_t LastPosition() const;

  // Opens an event read from this view whose erasable fields are sealed
  // (EventEnvelope.sealed): merges them back into its payload, or marks it
  // `erased` if its stream's key is gone. Does nothing to an unsealed event.
  // This default opens nothing: FAILED_PRECONDITION for a sealed event.
  virtual absl::Status OpenSealed(returnpath::v1::EventEnvelope* event) const;
};

// Parses a value read from `table`: nullopt if it was absent (NOT_FOUND),
// DATA_LOSS naming the table if it does not parse, or the read's error.
template <typename Proto>
absl::StatusOr<std::optional<Proto>> ParseRecord(
    Table table, absl::StatusOr<std::string> value) {
  if (absl::IsNotFound(value.status())) return std::nullopt;
  if (!value.ok()) return value.status();
  Proto proto;
  if (!proto.ParseFromString(*value)) {
    return absl::DataLossError(
        absl::StrCat("a ", TableName(table), " record does not parse"));
  }
  return proto;
}

// Reads and parses a proto; nullopt if absent, DATA_LOSS if it does not parse.
template <typename Proto>
absl::StatusOr<std::optional<Proto>> ReadProto(const StoreView& view,
                                               Table table,
                                               absl::string_view key) {
  return ParseRecord<Proto>(table, view.Get(table, key));
}

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_VIEW_H_
