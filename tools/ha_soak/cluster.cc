#include "tools/ha_soak/cluster.h"

#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "engine/status_macros.h"
#include "engine/testing/child_process.h"
#include "engine/testing/pg_cluster.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace returnpath::ha {
namespace {

namespace fs = std::filesystem;

constexpr absl::Duration kPoll = absl::Milliseconds(100);

absl::StatusOr<int> FreeLoopbackPort(std::set<int>& taken) {
  // Each node's ports are taken before any server binds them: skip repeats.
  for (int attempt = 0; attempt < 20; ++attempt) {
    RP_ASSIGN_OR_RETURN(const int port, engine::testing::FreeLoopbackPort());
    if (taken.insert(port).second) return port;
  }
  return absl::InternalError("no free loopback port");
}


bool OnPath(const std::string& program) {
  const char* path = getenv("PATH");
  for (absl::string_view dir :
       absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    if (access(absl::StrCat(dir, "/", program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// The postmaster's pid from the first line of `data_dir`/postmaster.pid.
pid_t PostmasterPid(const std::string& data_dir) {
  std::ifstream in(data_dir + "/postmaster.pid");
  std::string line;
  pid_t pid = 0;
  if (!std::getline(in, line) || !absl::SimpleAtoi(line, &pid)) return 0;
  return pid;
}

// A GET on loopback; the body when the status is 200.
absl::StatusOr<std::string> HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  timeval timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("port ", port, ": refused"));
  }
  const std::string request =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("port ", port, ": send"));
  }
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) {
    response.append(buffer, n);
  }
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos || !absl::StartsWith(response, "HTTP/")) {
    return absl::UnavailableError(absl::StrCat("port ", port, ": no answer"));
  }
  const std::vector<std::string> status_line =
      absl::StrSplit(response.substr(0, response.find("\r\n")), ' ');
  if (status_line.size() < 2 || status_line[1] != "200") {
    return absl::UnavailableError(
        absl::StrCat("port ", port, path, ": HTTP ",
                     status_line.size() > 1 ? status_line[1] : "?"));
  }
  return response.substr(body + 4);
}

std::string Field(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? "" : it->second.string_value();
}

int IntField(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? 0
                                : static_cast<int>(it->second.number_value());
}

}  // namespace

absl::Status Cluster::Installed() {
  std::vector<std::string> missing;
  if (!OnPath("patroni")) missing.push_back("patroni");
  if (!OnPath("etcd")) missing.push_back("etcd (etcd-server)");
  if (missing.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("not installed: ", absl::StrJoin(missing, ", "),
                   " (apt-get install patroni etcd-server)"));
}

absl::StatusOr<std::unique_ptr<Cluster>> Cluster::Start(
    const ClusterOptions& options, const std::string& database) {
  RP_RETURN_IF_ERROR(Installed());
  std::unique_ptr<Cluster> cluster(new Cluster(options));
  cluster->work_ = fs::absolute(options.work_dir).string();
  RP_RETURN_IF_ERROR(engine::testing::GiveToPostgres(cluster->work_));
  std::set<int> taken;
  RP_ASSIGN_OR_RETURN(cluster->etcd_port_, FreeLoopbackPort(taken));
  RP_ASSIGN_OR_RETURN(cluster->etcd_peer_port_, FreeLoopbackPort(taken));
  for (int i = 0; i < options.nodes; ++i) {
    auto node = std::make_unique<Node>();
    node->name = absl::StrCat("pg", i);
    node->dir = absl::StrCat(cluster->work_, "/", node->name);
    node->data_dir = node->dir + "/data";
    node->config = node->dir + "/patroni.yml";
    RP_ASSIGN_OR_RETURN(node->pg_port, FreeLoopbackPort(taken));
    RP_ASSIGN_OR_RETURN(node->api_port, FreeLoopbackPort(taken));
    std::error_code error;
    fs::create_directories(node->dir, error);
    if (error) return absl::InternalError(node->dir + ": " + error.message());
    RP_RETURN_IF_ERROR(engine::testing::GiveToPostgres(node->dir));
    RP_RETURN_IF_ERROR(cluster->WriteConfig(*node));
    cluster->nodes_.push_back(std::move(node));
  }
  RP_RETURN_IF_ERROR(cluster->StartEtcd());
  // The first node bootstraps alone, so the leader is known; the others
  // then clone it.
  RP_RETURN_IF_ERROR(cluster->StartNode(*cluster->nodes_[0]));
  const absl::Time deadline = absl::Now() + absl::Seconds(90);
  while (!cluster->Leader().ok()) {
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("no leader after 90 s; ", cluster->LogHint()));
    }
    absl::SleepFor(kPoll);
  }
  for (size_t i = 1; i < cluster->nodes_.size(); ++i) {
    RP_RETURN_IF_ERROR(cluster->StartNode(*cluster->nodes_[i]));
  }
  RP_RETURN_IF_ERROR(cluster->WaitHealthy(absl::Seconds(120)));
  RP_RETURN_IF_ERROR(cluster->CreateDatabase(database));
  return cluster;
}

Cluster::~Cluster() { Stop(); }

absl::Status Cluster::StartEtcd() {
  const std::string client = absl::StrCat("http://127.0.0.1:", etcd_port_);
  const std::string peer = absl::StrCat("http://127.0.0.1:", etcd_peer_port_);
  RP_ASSIGN_OR_RETURN(
      etcd_,
      process::ChildProcess::Spawn(
          {"etcd", "--name=etcd0", "--data-dir=" + work_ + "/etcd",
           "--listen-client-urls=" + client,
           "--advertise-client-urls=" + client, "--listen-peer-urls=" + peer,
           "--initial-advertise-peer-urls=" + peer,
           "--initial-cluster=etcd0=" + peer, "--enable-v2=true"},
          {.out_path = work_ + "/etcd.log",
           .err_path = work_ + "/etcd.log",
           .append = true,
           .env = std::nullopt}));
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!HttpGet(etcd_port_, "/health").ok()) {
    if (!etcd_.Running() || absl::Now() > deadline) {
      return absl::UnavailableError(
          absl::StrCat("etcd did not start; see ", work_, "/etcd.log"));
    }
    absl::SleepFor(kPoll);
  }
  return absl::OkStatus();
}

absl::Status Cluster::WriteConfig(Node& node) const {
  const std::string hba =
      "  - local all all trust\n"
      "  - host all all 127.0.0.1/32 trust\n"
      "  - host replication all 127.0.0.1/32 trust\n";
  std::string yaml = absl::StrCat(
      "scope: returnpath-ha\n"
      "name: ",
      node.name,
      "\n"
      "restapi:\n"
      "  listen: 127.0.0.1:",
      node.api_port,
      "\n"
      "  connect_address: 127.0.0.1:",
      node.api_port,
      "\n"
      "etcd:\n"
      "  host: 127.0.0.1:",
      etcd_port_,
      "\n"
      "bootstrap:\n"
      "  dcs:\n"
      "    ttl: ",
      options_.ttl,
      "\n"
      "    loop_wait: ",
      options_.loop_wait,
      "\n"
      "    retry_timeout: ",
      options_.retry_timeout,
      "\n"
      "    maximum_lag_on_failover: 1048576\n"
      "    synchronous_mode: ",
      options_.synchronous ? "true" : "false",
      "\n"
      "    postgresql:\n"
      "      use_pg_rewind: true\n"
      "      remove_data_directory_on_rewind_failure: true\n"
      "      remove_data_directory_on_diverged_timelines: true\n"
      "      parameters:\n"
      "        synchronous_commit: '",
      options_.synchronous ? "on" : "off",
      "'\n"
      "        wal_log_hints: 'on'\n"
      "        fsync: 'on'\n"
      "  initdb:\n"
      "  - encoding: UTF8\n"
      "  - data-checksums\n"
      "  pg_hba:\n",
      hba,
      "postgresql:\n"
      "  listen: 127.0.0.1:",
      node.pg_port,
      "\n"
      "  connect_address: 127.0.0.1:",
      node.pg_port,
      "\n"
      "  data_dir: ",
      node.data_dir,
      "\n"
      "  bin_dir: ",
      options_.bin_dir,
      "\n"
      "  pgpass: ",
      node.dir,
      "/pgpass\n"
      "  authentication:\n"
      "    superuser: {username: postgres, password: postgres}\n"
      "    replication: {username: replicator, password: replicator}\n"
      "    rewind: {username: postgres, password: postgres}\n"
      "  parameters:\n"
      "    unix_socket_directories: ",
      node.dir,
      "\n"
      "  pg_hba:\n",
      hba);
  std::ofstream out(node.config);
  out << yaml;
  out.close();
  if (!out) return absl::InternalError("cannot write " + node.config);
  return engine::testing::GiveToPostgres(node.config);
}

absl::Status Cluster::StartNode(Node& node) {
  RP_ASSIGN_OR_RETURN(node.patroni, process::ChildProcess::Spawn(
                                        engine::testing::AsPostgres({"patroni", node.config}),
                                        {.out_path = node.dir + "/patroni.log",
                                         .err_path = node.dir + "/patroni.log",
                                         .append = true,
                                         .env = std::nullopt}));
  node.up = true;
  return absl::OkStatus();
}

absl::Status Cluster::CreateDatabase(const std::string& database) {
  absl::Status last;
  for (int attempt = 0; attempt < 20; ++attempt) {
    absl::StatusOr<int> leader = Leader();
    if (leader.ok()) {
      process::ProcessResult result = process::RunProcess(
          {options_.bin_dir + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
           "-h", "127.0.0.1", "-p", absl::StrCat(nodes_[*leader]->pg_port),
           "-U", "postgres", "-d", "postgres", "-c",
           absl::StrCat("CREATE DATABASE ", database)},
          absl::Seconds(30));
      if (result.exit_code == 0) return absl::OkStatus();
      last = absl::InternalError(
          absl::StrCat("CREATE DATABASE: ", result.out, result.err));
    } else {
      last = leader.status();
    }
    absl::SleepFor(absl::Milliseconds(500));
  }
  return last;
}

void Cluster::Stop() {
  for (auto& node : nodes_) {
    if (node->patroni.pid() > 0) node->patroni.Stop(absl::Seconds(30));
    node->up = false;
  }
  // What a killed Patroni left behind, or a server its Patroni did not stop.
  for (auto& node : nodes_) {
    const pid_t postmaster = PostmasterPid(node->data_dir);
    if (postmaster > 0 && process::Alive(postmaster)) {
      for (pid_t child : process::ChildrenOf(postmaster)) kill(child, SIGKILL);
      kill(postmaster, SIGKILL);
      const absl::Time deadline = absl::Now() + absl::Seconds(10);
      while (process::Alive(postmaster) && absl::Now() < deadline) {
        absl::SleepFor(absl::Milliseconds(10));
      }
    }
  }
  if (etcd_.pid() > 0) etcd_.Stop(absl::Seconds(10));
}

std::string Cluster::Uri(const std::string& database, int only_node) const {
  std::vector<std::string> hosts;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (only_node < 0 || static_cast<int>(i) == only_node) {
      hosts.push_back(absl::StrCat("127.0.0.1:", nodes_[i]->pg_port));
    }
  }
  return absl::StrCat("postgresql://postgres@", absl::StrJoin(hosts, ","), "/",
                      database,
                      "?target_session_attrs=read-write&connect_timeout=2");
}

absl::StatusOr<std::vector<Member>> Cluster::Members() const {
  absl::Status last = absl::UnavailableError("no node runs");
  for (const auto& node : nodes_) {
    if (!node->up) continue;
    absl::StatusOr<std::string> body = HttpGet(node->api_port, "/cluster");
    if (!body.ok()) {
      last = body.status();
      continue;
    }
    google::protobuf::Struct json;
    if (!google::protobuf::util::JsonStringToMessage(*body, &json).ok()) {
      last = absl::InternalError("/cluster: not JSON: " + *body);
      continue;
    }
    std::vector<Member> members;
    auto it = json.fields().find("members");
    if (it != json.fields().end()) {
      for (const auto& value : it->second.list_value().values()) {
        const google::protobuf::Struct& m = value.struct_value();
        members.push_back({Field(m, "name"), Field(m, "role"),
                           Field(m, "state"), IntField(m, "port"),
                           IntField(m, "timeline")});
      }
    }
    return members;
  }
  return last;
}

absl::StatusOr<int> Cluster::Leader() const {
  RP_ASSIGN_OR_RETURN(std::vector<Member> members, Members());
  for (const Member& m : members) {
    if (m.role != "leader" || m.state != "running") continue;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i]->name == m.name && nodes_[i]->up) {
        return static_cast<int>(i);
      }
    }
  }
  return absl::UnavailableError("no running leader");
}

absl::Status Cluster::WaitHealthy(absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  std::string last = "no answer";
  while (absl::Now() < deadline) {
    absl::StatusOr<std::vector<Member>> members = Members();
    if (members.ok()) {
      int leaders = 0, sync = 0, running = 0;
      std::vector<std::string> seen;
      for (const Member& m : *members) {
        leaders += m.role == "leader" && m.state == "running";
        sync += m.role == "sync_standby" && m.state == "running";
        running += m.state == "running";
        seen.push_back(absl::StrCat(m.name, " ", m.role, " ", m.state));
      }
      if (leaders == 1 && running == static_cast<int>(nodes_.size()) &&
          (!options_.synchronous || sync >= 1)) {
        return absl::OkStatus();
      }
      last = absl::StrJoin(seen, ", ");
    } else {
      last = members.status().ToString();
    }
    absl::SleepFor(kPoll);
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "the cluster is not healthy after ", absl::FormatDuration(timeout), " (",
      last, "); ", LogHint()));
}

absl::StatusOr<int> Cluster::WaitNewLeader(int old_leader,
                                           absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    absl::StatusOr<int> leader = Leader();
    if (leader.ok() && *leader != old_leader) return *leader;
    absl::SleepFor(kPoll);
  }
  return absl::DeadlineExceededError(
      absl::StrCat("no new leader ", absl::FormatDuration(timeout),
                   " after the old one was killed; ", LogHint()));
}

absl::StatusOr<Killed> Cluster::KillLeader() {
  RP_ASSIGN_OR_RETURN(int leader, Leader());
  Node& node = *nodes_[leader];
  const pid_t postmaster = PostmasterPid(node.data_dir);
  if (postmaster <= 0 || !process::Alive(postmaster)) {
    return absl::InternalError(absl::StrCat("no running postmaster in ",
                                            node.data_dir, "/postmaster.pid"));
  }
  // Stopped first, so it forks no child we would miss.
  kill(postmaster, SIGSTOP);
  const std::vector<pid_t> children = process::ChildrenOf(postmaster);
  kill(node.patroni.pid(), SIGKILL);
  Killed killed{leader, node.name, absl::Now()};
  kill(postmaster, SIGKILL);
  for (pid_t child : children) kill(child, SIGKILL);
  node.up = false;
  node.patroni.Wait(absl::Seconds(10));
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  for (pid_t pid : children) {
    while (process::Alive(pid) && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(5));
    }
  }
  while (process::Alive(postmaster) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  if (process::Alive(postmaster)) {
    return absl::InternalError(
        absl::StrCat("postmaster ", postmaster, " survived kill -9"));
  }
  return killed;
}

absl::Status Cluster::Restart(int node) { return StartNode(*nodes_[node]); }

std::string Cluster::LogHint() const {
  std::vector<std::string> logs = {work_ + "/etcd.log"};
  for (const auto& node : nodes_) logs.push_back(node->dir + "/patroni.log");
  return absl::StrCat("logs: ", absl::StrJoin(logs, " "));
}

}  // namespace returnpath::ha
