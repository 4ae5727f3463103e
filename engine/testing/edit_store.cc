#include "engine/testing/edit_store.h"

#include <initializer_list>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/testing/test_store.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "store/pg_connection.h"
#include "store/pg_view.h"

namespace returnpath::engine::testing {
namespace {

// A column family of the embedded store's RocksDB.
class RocksTable final : public RawTable {
 public:
  RocksTable(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf)
      : db_(db), cf_(cf) {}

  std::optional<std::string> Get(absl::string_view key) override {
    std::string value;
    const rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), cf_, Slice(key), &value);
    if (s.IsNotFound()) return std::nullopt;
    EXPECT_TRUE(s.ok()) << s.ToString();
    return value;
  }

  std::optional<std::string> FirstKeyFrom(absl::string_view start) override {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf_));
    it->Seek(Slice(start));
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    if (!it->Valid()) return std::nullopt;
    return it->key().ToString();
  }

  void Put(absl::string_view key, absl::string_view value) override {
    const rocksdb::Status s =
        db_->Put(rocksdb::WriteOptions(), cf_, Slice(key), Slice(value));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  void Delete(absl::string_view key) override {
    const rocksdb::Status s =
        db_->Delete(rocksdb::WriteOptions(), cf_, Slice(key));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

 private:
  static rocksdb::Slice Slice(absl::string_view s) {
    return rocksdb::Slice(s.data(), s.size());
  }

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
};

// A table of the PostgreSQL store (rp_<table>), in plain SQL.
class PgTable final : public RawTable {
 public:
  PgTable(PgConnection& connection, Table table)
      : connection_(connection), name_(PgTableName(table)) {}

  std::optional<std::string> Get(absl::string_view key) override {
    return OneBytea(
        absl::StrCat("SELECT value FROM ", name_, " WHERE key = $1"), {key});
  }

  std::optional<std::string> FirstKeyFrom(absl::string_view start) override {
    return OneBytea(absl::StrCat("SELECT key FROM ", name_,
                                 " WHERE key >= $1 ORDER BY key LIMIT 1"),
                    {start});
  }

  void Put(absl::string_view key, absl::string_view value) override {
    Run(absl::StrCat("INSERT INTO ", name_,
                     " (key, value) VALUES ($1, $2) ON CONFLICT (key) DO "
                     "UPDATE SET value = EXCLUDED.value"),
        {key, value});
  }

  void Delete(absl::string_view key) override {
    Run(absl::StrCat("DELETE FROM ", name_, " WHERE key = $1"), {key});
  }

 private:
  PgResult Run(const std::string& sql,
               std::initializer_list<absl::string_view> params) {
    absl::StatusOr<PgResult> result = connection_.Query(sql, params);
    if (!result.ok()) {
      ADD_FAILURE() << sql << ": " << result.status();
      return nullptr;
    }
    return *std::move(result);
  }

  // The first row's only column; nullopt if no row.
  std::optional<std::string> OneBytea(
      const std::string& sql, std::initializer_list<absl::string_view> params) {
    PgResult result = Run(sql, params);
    if (result == nullptr || PQntuples(result.get()) == 0) return std::nullopt;
    return std::string(PgBytes(result.get(), 0, 0));
  }

  PgConnection& connection_;
  const std::string name_;
};

void EditRocks(const std::string& path, Table table,
               const std::function<void(RawTable&)>& edit) {
  std::vector<std::string> names;
  ASSERT_TRUE(
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok())
      << path;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names)
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(
      rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles, &db)
          .ok())
      << path;
  bool found = false;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != TableName(table)) continue;
    found = true;
    RocksTable raw(db, handles[i]);
    edit(raw);
  }
  EXPECT_TRUE(found) << path << " has no column family " << TableName(table);
  for (auto* h : handles) EXPECT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  EXPECT_TRUE(db->Close().ok());
  delete db;
}

void EditPg(const std::string& uri, Table table,
            const std::function<void(RawTable&)>& edit) {
  absl::StatusOr<std::unique_ptr<PgConnection>> connection =
      PgConnection::Connect(uri);
  ASSERT_TRUE(connection.ok()) << connection.status();
  // One transaction: the edit lands whole, and thousands of rows go fast.
  ASSERT_TRUE((*connection)->Exec("BEGIN").ok());
  PgTable raw(**connection, table);
  edit(raw);
  const absl::Status committed = (*connection)->Exec("COMMIT");
  EXPECT_TRUE(committed.ok()) << committed;
}

}  // namespace

void EditStore(const std::string& dir, Table table,
               const std::function<void(RawTable&)>& edit) {
  if (TestStoreIsPostgres()) {
    EditPg(TestStorePath(dir), table, edit);
  } else {
    EditRocks(dir, table, edit);
  }
}

}  // namespace returnpath::engine::testing
