#include "store/pg_backend.h"

#include <arpa/inet.h>

#include <atomic>
#include <cstring>
#include <optional>
#include <iostream>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "engine/status_macros.h"
#include "store/pg_connection.h"
#include "store/pg_listener.h"
#include "store/pg_pool.h"
#include "store/pg_view.h"

namespace returnpath::engine {
namespace {

// Serializes schema creation across processes opening at once.
constexpr int64_t kSchemaLockId = 0x7265747572;  // "retur"

std::string SchemaSql() {
  std::string sql =
      absl::StrCat("BEGIN; SELECT pg_advisory_xact_lock(", kSchemaLockId, ");");
  for (size_t i = 0; i < kTableCount; ++i) {
    absl::StrAppend(&sql, "CREATE TABLE IF NOT EXISTS ",
                    PgTableName(static_cast<Table>(i)),
                    " (key bytea PRIMARY KEY, value bytea NOT NULL);");
  }
  // Due timers and ready tasks are queues: rows come and go and the loops
  // read from the front, where removed rows linger in the index until
  // vacuumed. Vacuum them after a thousand, not a fifth of the table.
  for (const Table queue : {Table::kTimers, Table::kTaskReady}) {
    absl::StrAppend(&sql, "ALTER TABLE ", PgTableName(queue),
                    " SET (autovacuum_vacuum_scale_factor = 0,"
                    " autovacuum_vacuum_threshold = 1000);");
  }
  absl::StrAppend(
      &sql,
      "CREATE TABLE IF NOT EXISTS rp_writer (id int PRIMARY KEY);"
      "INSERT INTO rp_writer (id) VALUES (1) ON CONFLICT DO NOTHING;"
      "COMMIT;");
  return sql;
}

// The statements that write `writes`: the last op per (table, key) wins, so
// each table takes one upsert and one delete of arrays.
std::vector<PgStatement> WriteStatements(const WriteSet& writes) {
  absl::flat_hash_map<std::pair<Table, absl::string_view>, size_t> last;
  const std::vector<WriteOp>& ops = writes.ops();
  for (size_t i = 0; i < ops.size(); ++i) last[{ops[i].table, ops[i].key}] = i;
  struct TableWrites {
    std::vector<absl::string_view> put_keys, put_values, erased;
  };
  std::vector<TableWrites> tables(kTableCount);
  for (size_t i = 0; i < ops.size(); ++i) {
    const WriteOp& op = ops[i];
    if (last[{op.table, op.key}] != i) continue;
    TableWrites& table = tables[static_cast<size_t>(op.table)];
    if (op.erase) {
      table.erased.push_back(op.key);
    } else {
      table.put_keys.push_back(op.key);
      table.put_values.push_back(op.value);
    }
  }
  std::vector<PgStatement> statements;
  for (size_t i = 0; i < kTableCount; ++i) {
    const std::string name = PgTableName(static_cast<Table>(i));
    const TableWrites& table = tables[i];
    // Events and the stream index are only ever added: a key written twice
    // is refused by the primary key (a stream version or a position taken).
    const Table written = static_cast<Table>(i);
    const bool insert_only =
        written == Table::kEvents || written == Table::kStreams;
    if (!table.put_keys.empty()) {
      statements.push_back(PgStatement{
          absl::StrCat("INSERT INTO ", name,
                       " (key, value) SELECT * FROM unnest($1::bytea[], "
                       "$2::bytea[])",
                       insert_only ? ""
                                   : " ON CONFLICT (key) DO UPDATE SET value "
                                     "= EXCLUDED.value"),
          {ByteaArray(table.put_keys), ByteaArray(table.put_values)},
          {kByteaArrayOid, kByteaArrayOid}});
    }
    if (!table.erased.empty()) {
      statements.push_back(PgStatement{
          absl::StrCat("DELETE FROM ", name, " WHERE key = ANY($1::bytea[])"),
          {ByteaArray(table.erased)},
          {kByteaArrayOid}});
    }
  }
  return statements;
}

class PgBackend;

// Reads of the latest state, each on a pooled connection in autocommit.
class LatestView final : public PgReads<StoreView> {
 public:
  explicit LatestView(PgPool& pool) : pool_(pool) {}


  absl::StatusOr<PgResult> Read(
      const std::string& sql,
      absl::Span<const absl::string_view> params) const override {
    RP_ASSIGN_OR_RETURN(PooledConnection connection, pool_.Acquire());
    absl::StatusOr<PgResult> result = connection->Query(sql, params);
    if (absl::IsUnavailable(result.status()) && connection.reused()) {
      // An idle connection went stale (the server restarted): so did the
      // others. Once more on a new one.
      connection.Discard();
      pool_.DropIdle();
      RP_ASSIGN_OR_RETURN(connection, pool_.Acquire());
      result = connection->Query(sql, params);
    }
    return result;
  }

 private:
  PgPool& pool_;
};

// One REPEATABLE READ transaction on a pooled connection.
class SnapshotView final : public PgReads<StoreView> {
 public:
  explicit SnapshotView(PooledConnection connection)
      : connection_(std::move(connection)) {}
  ~SnapshotView() override {
    if (connection_->Broken() || !connection_->Exec("ROLLBACK").ok()) {
      connection_.Discard();
    }
  }

  absl::StatusOr<PgResult> Read(
      const std::string& sql,
      absl::Span<const absl::string_view> params) const override {
    absl::MutexLock lock(&mu_);
    return connection_->Query(sql, params);
  }

 private:
  mutable absl::Mutex mu_;
  PooledConnection connection_ ABSL_GUARDED_BY(mu_);
};

class PgBackend final : public StoreBackend {
 public:
  explicit PgBackend(const PostgresOptions& options)
      : options_(options), pool_(options.conninfo), latest_(pool_) {
    if (!options_.log) {
      options_.log = [](absl::string_view level, absl::string_view message) {
        std::cerr << "postgres store " << level << ": " << message << "\n";
      };
    }
  }
  ~PgBackend() override { Close().IgnoreError(); }

  absl::Status CreateSchema() {
    RP_ASSIGN_OR_RETURN(PooledConnection connection, pool_.Acquire());
    absl::Status status = connection->Exec(SchemaSql().c_str());
    if (!status.ok()) connection.Discard();
    return status;
  }

  const StoreView& Latest() const override { return latest_; }

  absl::StatusOr<std::unique_ptr<StoreView>> Snapshot() const override {
    RP_ASSIGN_OR_RETURN(PooledConnection connection, pool_.Acquire());
    // The snapshot is taken by the first query, so run one now.
    const char* kBegin =
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT 1";
    absl::Status status = connection->Exec(kBegin);
    if (absl::IsUnavailable(status) && connection.reused()) {
      connection.Discard();
      pool_.DropIdle();
      RP_ASSIGN_OR_RETURN(connection, pool_.Acquire());
      status = connection->Exec(kBegin);
    }
    if (!status.ok()) {
      connection.Discard();
      return status;
    }
    return std::make_unique<SnapshotView>(std::move(connection));
  }

  absl::StatusOr<std::unique_ptr<GroupWrite>> BeginGroup() override;

  bool Shared() const override { return true; }

  void OnOthersCommitted(std::function<void()> changed) override {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    listener_.reset();
    listener_ = std::make_unique<PgCommitListener>(
        options_.conninfo,
        [this](int pid) { return pid == writer_pid_.load(); },
        std::move(changed), options_.log);
  }

  // After an erasure: VACUUM FULL rewrites each table the erasure deleted
  // from, so no data file keeps the removed rows (the WAL and base backups
  // keep them until they are recycled or expire).
  absl::Status RewriteWithoutRemoved() override {
    RP_ASSIGN_OR_RETURN(PooledConnection connection, pool_.Acquire());
    for (const Table table :
         {Table::kState, Table::kTimers, Table::kTimerIds, Table::kTasks,
          Table::kTaskReady, Table::kIndex, Table::kMeta, Table::kKeys}) {
      absl::Status vacuumed = connection->Exec(
          absl::StrCat("VACUUM (FULL) ", PgTableName(table)).c_str());
      if (!vacuumed.ok()) {
        connection.Discard();
        return vacuumed;
      }
    }
    return absl::OkStatus();
  }

  void StopWatching() override {
    std::unique_ptr<PgCommitListener> listener;
    {
      absl::MutexLock lock(&mu_);
      listener = std::move(listener_);
    }
    listener.reset();  // joins its thread, outside the lock
  }

  absl::Status Close() override {
    std::unique_ptr<PgCommitListener> listener;
    std::unique_ptr<PgConnection> writer;
    {
      absl::MutexLock lock(&mu_);
      closed_ = true;
      listener = std::move(listener_);
      writer = std::move(writer_);
    }
    listener.reset();
    writer.reset();
    pool_.Close();
    return absl::OkStatus();
  }

  // The writer connection back from a finished group.
  void ReturnWriter(std::unique_ptr<PgConnection> writer) {
    absl::MutexLock lock(&mu_);
    if (!closed_ && !writer->Broken() &&
        PQtransactionStatus(writer->get()) == PQTRANS_IDLE) {
      writer_ = std::move(writer);
    }
  }

 private:
  // The writer connection in a transaction holding the writer lock.
  absl::StatusOr<std::unique_ptr<PgConnection>> LockedWriter();

  PostgresOptions options_;
  mutable PgPool pool_;
  LatestView latest_;
  std::atomic<int> writer_pid_{0};
  absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // Between groups; a group holds it meanwhile.
  std::unique_ptr<PgConnection> writer_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<PgCommitListener> listener_ ABSL_GUARDED_BY(mu_);
};

// A group's transaction on the writer connection, holding the writer lock.
class PgGroupWrite final : public PgReads<GroupWrite> {
 public:
  PgGroupWrite(PgBackend* backend, std::unique_ptr<PgConnection> writer)
      : backend_(backend), writer_(std::move(writer)) {}
  ~PgGroupWrite() override {
    absl::MutexLock lock(&mu_);
    if (!writer_->Broken() &&
        PQtransactionStatus(writer_->get()) != PQTRANS_IDLE) {
      writer_->Exec("ROLLBACK").IgnoreError();
    }
    backend_->ReturnWriter(std::move(writer_));
  }

  absl::StatusOr<PgResult> Read(
      const std::string& sql,
      absl::Span<const absl::string_view> params) const override {
    absl::MutexLock lock(&mu_);
    return writer_->Query(sql, params);
  }

  // Every key in one query: the group holds the write lock, so what it
  // reads stays current until it commits.
  absl::Status Prefetch(absl::Span<const TableKey> keys) override {
    std::vector<std::vector<absl::string_view>> by_table(kTableCount);
    for (const TableKey& key : keys) {
      by_table[static_cast<size_t>(key.table)].push_back(key.key);
    }
    std::string sql;
    std::vector<std::string> arrays;
    for (size_t i = 0; i < kTableCount; ++i) {
      if (by_table[i].empty()) continue;
      const Table table = static_cast<Table>(i);
      arrays.push_back(ByteaArray(by_table[i]));
      absl::StrAppend(&sql, sql.empty() ? "" : " UNION ALL ", "SELECT ", i,
                      "::int4, key, value FROM ", PgTableName(table),
                      " WHERE key = ANY($", arrays.size(), "::bytea[])");
    }
    if (sql.empty()) return absl::OkStatus();
    const std::vector<absl::string_view> params(arrays.begin(), arrays.end());
    const std::vector<Oid> types(params.size(), kByteaArrayOid);
    absl::MutexLock lock(&mu_);
    RP_ASSIGN_OR_RETURN(PgResult rows, writer_->Query(sql, params, types));
    // Absent unless found.
    for (size_t i = 0; i < kTableCount; ++i) {
      for (absl::string_view key : by_table[i]) {
        prefetched_.insert_or_assign(CacheKey(static_cast<Table>(i), key),
                                     std::nullopt);
      }
    }
    for (int row = 0; row < PQntuples(rows.get()); ++row) {
      uint32_t table;
      std::memcpy(&table, PQgetvalue(rows.get(), row, 0), sizeof(table));
      prefetched_.insert_or_assign(
          CacheKey(static_cast<Table>(ntohl(table)),
                   PgBytes(rows.get(), row, 1)),
          std::string(PgBytes(rows.get(), row, 2)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> Get(Table table,
                                  absl::string_view key) const override {
    {
      absl::MutexLock lock(&mu_);
      if (auto it = prefetched_.find(CacheKey(table, key));
          it != prefetched_.end()) {
        if (!it->second.has_value()) {
          return absl::NotFoundError(
              absl::StrCat("no such key in ", TableName(table)));
        }
        return *it->second;
      }
    }
    return PgReads<GroupWrite>::Get(table, key);
  }

  absl::Status Commit(const WriteSet& writes) override {
    absl::MutexLock lock(&mu_);
    if (committed_) return absl::FailedPreconditionError("committed already");
    committed_ = true;
    if (writes.Count() > 0) {
      std::vector<PgStatement> statements = WriteStatements(writes);
      statements.push_back(PgStatement{
          absl::StrCat("SELECT pg_notify('", kPgCommitChannel,
                       "', current_schema())"),
          {},
          {}});
      absl::Status written = writer_->RunPipeline(statements);
      if (!written.ok()) {
        if (!writer_->Broken()) writer_->Exec("ROLLBACK").IgnoreError();
        return written;
      }
    }
    absl::Status committed = writer_->Exec("COMMIT");
    if (!committed.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "the outcome of the commit is unknown: ", committed.message()));
    }
    return absl::OkStatus();
  }

 private:
  static std::string CacheKey(Table table, absl::string_view key) {
    return absl::StrCat(TableName(table), absl::string_view("\0", 1), key);
  }

  PgBackend* const backend_;
  mutable absl::Mutex mu_;
  std::unique_ptr<PgConnection> writer_ ABSL_GUARDED_BY(mu_);
  bool committed_ ABSL_GUARDED_BY(mu_) = false;
  // What Prefetch read, by CacheKey; nullopt: absent.
  absl::flat_hash_map<std::string, std::optional<std::string>> prefetched_
      ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::unique_ptr<PgConnection>> PgBackend::LockedWriter() {
  std::unique_ptr<PgConnection> writer;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) {
      return absl::FailedPreconditionError("the PostgreSQL store is closed");
    }
    writer = std::move(writer_);
  }
  const char* begin =
      options_.sync ? "BEGIN" : "BEGIN; SET LOCAL synchronous_commit = off";
  absl::Status begun = absl::UnavailableError("not connected");
  // Twice: a kept connection may have gone stale since the last group.
  for (int attempt = 0; attempt < 2 && absl::IsUnavailable(begun); ++attempt) {
    if (writer == nullptr || writer->Broken()) {
      if (writer != nullptr || writer_pid_.load() != 0) {
        options_.log("info", "reconnecting the writer connection");
      }
      RP_ASSIGN_OR_RETURN(writer, PgConnection::Connect(options_.conninfo));
      writer_pid_ = writer->backend_pid();
    }
    begun = writer->Exec(begin);
    if (absl::IsUnavailable(begun)) writer.reset();
  }
  RP_RETURN_IF_ERROR(begun);
  absl::StatusOr<PgResult> locked =
      writer->Query("SELECT id FROM rp_writer WHERE id = 1 FOR UPDATE", {});
  if (locked.ok() && PQntuples(locked->get()) != 1) {
    locked = absl::InternalError("the rp_writer row is missing");
  }
  if (!locked.ok()) {
    if (!writer->Broken() && writer->Exec("ROLLBACK").ok()) {
      ReturnWriter(std::move(writer));
    }
    return locked.status();
  }
  return writer;
}

absl::StatusOr<std::unique_ptr<GroupWrite>> PgBackend::BeginGroup() {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> writer, LockedWriter());
  return std::make_unique<PgGroupWrite>(this, std::move(writer));
}

}  // namespace

absl::StatusOr<std::unique_ptr<StoreBackend>> OpenPostgresBackend(
    const PostgresOptions& options) {
  auto backend = std::make_unique<PgBackend>(options);
  RP_RETURN_IF_ERROR(backend->CreateSchema());
  return backend;
}

}  // namespace returnpath::engine
