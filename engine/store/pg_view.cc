#include "store/pg_view.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"

namespace returnpath::engine {
namespace {

// Most scans stop after a few rows (the next due timer, a queue's head), so
// the first page is small; each next one doubles, up to the largest.
constexpr int kFirstPageSize = 16;

class PgCursor final : public TableCursor {
 public:
  PgCursor(const PgReader& reader, Table table, absl::string_view start,
           absl::string_view limit, int max_page_size)
      : reader_(reader),
        table_(PgTableName(table)),
        limit_(limit),
        page_size_(std::min(kFirstPageSize, max_page_size)),
        max_page_size_(max_page_size) {
    Fetch(start, /*inclusive=*/true);
  }

  bool Valid() const override {
    return page_ != nullptr && row_ < PQntuples(page_.get());
  }
  absl::string_view key() const override {
    return PgBytes(page_.get(), row_, 0);
  }
  absl::string_view value() const override {
    return PgBytes(page_.get(), row_, 1);
  }
  void Next() override {
    if (++row_ < PQntuples(page_.get()) || !more_) return;
    const std::string last(PgBytes(page_.get(), row_ - 1, 0));
    page_size_ = std::min(page_size_ * 2, max_page_size_);
    Fetch(last, /*inclusive=*/false);
  }
  absl::Status status() const override { return status_; }

 private:
  // Reads the page from `from` on.
  void Fetch(absl::string_view from, bool inclusive) {
    std::string sql =
        absl::StrCat("SELECT key, value FROM ", table_, " WHERE key ",
                     inclusive ? ">=" : ">", " $1");
    std::vector<absl::string_view> params = {from};
    if (!limit_.empty()) {
      absl::StrAppend(&sql, " AND key < $2");
      params.push_back(limit_);
    }
    absl::StrAppend(&sql, " ORDER BY key LIMIT ", page_size_);
    page_.reset();
    row_ = 0;
    absl::StatusOr<PgResult> page = reader_.Read(sql, params);
    if (!page.ok()) {
      status_ = page.status();
      more_ = false;
      return;
    }
    page_ = *std::move(page);
    more_ = PQntuples(page_.get()) == page_size_;
  }

  const PgReader& reader_;
  const std::string table_;
  const std::string limit_;
  int page_size_;
  const int max_page_size_;
  PgResult page_;
  int row_ = 0;
  bool more_ = false;
  absl::Status status_;
};

}  // namespace

std::string PgTableName(Table table) {
  return absl::StrCat("rp_", TableName(table));
}

absl::StatusOr<std::string> PgGet(const PgReader& reader, Table table,
                                  absl::string_view key) {
  const absl::string_view params[] = {key};
  absl::StatusOr<PgResult> result = reader.Read(
      absl::StrCat("SELECT value FROM ", PgTableName(table), " WHERE key = $1"),
      params);
  if (!result.ok()) return result.status();
  if (PQntuples(result->get()) == 0) {
    return absl::NotFoundError(
        absl::StrCat("no such key in ", TableName(table)));
  }
  return std::string(PgBytes(result->get(), 0, 0));
}

absl::StatusOr<std::optional<std::string>> PgLastKey(const PgReader& reader,
                                                     Table table,
                                                     absl::string_view start,
                                                     absl::string_view limit) {
  std::string sql = absl::StrCat("SELECT key FROM ", PgTableName(table),
                                 " WHERE key >= $1");
  std::vector<absl::string_view> params = {start};
  if (!limit.empty()) {
    absl::StrAppend(&sql, " AND key < $2");
    params.push_back(limit);
  }
  absl::StrAppend(&sql, " ORDER BY key DESC LIMIT 1");
  absl::StatusOr<PgResult> result = reader.Read(sql, params);
  if (!result.ok()) return result.status();
  if (PQntuples(result->get()) == 0) return std::nullopt;
  return std::string(PgBytes(result->get(), 0, 0));
}

std::unique_ptr<TableCursor> NewPgCursor(const PgReader& reader, Table table,
                                         absl::string_view start,
                                         absl::string_view limit,
                                         int max_page_size) {
  return std::make_unique<PgCursor>(reader, table, start, limit, max_page_size);
}

}  // namespace returnpath::engine
