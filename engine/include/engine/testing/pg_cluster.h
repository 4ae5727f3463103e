#ifndef RETURNPATH_ENGINE_TESTING_PG_CLUSTER_H_
#define RETURNPATH_ENGINE_TESTING_PG_CLUSTER_H_

// A private PostgreSQL server for tests and benchmarks: initdb in a given
// directory (as the `postgres` user when run as root), started on a free
// loopback port with fsync on, stopped when destroyed. Test-only.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace returnpath::engine::testing {

struct PgClusterOptions {
  // More server settings, each as "-c name=value" would take it.
  std::vector<std::string> settings;
  // How the destructor stops the server: "fast" or "immediate".
  std::string stop_mode = "immediate";
};

// A loopback port free now (bound, read, closed).
absl::StatusOr<int> FreeLoopbackPort();

// `argv` run as the `postgres` user when we are root (PostgreSQL's server
// programs refuse root), else as it is.
std::vector<std::string> AsPostgres(std::vector<std::string> argv);
// Makes `path` the `postgres` user's when we are root.
absl::Status GiveToPostgres(const std::string& path);

// The newest PostgreSQL's bin directory under /usr/lib/postgresql;
// FAILED_PRECONDITION if none is installed.
absl::StatusOr<std::string> PgBinDir();

class PgCluster {
 public:
  // Runs initdb in `dir`/pgdata (`dir` must exist; made the postgres user's
  // when run as root) and starts the server.
  static absl::StatusOr<std::unique_ptr<PgCluster>> Create(
      const std::string& dir, PgClusterOptions options = {});
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // Starts the server on the same data directory and port (after Kill or
  // Stop).
  absl::Status Start();
  // Stops it with the options' stop mode.
  absl::Status Stop();
  // kill -9 of the postmaster and its children (a crash); returns once they
  // are gone.
  absl::Status Kill();
  // Leaves the server running when this is destroyed (a ctest fixture's,
  // stopped later by StopIn).
  void Leave() { running_ = false; }
  // Stops (immediately) the server whose Create was given `dir`.
  static absl::Status StopIn(const std::string& dir);

  // Creates database `name`; returns a libpq conninfo for it.
  absl::StatusOr<std::string> CreateDatabase(absl::string_view name);
  // The conninfo of an existing database, as the `postgres` superuser.
  std::string Conninfo(absl::string_view database) const;
  // Runs `sql` with psql on `database`, stopping at the first error.
  absl::StatusOr<std::string> Psql(const std::string& sql,
                                   absl::string_view database = "postgres");

  const std::string& bin_dir() const { return bin_; }
  const std::string& dir() const { return dir_; }
  int port() const { return port_; }

 private:
  PgCluster(std::string bin, std::string dir, PgClusterOptions options)
      : bin_(std::move(bin)),
        dir_(std::move(dir)),
        options_(std::move(options)) {}

  const std::string bin_;
  const std::string dir_;
  const PgClusterOptions options_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace returnpath::engine::testing

#endif  // RETURNPATH_ENGINE_TESTING_PG_CLUSTER_H_
