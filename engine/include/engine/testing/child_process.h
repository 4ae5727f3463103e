#ifndef RETURNPATH_ENGINE_TESTING_CHILD_PROCESS_H_
#define RETURNPATH_ENGINE_TESTING_CHILD_PROCESS_H_

// Child processes for tests, benchmarks and tools/crashtest: a daemon in the
// background, a program run to completion, a file waited for. One way to
// start them (posix_spawn, safe from a multi-threaded process).

#include <signal.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace returnpath::process {

struct SpawnOptions {
  // Where stdout and stderr go; "" is /dev/null. The same path for both
  // sends them to one file.
  std::string out_path;
  std::string err_path;
  // Append to those files instead of starting them empty.
  bool append = false;
  // The child's environment ("NAME=value"); nullopt: the caller's.
  std::optional<std::vector<std::string>> env;
};

// A child process. Terminates it (SIGTERM, then SIGKILL after 10 s) when
// destroyed if it is still running.
class ChildProcess {
 public:
  // Starts argv[0] (a path, or a name looked up in PATH) with stdin from
  // /dev/null.
  static absl::StatusOr<ChildProcess> Spawn(
      const std::vector<std::string>& argv, const SpawnOptions& options);
  ChildProcess() = default;  // no process
  ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_) {
    other.pid_ = -1;
  }
  ChildProcess& operator=(ChildProcess&& other) noexcept {
    std::swap(pid_, other.pid_);
    return *this;
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // Whether it still runs (false once it exited, and it is reaped then).
  bool Running();
  // Sends `signal`, waits up to `grace` for the exit, then SIGKILL. Returns
  // the wait status (see waitpid); -1 without a process.
  int Signal(int signal, absl::Duration grace);
  // SIGTERM, wait up to `grace`, then SIGKILL. Returns the wait status.
  int Stop(absl::Duration grace) { return Signal(SIGTERM, grace); }
  // Waits up to `timeout` for the exit, then SIGKILL. Returns the exit code,
  // -1 if it was killed by a signal or had to be.
  int Wait(absl::Duration timeout);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  // Waits until `deadline`, then SIGKILL; the wait status.
  int Reap(absl::Time deadline);

  pid_t pid_ = -1;
};

// A process that writes the port it listens on to a file once it serves
// (returnpathd's --port_file).
struct ServingProcess {
  ChildProcess process;
  int port = 0;
  absl::Time spawned;       // just before it was started
  absl::Time port_written;  // when its port file was first seen
};

// Starts `argv` and waits up to `timeout` for `port_file` (removed first) to
// name a port. INTERNAL if the process exits before, or the file holds no
// port; DEADLINE_EXCEEDED after `timeout` (the process is stopped then).
absl::StatusOr<ServingProcess> SpawnServing(
    const std::vector<std::string>& argv, const SpawnOptions& options,
    const std::string& port_file, absl::Duration timeout);

// The exit code of a wait status: -1 if the process did not exit by itself.
int ExitCodeOf(int wait_status);

struct ProcessResult {
  int exit_code = -1;  // -1: killed (timeout or signal), or not started
  std::string out;
  std::string err;  // or why it could not start
};

// Runs `argv` to completion with stdout and stderr captured; kills it after
// `timeout`.
ProcessResult RunProcess(
    const std::vector<std::string>& argv,
    absl::Duration timeout = absl::Seconds(30),
    std::optional<std::vector<std::string>> env = std::nullopt);

// As RunProcess, for a program that must succeed: what it printed (stdout,
// then stderr), or INTERNAL with that output if it did not exit 0.
absl::StatusOr<std::string> RunProgram(const std::vector<std::string>& argv,
                                       absl::Duration timeout = absl::Hours(1));

// The caller's environment without RETURNPATH_* (so a developer's shell does
// not leak a token or server into a test).
std::vector<std::string> CleanEnvironment();

// A fresh directory under the system's temp directory, named prefix + random.
absl::StatusOr<std::string> MakeTempDir(absl::string_view prefix);

// Whether process `pid` still runs (a zombie does not), from /proc.
bool Alive(pid_t pid);
// The processes whose parent is `parent`, from /proc.
std::vector<pid_t> ChildrenOf(pid_t parent);

// The whole file; "" if it cannot be read.
std::string ReadFile(const std::string& path);

// Polls every 200 us until `path` exists. DEADLINE_EXCEEDED after `timeout`.
absl::Status WaitForFile(const std::string& path, absl::Duration timeout);

}  // namespace returnpath::process

#endif  // RETURNPATH_ENGINE_TESTING_CHILD_PROCESS_H_
