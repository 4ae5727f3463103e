#ifndef RETURNPATH_ENGINE_STORE_PG_BACKEND_H_
#define RETURNPATH_ENGINE_STORE_PG_BACKEND_H_

// Store-internal: the store's tables in PostgreSQL, shared by every daemon
// that opens the same database. One table per Table (rp_<name>: key bytea
// PRIMARY KEY, value bytea; bytea orders keys as RocksDB's default
// comparator does), and a one-row rp_writer table that every group locks,
// so groups of all processes run one at a time.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "store/store_backend.h"

namespace returnpath::engine {

struct PostgresOptions {
  // A libpq URI or key=value string, e.g. postgres://u@127.0.0.1:5432/db; may
  // name several hosts with target_session_attrs=read-write.
  std::string conninfo;
  // false: each group's commit does not wait for the server's WAL flush
  // (SET LOCAL synchronous_commit = off).
  bool sync = true;
  // Reconnects and the like; null: stderr.
  std::function<void(absl::string_view level, absl::string_view message)> log;
};

// Connects, and creates the tables if they are missing.
absl::StatusOr<std::unique_ptr<StoreBackend>> OpenPostgresBackend(
    const PostgresOptions& options);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_PG_BACKEND_H_
