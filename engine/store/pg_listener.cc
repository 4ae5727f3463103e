#include "store/pg_listener.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "store/pg_connection.h"

namespace returnpath::engine {

PgCommitListener::PgCommitListener(std::string conninfo,
                                   std::function<bool(int)> own,
                                   std::function<void()> changed, PgLog log)
    : conninfo_(std::move(conninfo)),
      own_(std::move(own)),
      changed_(std::move(changed)),
      log_(std::move(log)) {
  if (pipe(wake_) != 0) wake_[0] = wake_[1] = -1;
  // Listening before this returns: no commit after it goes unnoticed.
  std::unique_ptr<PgConnection> connection = Listen();
  thread_ = std::thread([this, connection = std::move(connection)]() mutable {
    Run(std::move(connection));
  });
}

std::unique_ptr<PgConnection> PgCommitListener::Listen() {
  absl::StatusOr<std::unique_ptr<PgConnection>> connection =
      PgConnection::Connect(conninfo_);
  absl::Status status = connection.status();
  if (status.ok()) {
    status =
        (*connection)->Exec(absl::StrCat("LISTEN ", kPgCommitChannel).c_str());
  }
  if (status.ok()) {
    absl::StatusOr<PgResult> schema =
        (*connection)->Query("SELECT current_schema()::text", {});
    status = schema.status();
    if (status.ok()) schema_ = std::string(PgBytes(schema->get(), 0, 0));
  }
  if (status.ok()) return *std::move(connection);
  log_("warning", absl::StrCat("commit listener: ", status.message()));
  return nullptr;
}

PgCommitListener::~PgCommitListener() {
  stop_ = true;
  if (wake_[1] >= 0) {
    const char byte = 0;
    (void)!write(wake_[1], &byte, 1);
  }
  thread_.join();
  for (int fd : wake_) {
    if (fd >= 0) close(fd);
  }
}

bool PgCommitListener::WaitForStop(absl::Duration timeout) {
  pollfd wake{wake_[0], POLLIN, 0};
  poll(&wake, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  return stop_;
}

void PgCommitListener::Run(std::unique_ptr<PgConnection> connection) {
  const absl::Duration first_backoff = absl::Milliseconds(50);
  absl::Duration backoff = first_backoff;
  while (!stop_) {
    if (connection == nullptr) {
      if (WaitForStop(backoff)) return;
      backoff = std::min(backoff * 2, absl::Seconds(5));
      connection = Listen();
      if (connection == nullptr) continue;
      log_("info", "commit listener reconnected");
      backoff = first_backoff;
      changed_();  // notifications may have been missed meanwhile
    }
    PGconn* conn = connection->get();
    while (!stop_) {
      pollfd fds[2] = {{PQsocket(conn), POLLIN, 0}, {wake_[0], POLLIN, 0}};
      poll(fds, 2, /*timeout ms=*/1000);
      if (stop_) return;
      if (PQconsumeInput(conn) != 1) break;
      while (PGnotify* notify = PQnotifies(conn)) {
        if (!own_(notify->be_pid) && notify->extra == schema_) changed_();
        PQfreemem(notify);
      }
      if (connection->Broken()) break;
    }
    if (stop_) return;
    log_("warning", "commit listener: the connection is lost");
    connection.reset();
  }
}

}  // namespace returnpath::engine
