#include "engine/testing/pg_cluster.h"

#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "engine/status_macros.h"
#include "engine/testing/child_process.h"

namespace returnpath::engine::testing {
namespace {

namespace fs = std::filesystem;


}  // namespace

std::vector<std::string> AsPostgres(std::vector<std::string> argv) {
  if (geteuid() != 0) return argv;
  // setpriv execs the program itself (runuser forks and waits), so a pid
  // taken of it is the program's.
  std::vector<std::string> out = {"setpriv", "--reuid=postgres",
                                  "--regid=postgres", "--init-groups"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

absl::Status GiveToPostgres(const std::string& path) {
  if (geteuid() != 0) return absl::OkStatus();
  passwd* pw = getpwnam("postgres");
  if (pw == nullptr) {
    return absl::FailedPreconditionError(
        "running as root and there is no postgres user (apt-get install "
        "postgresql)");
  }
  if (chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    return absl::InternalError(absl::StrCat("cannot chown ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  const bool ok =
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok) return absl::InternalError("no free loopback port");
  return ntohs(addr.sin_port);
}

absl::StatusOr<std::string> PgBinDir() {
  std::string best;
  std::error_code error;
  for (const auto& entry :
       fs::directory_iterator("/usr/lib/postgresql", error)) {
    const std::string bin = entry.path().string() + "/bin";
    if (fs::exists(bin + "/initdb") && bin > best) best = bin;
  }
  if (best.empty()) {
    return absl::FailedPreconditionError(
        "no PostgreSQL server under /usr/lib/postgresql (apt-get install "
        "postgresql)");
  }
  return best;
}

absl::StatusOr<std::unique_ptr<PgCluster>> PgCluster::Create(
    const std::string& dir, PgClusterOptions options) {
  RP_ASSIGN_OR_RETURN(std::string bin, PgBinDir());
  RP_RETURN_IF_ERROR(GiveToPostgres(dir));
  RP_RETURN_IF_ERROR(
      process::RunProgram(
          AsPostgres({bin + "/initdb", "-D", dir + "/pgdata", "-U", "postgres",
                      "--auth=trust", "-E", "UTF8", "--no-instructions"}))
          .status());
  std::unique_ptr<PgCluster> cluster(
      new PgCluster(std::move(bin), dir, std::move(options)));
  RP_ASSIGN_OR_RETURN(cluster->port_, FreeLoopbackPort());
  RP_RETURN_IF_ERROR(cluster->Start());
  return cluster;
}

PgCluster::~PgCluster() {
  if (running_) Stop().IgnoreError();
}

absl::Status PgCluster::Start() {
  std::string settings = absl::StrCat(
      "-p ", port_, " -k ", dir_,
      " -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on"
      // After a crash: one syncfs, not an fsync per file.
      " -c recovery_init_sync_method=syncfs");
  for (const std::string& setting : options_.settings) {
    absl::StrAppend(&settings, " -c ", setting);
  }
  RP_RETURN_IF_ERROR(
      process::RunProgram(
          AsPostgres({bin_ + "/pg_ctl", "-D", dir_ + "/pgdata", "-o", settings,
                      "-l", dir_ + "/postgres.log", "-w", "start"}))
          .status());
  running_ = true;
  return absl::OkStatus();
}

absl::Status PgCluster::Stop() {
  running_ = false;
  return process::RunProgram(
             AsPostgres({bin_ + "/pg_ctl", "-D", dir_ + "/pgdata", "-m",
                         options_.stop_mode, "-w", "stop"}))
      .status();
}

absl::Status PgCluster::StopIn(const std::string& dir) {
  RP_ASSIGN_OR_RETURN(std::string bin, PgBinDir());
  return process::RunProgram(AsPostgres({bin + "/pg_ctl", "-D", dir + "/pgdata",
                                         "-m", "immediate", "-w", "stop"}))
      .status();
}

absl::Status PgCluster::Kill() {
  std::ifstream pid_file(dir_ + "/pgdata/postmaster.pid");
  std::string first_line;
  pid_t pid = 0;
  if (!std::getline(pid_file, first_line) ||
      !absl::SimpleAtoi(first_line, &pid) || pid <= 0) {
    return absl::FailedPreconditionError("the server is not running");
  }
  std::vector<pid_t> server = process::ChildrenOf(pid);
  server.insert(server.begin(), pid);
  for (pid_t process : server) kill(process, SIGKILL);
  running_ = false;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  for (pid_t process : server) {
    while (process::Alive(process)) {
      if (absl::Now() > deadline) {
        return absl::DeadlineExceededError("the killed server lingers");
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
  }
  // Nothing may reap the dead postmaster (a container's init), and a
  // zombie's pid in the lock files would pass for a running server.
  std::error_code ignored;
  fs::remove(dir_ + "/pgdata/postmaster.pid", ignored);
  fs::remove(absl::StrCat(dir_, "/.s.PGSQL.", port_, ".lock"), ignored);
  return absl::OkStatus();
}

std::string PgCluster::Conninfo(absl::string_view database) const {
  return absl::StrCat("host=127.0.0.1 port=", port_,
                      " user=postgres dbname=", database);
}

absl::StatusOr<std::string> PgCluster::CreateDatabase(absl::string_view name) {
  RP_RETURN_IF_ERROR(
      Psql(absl::StrCat("CREATE DATABASE \"", name, "\"")).status());
  return Conninfo(name);
}

absl::StatusOr<std::string> PgCluster::Psql(const std::string& sql,
                                            absl::string_view database) {
  return process::RunProgram({bin_ + "/psql", "-h", "127.0.0.1", "-p",
                              absl::StrCat(port_), "-U", "postgres", "-d",
                              std::string(database), "-v", "ON_ERROR_STOP=1",
                              "-q", "-c", sql});
}

}  // namespace returnpath::engine::testing
