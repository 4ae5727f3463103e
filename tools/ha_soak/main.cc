// ha_soak: kills the PostgreSQL leader of a three-node Patroni cluster again
// and again under two returnpathd sharing it, and checks that nothing
// acknowledged was lost (see soak.h and docs/reliability.md). Exits 0 when
// clean, 1 on any loss, duplicate or audit failure, 77 when patroni or etcd
// is not installed (ctest's skip code), 2 on bad flags.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "tools/ha_soak/cluster.h"
#include "tools/ha_soak/soak.h"

ABSL_FLAG(std::string, returnpathd, "build/tools/returnpathd/returnpathd",
          "the daemon");
ABSL_FLAG(std::string, policy_dir, "workflows/return_pathway/policy",
          "the return-pathway policy files");
ABSL_FLAG(std::string, work_dir, "",
          "an empty directory for the cluster, the daemons and all logs; "
          "default: a fresh one under $TMPDIR, removed when the run is clean");
ABSL_FLAG(int, kills, 20, "kills of the leader while the lanes write");
ABSL_FLAG(int, lanes, 2, "client lanes per daemon");
ABSL_FLAG(int, min_between_ms, 2000,
          "the lanes write at least this long between kills");
ABSL_FLAG(int, max_between_ms, 5000, "and at most this long (drawn uniformly)");
ABSL_FLAG(int, failover_timeout_s, 90,
          "give up when writes are not back this long after a kill");
ABSL_FLAG(int, timer_persons, 10,
          "persons whose deadline fires during a last failover (0: none)");
ABSL_FLAG(bool, unsafe_async, false,
          "asynchronous replication with synchronous_commit off: a failover "
          "may lose acknowledged writes (shows that the tool can fail)");
ABSL_FLAG(bool, single_host, false,
          "give the daemons only the first leader's address instead of every "
          "node's");
ABSL_FLAG(uint64_t, seed, 1, "seeds the pauses between kills");
ABSL_FLAG(bool, keep_failed, true,
          "keep the default work dir when the run is not clean");

int main(int argc, char** argv) {
  using namespace returnpath::ha;  // NOLINT: a main
  absl::SetProgramUsageMessage(
      "ha_soak: failover soak of returnpathd on a Patroni cluster (issue 18)");
  absl::ParseCommandLine(argc, argv);

  if (absl::Status installed = Cluster::Installed(); !installed.ok()) {
    std::cout << "ha_soak: skipped: " << installed.message() << std::endl;
    return 77;
  }
  HaOptions options;
  options.returnpathd = absl::GetFlag(FLAGS_returnpathd);
  options.policy_dir = absl::GetFlag(FLAGS_policy_dir);
  options.kills = absl::GetFlag(FLAGS_kills);
  options.lanes_per_daemon = absl::GetFlag(FLAGS_lanes);
  options.min_between = absl::Milliseconds(absl::GetFlag(FLAGS_min_between_ms));
  options.max_between = absl::Milliseconds(absl::GetFlag(FLAGS_max_between_ms));
  options.failover_timeout =
      absl::Seconds(absl::GetFlag(FLAGS_failover_timeout_s));
  options.timer_persons = absl::GetFlag(FLAGS_timer_persons);
  options.synchronous = !absl::GetFlag(FLAGS_unsafe_async);
  options.single_host = absl::GetFlag(FLAGS_single_host);
  options.seed = absl::GetFlag(FLAGS_seed);
  if (options.kills < 0 || options.lanes_per_daemon < 1 ||
      options.max_between < options.min_between) {
    std::cerr << "--kills must be >= 0, --lanes >= 1, --max_between_ms >= "
                 "--min_between_ms\n";
    return 2;
  }
  // Not a subreaper (PR_SET_CHILD_SUBREAPER): Patroni starts PostgreSQL
  // detached and waits for a stopped server to vanish, which a zombie of
  // ours never does.

  options.work_dir = absl::GetFlag(FLAGS_work_dir);
  const bool own_dir = options.work_dir.empty();
  if (own_dir) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/ha_soak-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      std::cerr << "cannot make a directory under " << pattern << "\n";
      return 2;
    }
    options.work_dir = pattern;
  }
  std::cout << "ha_soak: " << options.kills << " kills, "
            << (options.synchronous ? "synchronous" : "ASYNCHRONOUS")
            << " replication, work dir " << options.work_dir << std::endl;

  const HaReport report = RunHaSoak(options);
  std::cout << FormatHaReport(report);
  const bool keep = !report.clean() && absl::GetFlag(FLAGS_keep_failed);
  if (keep) std::cout << "kept for inspection: " << options.work_dir << "\n";
  if (own_dir && !keep) {
    std::error_code ignored;
    std::filesystem::remove_all(options.work_dir, ignored);
  }
  return report.clean() ? 0 : 1;
}
