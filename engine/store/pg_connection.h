#ifndef RETURNPATH_ENGINE_STORE_PG_CONNECTION_H_
#define RETURNPATH_ENGINE_STORE_PG_CONNECTION_H_

// Store-internal: one libpq connection and its results, owned (RAII), with
// the few ways the PostgreSQL store talks to the server. Keys and values go
// as binary bytea parameters and come back as binary results.

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace returnpath::engine {

struct PgResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// A column of a binary result row as bytes.
inline absl::string_view PgBytes(const PGresult* result, int row, int column) {
  return absl::string_view(PQgetvalue(result, row, column),
                           PQgetlength(result, row, column));
}

// One statement of a pipeline; its parameters are binary.
struct PgStatement {
  std::string sql;
  std::vector<std::string> params;
  std::vector<Oid> param_types;
};

inline constexpr Oid kByteaOid = 17;
inline constexpr Oid kByteaArrayOid = 1001;

// `items` as one binary bytea[] parameter (array_recv's format).
std::string ByteaArray(absl::Span<const absl::string_view> items);

class PgConnection {
 public:
  // UNAVAILABLE if the server cannot be reached.
  static absl::StatusOr<std::unique_ptr<PgConnection>> Connect(
      const std::string& conninfo);
  ~PgConnection() { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  PGconn* get() const { return conn_; }
  // Lost, or found to be on a server that no longer takes writes (a primary
  // demoted by a failover): either way, never to be used again.
  bool Broken() const { return lost_ || PQstatus(conn_) != CONNECTION_OK; }
  int backend_pid() const { return PQbackendPID(conn_); }

  // Runs `sql` (one or more statements, text protocol, no parameters).
  absl::Status Exec(const char* sql);
  // Runs one statement with binary parameters, of `types` (none given:
  // each a bytea); rows come back binary.
  absl::StatusOr<PgResult> Query(const std::string& sql,
                                 absl::Span<const absl::string_view> params,
                                 absl::Span<const Oid> types = {});
  // Sends every statement in one pipeline and one sync, then reads every
  // result: the first error, if any.
  absl::Status RunPipeline(const std::vector<PgStatement>& statements);

  // The status for a failed command: UNAVAILABLE if the connection is lost
  // (or the server is shutting down), INTERNAL with the server's message
  // otherwise.
  absl::Status Error(const PGresult* result, absl::string_view doing) const;

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  // `result` as a status: OK for a command's or query's success.
  absl::Status Check(const PGresult* result, absl::string_view doing) const;

  PGconn* conn_;
  mutable bool lost_ = false;  // see Broken
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_PG_CONNECTION_H_
