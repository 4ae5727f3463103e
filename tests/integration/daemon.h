#ifndef RETURNPATH_TESTS_INTEGRATION_DAEMON_H_
#define RETURNPATH_TESTS_INTEGRATION_DAEMON_H_

// The real returnpathd binary as a child process on a fresh data directory,
// and the returnctl binary run as a subprocess.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/testing/child_process.h"
#include "grpcpp/grpcpp.h"
#include "returnpath/v1/auth.pb.h"
#include "testing/health.h"

namespace returnpath::integration {

// Paths baked in by CMake; empty when the target did not exist.
std::string ReturnpathdPath();

// The flags that put returnpathd's store where the test's store lives: none
// for the embedded store in `data_dir`, --store on PostgreSQL
// (engine/testing/test_store.h).
std::vector<std::string> StoreFlags(const std::string& data_dir);
std::string ReturnctlPath();
std::string PolicyDir();  // the return pathway's policy files

using process::ProcessResult;

// Runs `argv` (argv[0] is the program path) to completion with stdout and
// stderr captured; kills it after `timeout`. Safe to call from a
// multi-threaded test (posix_spawn).
// `extra_env` ("NAME=value") is added to the environment, from which every
// RETURNPATH_* variable of the caller is removed.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         absl::Duration timeout = absl::Seconds(30),
                         const std::vector<std::string>& extra_env = {});

using process::MakeTempDir;

struct DaemonOptions {
  std::string clock = "manual";  // or "system"
  std::string clock_start = "2026-03-01T00:00:00Z";
  std::vector<std::string> extra_flags;
  // Empty: the daemon's development principals (--dev_principals: one desk at
  // Oslo-1, an auditor over everything, an administrator). Otherwise these,
  // written to <base>/etc/principals.textproto for --principals; each entry
  // without a certificate subject gets a fresh token in
  // <data_dir>/tokens/<name>.token.
  std::vector<v1::PrincipalEntry> principals;
  // What NewChannel() (and the start-up health check) connects with; null:
  // clear text. A daemon started with --tls_client_ca needs a client
  // certificate here.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Called with the data directory once it exists, before the daemon starts
  // (e.g. to mount a small file system at <data_dir>/store).
  std::function<absl::Status(const std::string& data_dir)> prepare_data_dir;
  // The data directory of a stopped daemon whose store this one opens, with
  // the master key that sealed its events: a copy of the embedded store's
  // directory, or on PostgreSQL the same schema. Empty: a new store.
  std::string store_of;
};

// One returnpathd process. Not thread-safe; owns its temp directory, which it
// removes (and the process, which it kills) on destruction.
class Daemon {
 public:
  // Starts the daemon with --listen=127.0.0.1:0, waits for its port file and
  // for the health service to report SERVING.
  static absl::StatusOr<std::unique_ptr<Daemon>> Start(
      const DaemonOptions& options = {});
  ~Daemon();

  const std::string& address() const { return address_; }
  const std::string& data_dir() const { return data_dir_; }
  // The principals file the daemon reads and rewrites.
  const std::string& principals_file() const { return principals_file_; }
  // The dev token the daemon wrote for `role` (data_dir/tokens/<role>.token).
  std::string Token(absl::string_view role) const;
  std::shared_ptr<grpc::Channel> NewChannel() const;
  // The end of the daemon's stdout+stderr, for failure messages.
  std::string LogTail(size_t bytes = 6000) const;
  // Stops the process (SIGTERM, then SIGKILL after 5 s) and returns its exit
  // code (-1: killed); idempotent.
  int Stop();

 private:
  Daemon() = default;

  process::ChildProcess process_;
  int exit_code_ = -1;
  std::string base_dir_;
  std::string data_dir_;
  std::string principals_file_;
  std::string log_path_;
  std::string address_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
};

using process::WaitForServing;

}  // namespace returnpath::integration

#endif  // RETURNPATH_TESTS_INTEGRATION_DAEMON_H_
