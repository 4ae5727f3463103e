#include "store/pg_connection.h"

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace returnpath::engine {
namespace {

void AppendInt32(std::string* out, uint32_t value) {
  const uint32_t network = htonl(value);
  out->append(reinterpret_cast<const char*>(&network), sizeof(network));
}

// libpq's messages end in a newline.
absl::string_view Trimmed(const char* message) {
  return absl::StripTrailingAsciiWhitespace(message ? message : "");
}

}  // namespace

std::string ByteaArray(absl::Span<const absl::string_view> items) {
  std::string out;
  size_t size = 20;
  for (absl::string_view item : items) size += 4 + item.size();
  out.reserve(size);
  AppendInt32(&out, 1);  // dimensions
  AppendInt32(&out, 0);  // no nulls
  AppendInt32(&out, kByteaOid);
  AppendInt32(&out, static_cast<uint32_t>(items.size()));
  AppendInt32(&out, 1);  // lower bound
  for (absl::string_view item : items) {
    AppendInt32(&out, static_cast<uint32_t>(item.size()));
    out.append(item.data(), item.size());
  }
  return out;
}

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(
    const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return absl::ResourceExhaustedError("out of memory");
  std::unique_ptr<PgConnection> connection(new PgConnection(conn));
  // The server's notices ("relation ... already exists, skipping") are not
  // the store's to print.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  if (PQstatus(conn) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL: ",
                                               Trimmed(PQerrorMessage(conn))));
  }
  return connection;
}

absl::Status PgConnection::Error(const PGresult* result,
                                 absl::string_view doing) const {
  const char* message = result != nullptr ? PQresultErrorMessage(result) : "";
  if (message == nullptr || *message == '\0') message = PQerrorMessage(conn_);
  const char* state = result != nullptr
                          ? PQresultErrorField(result, PG_DIAG_SQLSTATE)
                          : nullptr;
  const absl::string_view sqlstate = state != nullptr ? state : "";
  // 08: connection exceptions; 57P0x: the server shuts down or restarts;
  // 25006: a read-only transaction, on a primary a failover demoted.
  if (Broken() || absl::StartsWith(sqlstate, "08") ||
      absl::StartsWith(sqlstate, "57P0") || sqlstate == "25006") {
    lost_ = true;
    return absl::UnavailableError(absl::StrCat(
        doing, ": the connection to PostgreSQL is lost: ", Trimmed(message)));
  }
  // 23505: a unique key. The log's positions and each stream's versions are
  // inserted, never overwritten, so the database refuses a second writer of
  // either even if the write lock were bypassed.
  if (sqlstate == "23505") {
    return absl::AbortedError(absl::StrCat(
        doing, ": another writer wrote the same position or stream version "
               "first; nothing was written: ",
        Trimmed(message)));
  }
  return absl::InternalError(
      absl::StrCat(doing, ": PostgreSQL: ", Trimmed(message)));
}

absl::Status PgConnection::Check(const PGresult* result,
                                 absl::string_view doing) const {
  const ExecStatusType status =
      result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    return absl::OkStatus();
  }
  return Error(result, doing);
}

absl::Status PgConnection::Exec(const char* sql) {
  PgResult result(PQexec(conn_, sql));
  constexpr size_t kShown = 48;
  const absl::string_view statement(sql);
  return Check(result.get(),
               absl::StrCat(statement.substr(0, kShown),
                            statement.size() > kShown ? "..." : ""));
}

absl::StatusOr<PgResult> PgConnection::Query(
    const std::string& sql, absl::Span<const absl::string_view> params,
    absl::Span<const Oid> param_types) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<Oid> types(param_types.begin(), param_types.end());
  types.resize(params.size(), kByteaOid);
  std::vector<int> formats(params.size(), 1);
  for (absl::string_view param : params) {
    values.push_back(param.data());
    lengths.push_back(static_cast<int>(param.size()));
  }
  PgResult result(PQexecParams(conn_, sql.c_str(),
                               static_cast<int>(params.size()), types.data(),
                               values.data(), lengths.data(), formats.data(),
                               /*resultFormat=*/1));
  if (absl::Status status = Check(result.get(), "a read"); !status.ok()) {
    return status;
  }
  return result;
}

absl::Status PgConnection::RunPipeline(
    const std::vector<PgStatement>& statements) {
  if (PQenterPipelineMode(conn_) != 1) return Error(nullptr, "a write");
  bool sent = true;
  for (const PgStatement& statement : statements) {
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats(statement.params.size(), 1);
    for (const std::string& param : statement.params) {
      values.push_back(param.data());
      lengths.push_back(static_cast<int>(param.size()));
    }
    sent = PQsendQueryParams(conn_, statement.sql.c_str(),
                             static_cast<int>(statement.params.size()),
                             statement.param_types.data(), values.data(),
                             lengths.data(), formats.data(), 1) == 1;
    if (!sent) break;
  }
  if (sent) sent = PQpipelineSync(conn_) == 1;
  absl::Status first_error =
      sent ? absl::OkStatus() : Error(nullptr, "sending a write");
  if (sent) {
    // Each statement's results end with a null; the sync ends the pipeline.
    for (size_t i = 0; i < statements.size() && !Broken(); ++i) {
      while (PgResult result{PQgetResult(conn_)}) {
        const ExecStatusType status = PQresultStatus(result.get());
        if (status != PGRES_PIPELINE_ABORTED && first_error.ok()) {
          first_error = Check(result.get(), "a write");
        }
      }
    }
    PgResult sync(Broken() ? nullptr : PQgetResult(conn_));
    if (sync == nullptr || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) {
      if (first_error.ok()) first_error = Error(sync.get(), "a write");
    }
  }
  if (!Broken() && PQexitPipelineMode(conn_) != 1 && first_error.ok()) {
    first_error = Error(nullptr, "leaving pipeline mode");
  }
  return first_error;
}

}  // namespace returnpath::engine
