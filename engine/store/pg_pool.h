#ifndef RETURNPATH_ENGINE_STORE_PG_POOL_H_
#define RETURNPATH_ENGINE_STORE_PG_POOL_H_

// Store-internal: reader connections to PostgreSQL, opened on demand and
// kept for reuse once returned. Thread-safe.

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "store/pg_connection.h"

namespace returnpath::engine {

class PgPool;

// A connection borrowed from the pool; back to it when destroyed (dropped if
// it broke or was used for a failed transaction: call Discard).
class PooledConnection {
 public:
  PooledConnection(PgPool* pool, std::unique_ptr<PgConnection> connection,
                   bool reused)
      : pool_(pool), connection_(std::move(connection)), reused_(reused) {}
  PooledConnection(PooledConnection&&) = default;
  PooledConnection& operator=(PooledConnection&&) = default;
  ~PooledConnection();

  PgConnection& operator*() const { return *connection_; }
  PgConnection* operator->() const { return connection_.get(); }
  // Whether it was idle in the pool before (and may have gone stale).
  bool reused() const { return reused_; }
  void Discard() { connection_.reset(); }

 private:
  PgPool* pool_;
  std::unique_ptr<PgConnection> connection_;
  bool reused_;
};

class PgPool {
 public:
  explicit PgPool(std::string conninfo) : conninfo_(std::move(conninfo)) {}

  // An idle connection, or a new one. FAILED_PRECONDITION once closed.
  absl::StatusOr<PooledConnection> Acquire();
  // Drops the idle connections (all probably dead once one was).
  void DropIdle();
  // Closes the idle connections; later Acquire calls fail.
  void Close();

  const std::string& conninfo() const { return conninfo_; }

 private:
  friend class PooledConnection;
  void Release(std::unique_ptr<PgConnection> connection);

  const std::string conninfo_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<PgConnection>> idle_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_PG_POOL_H_
