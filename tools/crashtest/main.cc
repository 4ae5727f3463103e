// crashtest: crashes the real daemon again and again under concurrent gRPC
// clients and checks that no acknowledged call was lost (see soak.h and
// docs/reliability.md). Exits 1 on any loss, duplicate or audit failure.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "tools/crashtest/soak.h"

ABSL_FLAG(std::string, returnpathd, "build/tools/returnpathd/returnpathd",
          "the production daemon, crashed with kill -9");
ABSL_FLAG(std::string, returnpathd_faulty,
          "build/tools/returnpathd/returnpathd_faulty",
          "the test-only daemon whose store loses power on SIGUSR1");
ABSL_FLAG(std::string, policy_dir, "workflows/return_pathway/policy",
          "the return-pathway policy files");
ABSL_FLAG(std::string, work_dir, "",
          "an empty directory for the store and the daemon log; default: a "
          "fresh one under $TMPDIR, removed when the run is clean");
ABSL_FLAG(std::string, mode, "both",
          "kill (SIGKILL), power (simulated power loss) or both (each cycle "
          "drawn at random)");
ABSL_FLAG(int, cycles, 20, "crashes to run; 0: as many as --seconds allows");
ABSL_FLAG(int, seconds, 0, "stop after this long (0: no limit)");
ABSL_FLAG(int, clients, 2, "concurrent gRPC clients");
ABSL_FLAG(int, max_uptime_ms, 300,
          "each daemon is crashed at a random moment up to this long after "
          "it serves");
ABSL_FLAG(
    int, verify_every, 1,
    "run Verify and ReplayCheck after every Nth restart (and at the end)");
ABSL_FLAG(bool, keep_failed, true,
          "keep the default work dir when the run is not clean");
ABSL_FLAG(uint64_t, seed, 1, "seeds the crash moments, modes and torn writes");
ABSL_FLAG(bool, unsafe_no_sync, false,
          "the faulty daemon never fsyncs: power-loss cycles must then report "
          "lost events (shows that the tool can fail)");

int main(int argc, char** argv) {
  using namespace returnpath::crashtest;  // NOLINT: a main
  absl::SetProgramUsageMessage(
      "crashtest: kill -9 / power-loss soak of returnpathd (see "
      "docs/reliability.md)");
  absl::ParseCommandLine(argc, argv);

  SoakOptions options;
  options.returnpathd = absl::GetFlag(FLAGS_returnpathd);
  options.returnpathd_faulty = absl::GetFlag(FLAGS_returnpathd_faulty);
  options.policy_dir = absl::GetFlag(FLAGS_policy_dir);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode == "kill") {
    options.mode = CrashMode::kKill;
  } else if (mode == "power") {
    options.mode = CrashMode::kPowerLoss;
  } else if (mode == "both") {
    options.mode = CrashMode::kBoth;
  } else {
    std::cerr << "--mode: use kill, power or both\n";
    return 2;
  }
  options.cycles = absl::GetFlag(FLAGS_cycles);
  options.duration = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  options.clients = absl::GetFlag(FLAGS_clients);
  options.max_uptime = absl::Milliseconds(absl::GetFlag(FLAGS_max_uptime_ms));
  options.verify_every = absl::GetFlag(FLAGS_verify_every);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.unsafe_no_sync = absl::GetFlag(FLAGS_unsafe_no_sync);
  if (options.clients < 1 || options.verify_every < 1 ||
      (options.cycles <= 0 && options.duration <= absl::ZeroDuration())) {
    std::cerr << "--clients and --verify_every must be at least 1, and "
                 "--cycles or --seconds positive\n";
    return 2;
  }

  options.work_dir = absl::GetFlag(FLAGS_work_dir);
  const bool own_dir = options.work_dir.empty();
  if (own_dir) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/crashtest-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      std::cerr << "cannot make a directory under " << pattern << "\n";
      return 2;
    }
    options.work_dir = pattern;
  }
  std::cout << "crashtest: mode " << mode << ", work dir " << options.work_dir
            << std::endl;

  const SoakReport report = RunSoak(options, [](const SoakReport& r) {
    if (r.cycles % 50 == 0) {
      std::cerr << "cycle " << r.cycles << ": acknowledged " << r.acknowledged
                << ", checked " << r.checked << ", lost " << r.lost
                << std::endl;
    }
  });
  std::cout << FormatReport(report);
  const bool keep = !report.clean() && absl::GetFlag(FLAGS_keep_failed);
  if (keep) std::cout << "kept for inspection: " << options.work_dir << "\n";
  if (own_dir && !keep) {
    std::error_code ignored;
    std::filesystem::remove_all(options.work_dir, ignored);
  }
  return report.clean() ? 0 : 1;
}
