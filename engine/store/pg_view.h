#ifndef RETURNPATH_ENGINE_STORE_PG_VIEW_H_
#define RETURNPATH_ENGINE_STORE_PG_VIEW_H_

// Store-internal: point reads and paged cursors over the PostgreSQL store's
// tables (rp_<table>: key bytea PRIMARY KEY, value bytea), whichever
// connection the reads run on.

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/store_view.h"
#include "store/pg_connection.h"

namespace returnpath::engine {

// "rp_events", ...
std::string PgTableName(Table table);

// Runs one read query (bytea parameters, binary rows). Thread-safe.
class PgReader {
 public:
  virtual ~PgReader() = default;
  virtual absl::StatusOr<PgResult> Read(
      const std::string& sql,
      absl::Span<const absl::string_view> params) const = 0;
};

// The value of `key` in `table`; NOT_FOUND if absent.
absl::StatusOr<std::string> PgGet(const PgReader& reader, Table table,
                                  absl::string_view key);

// The last key in [start, limit) (empty limit: to the end); nullopt if none.
absl::StatusOr<std::optional<std::string>> PgLastKey(const PgReader& reader,
                                                     Table table,
                                                     absl::string_view start,
                                                     absl::string_view limit);

// A cursor over [start, limit) (empty limit: to the end) that reads a page
// of rows at a time: a small first one, then each twice the last, up to
// `max_page_size`. `reader` must outlive it.
std::unique_ptr<TableCursor> NewPgCursor(const PgReader& reader, Table table,
                                         absl::string_view start,
                                         absl::string_view limit,
                                         int max_page_size = 512);

// A view (StoreView, GroupWrite) whose reads are queries through its own
// PgReader::Read.
template <typename View>
class PgReads : public View, public PgReader {
 public:
  absl::StatusOr<std::string> Get(Table table,
                                  absl::string_view key) const override {
    return PgGet(*this, table, key);
  }
  std::unique_ptr<TableCursor> Cursor(Table table, absl::string_view start,
                                      absl::string_view limit) const override {
    return NewPgCursor(*this, table, start, limit);
  }
  absl::StatusOr<std::optional<std::string>> LastKey(
      Table table, absl::string_view start,
      absl::string_view limit) const override {
    return PgLastKey(*this, table, start, limit);
  }
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_PG_VIEW_H_
