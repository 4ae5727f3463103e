#ifndef RETURNPATH_TOOLS_CRASHTEST_SOAK_H_
#define RETURNPATH_TOOLS_CRASHTEST_SOAK_H_

// The crash soak over the real daemon: concurrent gRPC clients record events
// and complete tasks while the daemon is killed (SIGKILL) or loses power
// (returnpathd_faulty, SIGUSR1) at random moments; after each restart every
// acknowledged call is looked up, and Verify and ReplayCheck must be clean.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace returnpath::crashtest {

enum class CrashMode { kKill, kPowerLoss, kBoth };

struct SoakOptions {
  std::string returnpathd;         // the production daemon (kill cycles)
  std::string returnpathd_faulty;  // the test-only build (power-loss cycles)
  std::string policy_dir;
  std::string work_dir;  // the store and the daemons' log go here
  CrashMode mode = CrashMode::kKill;
  int cycles = 20;  // crashes; 0: until `duration`
  absl::Duration duration = absl::ZeroDuration();  // 0: no time limit
  int clients = 2;
  // Each daemon is crashed at a moment drawn uniformly from [0, this] after
  // it serves.
  absl::Duration max_uptime = absl::Milliseconds(300);
  int verify_every = 1;  // Verify and ReplayCheck after every Nth restart
  uint64_t seed = 1;
  bool unsafe_no_sync = false;  // the faulty daemon never fsyncs (must lose)
  int rpc_threads = 2;
};

struct SoakReport {
  int cycles = 0;
  int kill_cycles = 0;
  int power_cycles = 0;
  uint64_t acknowledged = 0;  // calls answered OK
  uint64_t checked = 0;       // acknowledgement look-ups after restarts
  uint64_t lost = 0;
  uint64_t duplicated = 0;
  uint64_t in_doubt = 0;  // calls a crash cut off, retried after the restart
  int verify_runs = 0;
  int verify_failures = 0;
  uint64_t replay_differences = 0;
  std::vector<std::string> problems;  // the first few, one line each
  // Why the soak stopped before its end (a daemon that did not come back, a
  // refusal the clients never expect); OK when it ran to the end.
  absl::Status stopped;
  absl::Duration elapsed;

  bool clean() const {
    return stopped.ok() && lost == 0 && duplicated == 0 &&
           verify_failures == 0 && replay_differences == 0 && problems.empty();
  }
};

// Runs the soak; `progress` (may be empty) sees the report after each cycle.
SoakReport RunSoak(const SoakOptions& options,
                   const std::function<void(const SoakReport&)>& progress);

// One line per figure, as the tool prints it.
std::string FormatReport(const SoakReport& report);

}  // namespace returnpath::crashtest

#endif  // RETURNPATH_TOOLS_CRASHTEST_SOAK_H_
