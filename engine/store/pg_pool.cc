#include "store/pg_pool.h"

#include "engine/status_macros.h"

namespace returnpath::engine {

PooledConnection::~PooledConnection() {
  if (connection_ != nullptr) pool_->Release(std::move(connection_));
}

absl::StatusOr<PooledConnection> PgPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) {
      return absl::FailedPreconditionError("the PostgreSQL store is closed");
    }
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> connection = std::move(idle_.back());
      idle_.pop_back();
      return PooledConnection(this, std::move(connection), /*reused=*/true);
    }
  }
  RP_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> connection,
                      PgConnection::Connect(conninfo_));
  return PooledConnection(this, std::move(connection), /*reused=*/false);
}

void PgPool::Release(std::unique_ptr<PgConnection> connection) {
  if (connection->Broken() ||
      PQtransactionStatus(connection->get()) != PQTRANS_IDLE) {
    return;
  }
  absl::MutexLock lock(&mu_);
  if (!closed_) idle_.push_back(std::move(connection));
}

void PgPool::DropIdle() {
  std::vector<std::unique_ptr<PgConnection>> dropped;
  absl::MutexLock lock(&mu_);
  dropped.swap(idle_);
}

void PgPool::Close() {
  std::vector<std::unique_ptr<PgConnection>> dropped;
  absl::MutexLock lock(&mu_);
  closed_ = true;
  dropped.swap(idle_);
}

}  // namespace returnpath::engine
