#include "engine/testing/child_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "engine/read_file.h"

extern char** environ;

namespace returnpath::process {
namespace {

// Strings as exec wants them: pointers into `strings`, null-terminated.
std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void Redirect(posix_spawn_file_actions_t* actions, int fd,
              const std::string& path, bool append) {
  const int flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
  posix_spawn_file_actions_addopen(
      actions, fd, path.empty() ? "/dev/null" : path.c_str(), flags, 0644);
}

}  // namespace

absl::StatusOr<ChildProcess> ChildProcess::Spawn(
    const std::vector<std::string>& argv, const SpawnOptions& options) {
  if (argv.empty()) return absl::InvalidArgumentError("no program to run");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  Redirect(&actions, 1, options.out_path, options.append);
  if (options.err_path == options.out_path) {
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  } else {
    Redirect(&actions, 2, options.err_path, options.append);
  }
  std::vector<std::string> args_storage = argv;
  std::vector<char*> args = CStrings(args_storage);
  std::vector<std::string> env_storage;
  std::vector<char*> env;
  char** envp = environ;
  if (options.env.has_value()) {
    env_storage = *options.env;
    env = CStrings(env_storage);
    envp = env.data();
  }
  pid_t pid = -1;
  const int error =
      posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    return absl::InternalError(
        absl::StrCat("cannot start ", argv[0], ": ", strerror(error)));
  }
  return ChildProcess(pid);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) Stop(absl::Seconds(10));
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == 0) return true;
  pid_ = -1;
  return false;
}

int ChildProcess::Reap(absl::Time deadline) {
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (done < 0) {
      status = -1;
      break;
    }
    if (absl::Now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  pid_ = -1;
  return status;
}

int ChildProcess::Signal(int signal, absl::Duration grace) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  return Reap(absl::Now() + grace);
}

int ChildProcess::Wait(absl::Duration timeout) {
  if (pid_ <= 0) return -1;
  return ExitCodeOf(Reap(absl::Now() + timeout));
}

absl::StatusOr<ServingProcess> SpawnServing(
    const std::vector<std::string>& argv, const SpawnOptions& options,
    const std::string& port_file, absl::Duration timeout) {
  std::error_code ignored;
  std::filesystem::remove(port_file, ignored);
  ServingProcess serving;
  serving.spawned = absl::Now();
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(argv, options);
  if (!child.ok()) return child.status();
  serving.process = *std::move(child);
  const absl::Time deadline = serving.spawned + timeout;
  // Short polling: it is starting up, not waiting for a deadline.
  while (!absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(port_file)),
                           &serving.port) ||
         serving.port == 0) {
    if (!serving.process.Running()) {
      return absl::InternalError(absl::StrCat(
          argv[0], " exited before it wrote its port to ", port_file));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat(argv[0], " wrote no port to ", port_file, " within ",
                       absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Microseconds(200));
  }
  serving.port_written = absl::Now();
  return serving;
}

int ExitCodeOf(int wait_status) {
  return wait_status >= 0 && WIFEXITED(wait_status) ? WEXITSTATUS(wait_status)
                                                    : -1;
}

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         absl::Duration timeout,
                         std::optional<std::vector<std::string>> env) {
  ProcessResult result;
  absl::StatusOr<std::string> dir = MakeTempDir("rp_run_");
  if (!dir.ok()) {
    result.err = std::string(dir.status().message());
    return result;
  }
  SpawnOptions options;
  options.out_path = *dir + "/out";
  options.err_path = *dir + "/err";
  options.env = std::move(env);
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(argv, options);
  if (!child.ok()) {
    result.err = std::string(child.status().message());
  } else {
    result.exit_code = child->Wait(timeout);
    result.out = ReadFile(options.out_path);
    result.err = ReadFile(options.err_path);
  }
  std::error_code ignored;
  std::filesystem::remove_all(*dir, ignored);
  return result;
}

absl::StatusOr<std::string> RunProgram(const std::vector<std::string>& argv,
                                       absl::Duration timeout) {
  ProcessResult result = RunProcess(argv, timeout);
  std::string output = result.out + result.err;
  if (result.exit_code != 0) {
    std::string command;
    for (const std::string& a : argv) absl::StrAppend(&command, a, " ");
    return absl::InternalError(absl::StrCat(command, "failed (exit ",
                                            result.exit_code, "): ", output));
  }
  return output;
}

std::vector<std::string> CleanEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, "RETURNPATH_")) env.emplace_back(*e);
  }
  return env;
}

namespace {

// The fields of /proc/<pid>/stat after the command: state, ppid, ...; ""
// if there is no such process.
std::string ProcStat(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(stat, line)) return "";
  const size_t paren = line.rfind(')');
  return paren == std::string::npos ? "" : line.substr(paren + 2);
}

}  // namespace

bool Alive(pid_t pid) {
  const std::string stat = ProcStat(pid);
  return !stat.empty() && stat[0] != 'Z';
}

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    pid_t pid = 0;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &pid)) continue;
    std::vector<std::string> fields = absl::StrSplit(ProcStat(pid), ' ');
    pid_t ppid = 0;
    if (fields.size() > 1 && absl::SimpleAtoi(fields[1], &ppid) &&
        ppid == parent) {
      children.push_back(pid);
    }
  }
  return children;
}

absl::StatusOr<std::string> MakeTempDir(absl::string_view prefix) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / absl::StrCat(prefix, "XXXXXX"))
          .string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", pattern, " failed"));
  }
  return pattern;
}

std::string ReadFile(const std::string& path) {
  return engine::ReadFileText(path, "the file").value_or("");
}

absl::Status WaitForFile(const std::string& path, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!std::filesystem::exists(path)) {
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          path, " did not appear within ", absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Microseconds(200));
  }
  return absl::OkStatus();
}

}  // namespace returnpath::process
