#ifndef RETURNPATH_ENGINE_STORE_PG_LISTENER_H_
#define RETURNPATH_ENGINE_STORE_PG_LISTENER_H_

// Store-internal: a thread that LISTENs on the store's commit channel and
// says when another process committed to the same store (a notification's
// payload names the schema the store's tables are in: one database may hold
// several stores). Reconnects with backoff when its
// connection breaks, and then reports a change (it may have missed some).

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "store/pg_connection.h"

namespace returnpath::engine {

inline constexpr char kPgCommitChannel[] = "returnpath_commit";

using PgLog =
    std::function<void(absl::string_view level, absl::string_view message)>;

class PgCommitListener {
 public:
  // `own(pid)`: whether a notification from backend `pid` is our own write.
  PgCommitListener(std::string conninfo, std::function<bool(int pid)> own,
                   std::function<void()> changed, PgLog log);
  // Stops the thread.
  ~PgCommitListener();
  PgCommitListener(const PgCommitListener&) = delete;
  PgCommitListener& operator=(const PgCommitListener&) = delete;

 private:
  // A connection that LISTENs; null (and logged) if it cannot.
  std::unique_ptr<PgConnection> Listen();
  void Run(std::unique_ptr<PgConnection> connection);
  // Waits up to `timeout` for the stop signal; true if it came.
  bool WaitForStop(absl::Duration timeout);

  const std::string conninfo_;
  std::string schema_;  // the store's, as Listen found it
  const std::function<bool(int)> own_;
  const std::function<void()> changed_;
  const PgLog log_;
  int wake_[2] = {-1, -1};  // a pipe: written to stop the thread
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_PG_LISTENER_H_
