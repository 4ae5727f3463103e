#ifndef RETURNPATH_TOOLS_HA_SOAK_CLUSTER_H_
#define RETURNPATH_TOOLS_HA_SOAK_CLUSTER_H_

// A private high-availability PostgreSQL cluster for tools/ha: one etcd and
// three Patroni nodes on loopback, each with its own PostgreSQL, all under
// one work directory (configuration, data and logs). Patroni and PostgreSQL
// run as the `postgres` user when we are root. Test-only.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/testing/child_process.h"

namespace returnpath::ha {

struct ClusterOptions {
  std::string work_dir;  // must exist; made the postgres user's when root
  std::string bin_dir = "/usr/lib/postgresql/15/bin";
  int nodes = 3;
  // Synchronous replication (Patroni's synchronous_mode, synchronous_commit
  // on); false: asynchronous with synchronous_commit off, which may lose
  // acknowledged commits at a failover (shows that the soak can fail).
  bool synchronous = true;
  // Patroni's leader key lifetime and loop; a killed leader's key expires
  // after at most `ttl`.
  int ttl = 10;
  int loop_wait = 1;
  int retry_timeout = 4;
};

// One member as Patroni's REST API (/cluster) lists it.
struct Member {
  std::string name;
  std::string role;   // "leader", "sync_standby", "replica"
  std::string state;  // "running", "starting", "stopped", ...
  int port = 0;
  int timeline = 0;
};

// What a kill did.
struct Killed {
  int node = -1;
  std::string name;
  absl::Time at;  // when the postmaster got SIGKILL
};

class Cluster {
 public:
  // Whether patroni and etcd are on PATH; the reason when not.
  static absl::Status Installed();

  // Starts etcd and the nodes, waits for a leader (and, if synchronous, a
  // synchronous standby), and creates database `database`.
  static absl::StatusOr<std::unique_ptr<Cluster>> Start(
      const ClusterOptions& options, const std::string& database);
  ~Cluster();  // stops everything (Stop)
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Patroni nodes first (each stops its PostgreSQL), then etcd; kills what
  // is left of the PostgreSQL servers.
  void Stop();

  // libpq URI of `database` listing every node (target_session_attrs=
  // read-write); with `only_node` >= 0 that node alone.
  std::string Uri(const std::string& database, int only_node = -1) const;

  // The members, asked of each running node in turn.
  absl::StatusOr<std::vector<Member>> Members() const;
  // The running leader's node index.
  absl::StatusOr<int> Leader() const;

  // A crash of the leader's machine: kill -9 of its Patroni, its postmaster
  // (from postmaster.pid) and the postmaster's children.
  absl::StatusOr<Killed> KillLeader();
  // Starts the node's Patroni again (it rejoins as a replica).
  absl::Status Restart(int node);
  // Waits until every node runs, one is the leader and (if synchronous) one
  // is its synchronous standby.
  absl::Status WaitHealthy(absl::Duration timeout) const;
  // Waits until a running leader other than `old_leader` is listed; returns
  // its index.
  absl::StatusOr<int> WaitNewLeader(int old_leader,
                                    absl::Duration timeout) const;

  const std::string& name(int node) const { return nodes_[node]->name; }
  int pg_port(int node) const { return nodes_[node]->pg_port; }
  // Where the logs are, for a failure message.
  std::string LogHint() const;

 private:
  struct Node {
    std::string name;
    std::string dir;
    std::string data_dir;
    std::string config;
    int pg_port = 0;
    int api_port = 0;
    process::ChildProcess patroni;
    bool up = false;
  };

  explicit Cluster(ClusterOptions options) : options_(std::move(options)) {}
  absl::Status StartEtcd();
  absl::Status WriteConfig(Node& node) const;
  absl::Status StartNode(Node& node);
  absl::Status CreateDatabase(const std::string& database);

  const ClusterOptions options_;
  std::string work_;
  int etcd_port_ = 0;
  int etcd_peer_port_ = 0;
  process::ChildProcess etcd_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

}  // namespace returnpath::ha

#endif  // RETURNPATH_TOOLS_HA_SOAK_CLUSTER_H_
