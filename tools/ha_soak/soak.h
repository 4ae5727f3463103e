#ifndef RETURNPATH_TOOLS_HA_SOAK_SOAK_H_
#define RETURNPATH_TOOLS_HA_SOAK_SOAK_H_

// The failover soak (issue 18): two returnpathd share a store in a
// three-node Patroni cluster while the crash soak's lanes write through both;
// the PostgreSQL leader's machine is "crashed" (kill -9 of its Patroni and
// PostgreSQL) again and again. At the end every acknowledged call must be in
// the log exactly once, Verify and ReplayCheck clean, no timer fired twice
// and no task completed twice or by a worker that did not lease it.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace returnpath::ha {

struct HaOptions {
  std::string returnpathd;
  std::string policy_dir;
  std::string work_dir;  // empty, made the postgres user's when root
  int kills = 20;
  int daemons = 2;
  int lanes_per_daemon = 2;
  // Synchronous replication (the product's setting); false: asynchronous
  // with synchronous_commit off (may lose acknowledged writes: shows the
  // soak can fail).
  bool synchronous = true;
  // The daemons get only the first leader's host, not the whole cluster.
  bool single_host = false;
  // The lanes write this long (drawn uniformly) between kills.
  absl::Duration min_between = absl::Seconds(2);
  absl::Duration max_between = absl::Seconds(5);
  absl::Duration failover_timeout = absl::Seconds(90);
  // Persons whose departure deadline fires during a last failover (0: no
  // timer phase).
  int timer_persons = 10;
  uint64_t seed = 1;
};

struct KillRecord {
  std::string node;
  absl::Duration new_leader;   // kill -> a new leader listed
  absl::Duration unavailable;  // kill -> first acknowledged write after it
};

struct HaReport {
  int kills = 0;  // in the writing phase
  int timer_kills = 0;
  std::vector<KillRecord> per_kill;
  uint64_t acknowledged = 0;
  uint64_t checked = 0;
  uint64_t lost = 0;
  uint64_t duplicated = 0;
  uint64_t in_doubt = 0;
  uint64_t leases_lost = 0;
  // Answers that misreport an outage (a long poll's "no task" while its
  // queue could not be read, DATA_LOSS for a lost connection): retried so
  // that the run goes on (Lane::set_retry_empty_polls, set_retry_data_loss),
  // and each makes the run unclean.
  uint64_t empty_polls = 0;
  uint64_t data_loss_answers = 0;
  std::string first_data_loss;
  uint64_t timers_fired = 0;
  uint64_t timers_duplicated = 0;
  uint64_t timers_missing = 0;  // timer persons whose deadline never fired
  uint64_t tasks_completed = 0;
  uint64_t tasks_completed_twice = 0;
  uint64_t tasks_wrong_worker = 0;
  int verify_runs = 0;
  int verify_failures = 0;
  uint64_t replay_differences = 0;
  std::vector<std::string> problems;
  absl::Status stopped;
  absl::Duration elapsed;
  std::string work_dir;

  bool clean() const {
    return stopped.ok() && lost == 0 && duplicated == 0 && leases_lost == 0 &&
           timers_duplicated == 0 && timers_missing == 0 &&
           tasks_completed_twice == 0 && tasks_wrong_worker == 0 &&
           verify_failures == 0 && replay_differences == 0 &&
           empty_polls == 0 && data_loss_answers == 0 && problems.empty();
  }
};

HaReport RunHaSoak(const HaOptions& options);
std::string FormatHaReport(const HaReport& report);

}  // namespace returnpath::ha

#endif  // RETURNPATH_TOOLS_HA_SOAK_SOAK_H_
