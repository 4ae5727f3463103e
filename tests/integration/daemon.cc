#include "tests/integration/daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "server/dev_principals.h"

extern char** environ;

namespace returnpath::integration {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The environment without RETURNPATH_* (so the developer's shell does not
// leak a token or server into a test).
std::vector<std::string> CleanEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, "RETURNPATH_")) env.emplace_back(*e);
  }
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Spawns argv with stdout and stderr to the given files ("" for /dev/null).
absl::StatusOr<pid_t> Spawn(std::vector<std::string> argv,
                            std::vector<std::string> env,
                            const std::string& out_path,
                            const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (err_path == out_path) {
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  std::vector<char*> args = CStrings(argv);
  std::vector<char*> envp = CStrings(env);
  pid_t pid = -1;
  const int error =
      posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    return absl::InternalError(
        absl::StrCat("cannot start ", argv[0], ": ", strerror(error)));
  }
  return pid;
}

// Waits for `pid` until `timeout`; returns its exit code, -1 if it was killed
// or had to be.
int WaitFor(pid_t pid, absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) return -1;
    if (absl::Now() > until) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

absl::StatusOr<std::string> MakeTempDir(absl::string_view prefix) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / absl::StrCat(prefix, "XXXXXX"))
          .string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", pattern, " failed"));
  }
  return pattern;
}

std::string ReturnpathdPath() { return RETURNPATHD_PATH; }
std::string ReturnctlPath() { return RETURNCTL_PATH; }
std::string PolicyDir() { return POLICY_DIR; }

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         absl::Duration timeout,
                         const std::vector<std::string>& extra_env) {
  ProcessResult result;
  absl::StatusOr<std::string> dir = MakeTempDir("rp_run_");
  if (!dir.ok()) {
    result.err = std::string(dir.status().message());
    return result;
  }
  const std::string out = *dir + "/out", err = *dir + "/err";
  std::vector<std::string> env = CleanEnvironment();
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  absl::StatusOr<pid_t> pid = Spawn(argv, env, out, err);
  if (!pid.ok()) {
    result.err = std::string(pid.status().message());
  } else {
    result.exit_code = WaitFor(*pid, timeout);
    result.out = ReadAll(out);
    result.err = ReadAll(err);
  }
  std::error_code ignored;
  std::filesystem::remove_all(*dir, ignored);
  return result;
}

bool WaitForServing(const std::shared_ptr<grpc::Channel>& channel,
                    absl::Duration timeout) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  const absl::Time until = absl::Now() + timeout;
  while (absl::Now() < until) {
    grpc::ClientContext ctx;
    ctx.set_wait_for_ready(true);
    ctx.set_deadline(
        absl::ToChronoTime(std::min(until, absl::Now() + absl::Seconds(2))));
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status =
        stub->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &response);
    if (status.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return true;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Start(
    const DaemonOptions& options) {
  const std::string binary = ReturnpathdPath();
  if (binary.empty() || !std::filesystem::exists(binary)) {
    return absl::FailedPreconditionError(
        absl::StrCat("returnpathd is not built (", binary, ")"));
  }
  std::unique_ptr<Daemon> daemon(new Daemon());
  absl::StatusOr<std::string> base = MakeTempDir("rp_it_");
  if (!base.ok()) return base.status();
  daemon->base_dir_ = *base;
  daemon->data_dir_ = *base + "/data";
  daemon->log_path_ = *base + "/returnpathd.log";
  daemon->credentials_ = options.credentials != nullptr
                             ? options.credentials
                             : grpc::InsecureChannelCredentials();
  const std::string port_file = daemon->data_dir_ + "/port";
  std::filesystem::create_directories(daemon->data_dir_);
  if (options.prepare_data_dir) {
    absl::Status prepared = options.prepare_data_dir(daemon->data_dir_);
    if (!prepared.ok()) return prepared;
  }

  std::vector<std::string> argv = {binary,
                                   "--data_dir=" + daemon->data_dir_,
                                   "--listen=127.0.0.1:0",
                                   "--port_file=" + port_file,
                                   "--clock=" + options.clock,
                                   "--policy_dir=" POLICY_DIR};
  if (options.principals.empty()) {
    daemon->principals_file_ = daemon->data_dir_ + "/principals.textproto";
    argv.push_back("--dev_principals");
  } else {
    daemon->principals_file_ = *base + "/etc/principals.textproto";
    std::filesystem::create_directories(*base + "/etc");
    absl::Status written = engine::WritePrincipalsWithTokens(
        options.principals, daemon->principals_file_,
        daemon->data_dir_ + "/tokens");
    if (!written.ok()) return written;
    argv.push_back("--principals=" + daemon->principals_file_);
  }
  if (options.clock == "manual")
    argv.push_back("--clock_start=" + options.clock_start);
  argv.insert(argv.end(), options.extra_flags.begin(),
              options.extra_flags.end());
  absl::StatusOr<pid_t> pid =
      Spawn(argv, CleanEnvironment(), daemon->log_path_, daemon->log_path_);
  if (!pid.ok()) return pid.status();
  daemon->pid_ = *pid;

  // The port file appears once the daemon listens (short polling: it is
  // starting up, not waiting for a deadline).
  const absl::Time until = absl::Now() + absl::Seconds(30);
  int port = 0;
  while (port == 0) {
    int status = 0;
    if (waitpid(daemon->pid_, &status, WNOHANG) == daemon->pid_) {
      daemon->pid_ = -1;
      return absl::InternalError(absl::StrCat(
          "returnpathd exited during start-up:\n", daemon->LogTail()));
    }
    if (absl::Now() > until) {
      return absl::DeadlineExceededError(absl::StrCat(
          "returnpathd wrote no port file in 30 s:\n", daemon->LogTail()));
    }
    std::string text(absl::StripAsciiWhitespace(ReadAll(port_file)));
    if (!text.empty() && !absl::SimpleAtoi(text, &port)) port = 0;
    if (port == 0) absl::SleepFor(absl::Milliseconds(10));
  }
  daemon->address_ = absl::StrCat("127.0.0.1:", port);
  if (!WaitForServing(daemon->NewChannel(), absl::Seconds(20))) {
    return absl::DeadlineExceededError(
        absl::StrCat("returnpathd is not SERVING on ", daemon->address_, ":\n",
                     daemon->LogTail()));
  }
  return daemon;
}

Daemon::~Daemon() {
  Stop();
  if (!base_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(base_dir_, ignored);
  }
}

int Daemon::Stop() {
  if (pid_ <= 0) return exit_code_;
  kill(pid_, SIGTERM);
  // WaitFor kills it if it does not stop in time.
  exit_code_ = WaitFor(pid_, absl::Seconds(5));
  pid_ = -1;
  // Under tools/test --sanitize=..., a report in the daemon (a leak found at
  // exit included) fails the test that ran it.
  const std::string log = ReadAll(log_path_);
  for (const char* report : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                             "WARNING: ThreadSanitizer", "runtime error:"}) {
    if (log.find(report) != std::string::npos) {
      ADD_FAILURE() << "returnpathd reported \"" << report << "\":\n"
                    << LogTail(8000);
    }
  }
  return exit_code_;
}

std::string Daemon::Token(absl::string_view role) const {
  return std::string(absl::StripAsciiWhitespace(
      ReadAll(absl::StrCat(data_dir_, "/tokens/", role, ".token"))));
}

std::shared_ptr<grpc::Channel> Daemon::NewChannel() const {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address_, credentials_, args);
}

std::string Daemon::LogTail(size_t bytes) const {
  std::string log = ReadAll(log_path_);
  return log.size() <= bytes ? log : log.substr(log.size() - bytes);
}

}  // namespace returnpath::integration
