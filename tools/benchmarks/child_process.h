#ifndef RETURNPATH_TOOLS_BENCHMARKS_CHILD_PROCESS_H_
#define RETURNPATH_TOOLS_BENCHMARKS_CHILD_PROCESS_H_

// Child processes for the benchmark suites and tools/crashtest: a daemon in
// the background, a program run to completion, a file waited for.

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace returnpath::bench {

// A child process. Terminates it (SIGTERM, then SIGKILL after `grace`) when
// destroyed if it is still running.
class ChildProcess {
 public:
  // Starts argv[0] with stdout and stderr appended to `log_path`.
  static absl::StatusOr<ChildProcess> Spawn(
      const std::vector<std::string>& argv, const std::string& log_path);
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
  bool Running();
  // SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit status.
  int Stop(absl::Duration grace) { return Signal(SIGTERM, grace); }
  // Sends `signal`, waits up to `grace` for the exit, then SIGKILL. Returns
  // the wait status (see waitpid).
  int Signal(int signal, absl::Duration grace);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
};

// Runs argv[0] to completion and returns what it printed (stdout and
// stderr). INTERNAL with that output if it exits non-zero.
absl::StatusOr<std::string> RunProgram(const std::vector<std::string>& argv);

// Polls every 200 us until `path` exists. DEADLINE_EXCEEDED after `timeout`.
absl::Status WaitForFile(const std::string& path, absl::Duration timeout);

}  // namespace returnpath::bench

#endif  // RETURNPATH_TOOLS_BENCHMARKS_CHILD_PROCESS_H_
