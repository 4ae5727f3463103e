#include "tests/integration/daemon.h"

#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "engine/testing/test_store.h"
#include "server/dev_principals.h"

namespace returnpath::integration {

std::vector<std::string> StoreFlags(const std::string& data_dir) {
  if (!engine::testing::TestStoreIsPostgres()) return {};
  return {"--store=" + engine::testing::TestStorePath(data_dir + "/store")};
}

namespace {

// Copies into `data_dir` what opening the store of the daemon stopped on
// `stopped_data_dir` takes (DaemonOptions::store_of).
absl::Status TakeStoreOf(const std::string& stopped_data_dir,
                         const std::string& data_dir) {
  std::error_code error;
  std::filesystem::copy_file(stopped_data_dir + "/master.key",
                             data_dir + "/master.key", error);
  if (!error && !engine::testing::TestStoreIsPostgres()) {
    std::filesystem::copy(stopped_data_dir + "/store", data_dir + "/store",
                          std::filesystem::copy_options::recursive, error);
  }
  if (error) {
    return absl::InternalError(absl::StrCat(
        "taking the store of ", stopped_data_dir, ": ", error.message()));
  }
  return absl::OkStatus();
}

}  // namespace

std::string ReturnpathdPath() { return RETURNPATHD_PATH; }
std::string ReturnctlPath() { return RETURNCTL_PATH; }
std::string PolicyDir() { return POLICY_DIR; }

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         absl::Duration timeout,
                         const std::vector<std::string>& extra_env) {
  std::vector<std::string> env = process::CleanEnvironment();
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  return process::RunProcess(argv, timeout, std::move(env));
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
  if (!options.store_of.empty()) {
    absl::Status taken = TakeStoreOf(options.store_of, daemon->data_dir_);
    if (!taken.ok()) return taken;
  }

  std::vector<std::string> argv = {binary,
                                   "--data_dir=" + daemon->data_dir_,
                                   "--listen=127.0.0.1:0",
                                   "--port_file=" + port_file,
                                   "--clock=" + options.clock,
                                   "--policy_dir=" POLICY_DIR};
  for (std::string& flag : StoreFlags(
           options.store_of.empty() ? daemon->data_dir_ : options.store_of)) {
    argv.push_back(std::move(flag));
  }
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
  absl::StatusOr<process::ServingProcess> serving =
      process::SpawnServing(argv,
                            {.out_path = daemon->log_path_,
                             .err_path = daemon->log_path_,
                             .env = process::CleanEnvironment()},
                            port_file, absl::Seconds(30));
  if (!serving.ok()) {
    return absl::Status(
        serving.status().code(),
        absl::StrCat(serving.status().message(), ":\n", daemon->LogTail()));
  }
  daemon->process_ = std::move(serving->process);
  const int port = serving->port;
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
  if (process_.pid() <= 0) return exit_code_;
  // SIGKILL if it does not stop in time.
  exit_code_ = process::ExitCodeOf(process_.Stop(absl::Seconds(5)));
  // Under tools/test --sanitize=..., a report in the daemon (a leak found at
  // exit included) fails the test that ran it.
  const std::string log = process::ReadFile(log_path_);
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
      process::ReadFile(absl::StrCat(data_dir_, "/tokens/", role, ".token"))));
}

std::shared_ptr<grpc::Channel> Daemon::NewChannel() const {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address_, credentials_, args);
}

std::string Daemon::LogTail(size_t bytes) const {
  std::string log = process::ReadFile(log_path_);
  return log.size() <= bytes ? log : log.substr(log.size() - bytes);
}

}  // namespace returnpath::integration
