// What every StoreView offers on top of its Get and Cursor (store_view.h):
// table names, walks over a range, the meta record's last position.

#include "engine/store_view.h"
#include "returnpath/v1/event.pb.h"
#include "engine/status_macros.h"
#include "store/keys.h"

namespace returnpath::engine {

absl::string_view TableName(Table table) {
  return keys::ColumnFamilies()[static_cast<size_t>(table)];
}

absl::Status VisitAll(
    TableCursor& cursor,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) {
  for (; cursor.Valid(); cursor.Next()) {
    if (!visit(cursor.key(), cursor.value())) break;
  }
  return cursor.status();
}

absl::Status StoreView::Scan(
    Table table, absl::string_view start, absl::string_view limit,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) const {
  return VisitAll(*Cursor(table, start, limit), visit);
}

absl::StatusOr<std::optional<std::string>> StoreView::LastKey(
    Table table, absl::string_view start, absl::string_view limit) const {
  std::optional<std::string> last;
  RP_RETURN_IF_ERROR(Scan(table, start, limit,
                          [&](absl::string_view key, absl::string_view) {
                            last = std::string(key);
                            return true;
                          }));
  return last;
}

uint64_t StoreView::LastPosition() const {
  uint64_t last = 0;
  absl::StatusOr<std::string> value =
      Get(Table::kMeta, keys::kMetaLastPosition);
  if (value.ok()) {
    absl::string_view in = *value;
    keys::GetU64(&in, &last);
  }
  return last;
}

absl::Status StoreView::OpenSealed(returnpath::v1::EventEnvelope* event) const {
  if (event->sealed().empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("the event at position ", event->position(),
                   " is sealed and this view has no keys to open it"));
}

}  // namespace returnpath::engine
