#include "tools/crashtest/soak.h"

#include <sys/wait.h>

#include <filesystem>
#include <memory>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "clients/lib/client.h"
#include "engine/testing/child_process.h"
#include "engine/testing/power_cut.h"
#include "server/dev_principals.h"
#include "tools/crashtest/audit.h"
#include "tools/crashtest/lane.h"
#include "tools/crashtest/ledger.h"

namespace returnpath::crashtest {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxProblems = 20;
// Crashes can come before the first answer, but not this many times in a row.
constexpr int kMaxCyclesWithoutAck = 25;
constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr absl::Duration kExitTimeout = absl::Seconds(30);

struct RunningDaemon {
  process::ChildProcess process;
  int port = 0;
};

class Soak {
 public:
  explicit Soak(const SoakOptions& options)
      : options_(options),
        work_(fs::absolute(options.work_dir).string()),
        rng_(options.seed) {}

  SoakReport Run(const std::function<void(const SoakReport&)>& progress);

 private:
  absl::Status Prepare();
  absl::StatusOr<RunningDaemon> Start(bool faulty);
  absl::StatusOr<std::unique_ptr<client::Client>> Connect(
      int port, const std::string& role) const;
  // Runs the clients against `daemon` and crashes it at a random moment.
  absl::Status RunAndCrash(RunningDaemon& daemon, bool power_loss);
  // After a restart: looks up the acknowledgements of the persons touched
  // since the last check (all of them if `everyone`), then, if `audit`,
  // Verify and ReplayCheck.
  absl::Status Check(int port, bool everyone, bool audit);
  absl::Status Audit(client::Client& auditor);
  void Problem(std::string line);
  bool Done(absl::Time start) const;

  const SoakOptions options_;
  const std::string work_;
  std::mt19937_64 rng_;
  Ledger ledger_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  SoakReport report_;
};

absl::Status Soak::Prepare() {
  std::error_code error;
  fs::create_directories(work_ + "/etc", error);
  if (error)
    return absl::InternalError(absl::StrCat(work_, ": ", error.message()));
  if (fs::exists(work_ + "/data")) {
    return absl::FailedPreconditionError(
        absl::StrCat(work_, "/data exists: give an empty --work_dir"));
  }
  std::vector<v1::PrincipalEntry> entries;
  for (const auto& [name, role] : {std::pair{"reception", v1::ROLE_RECEPTION},
                                   std::pair{"adviser", v1::ROLE_ADVISER},
                                   std::pair{"auditor", v1::ROLE_AUDITOR}}) {
    v1::PrincipalEntry& entry = entries.emplace_back();
    entry.set_name(name);
    entry.set_role(role);
    entry.add_scopes("*");
  }
  for (int i = 0; i < options_.clients; ++i) {
    lanes_.push_back(std::make_unique<Lane>(i));
  }
  return engine::WritePrincipalsWithTokens(std::move(entries),
                                           work_ + "/etc/principals.textproto",
                                           work_ + "/etc/tokens");
}

absl::StatusOr<RunningDaemon> Soak::Start(bool faulty) {
  const std::string port_file = work_ + "/port";
  std::vector<std::string> argv = {
      faulty ? options_.returnpathd_faulty : options_.returnpathd,
      absl::StrCat("--data_dir=", work_, "/data"),
      "--listen=127.0.0.1:0",
      absl::StrCat("--port_file=", port_file),
      absl::StrCat("--principals=", work_, "/etc/principals.textproto"),
      absl::StrCat("--policy_dir=", fs::absolute(options_.policy_dir).string()),
      "--clock=manual",
      absl::StrCat("--clock_start=", kClockStart),
      absl::StrCat("--rpc_threads=", options_.rpc_threads)};
  if (faulty) {
    argv.push_back(absl::StrCat("--power_cut_seed=", rng_()));
    if (options_.unsafe_no_sync) argv.push_back("--unsafe_no_sync");
  }
  absl::StatusOr<process::ServingProcess> serving =
      process::SpawnServing(argv,
                            {.out_path = work_ + "/daemon.log",
                             .err_path = work_ + "/daemon.log",
                             .append = true,
                             .env = std::nullopt},
                            port_file, kStartTimeout);
  if (!serving.ok()) {
    return absl::UnavailableError(absl::StrCat(
        argv[0], " did not serve after the crash (", serving.status().message(),
        "); see ", work_, "/daemon.log"));
  }
  RunningDaemon daemon;
  daemon.process = std::move(serving->process);
  daemon.port = serving->port;
  return daemon;
}

absl::StatusOr<std::unique_ptr<client::Client>> Soak::Connect(
    int port, const std::string& role) const {
  client::ConnectionOptions connection;
  connection.server = absl::StrCat("127.0.0.1:", port);
  connection.token_file = absl::StrCat(work_, "/etc/tokens/", role, ".token");
  connection.use_env_token = false;
  return client::Client::Connect(connection);
}

absl::Status Soak::RunAndCrash(RunningDaemon& daemon, bool power_loss) {
  std::vector<std::unique_ptr<client::Client>> clients;
  std::vector<Desk> desks;
  for (size_t i = 0; i < lanes_.size(); ++i) {
    for (const char* role : {"reception", "adviser"}) {
      absl::StatusOr<std::unique_ptr<client::Client>> c =
          Connect(daemon.port, role);
      if (!c.ok()) return c.status();
      clients.push_back(std::move(*c));
    }
    desks.push_back({*clients[2 * i], *clients[2 * i + 1]});
  }
  std::atomic<bool> stop{false};
  std::vector<absl::Status> outcomes(lanes_.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < lanes_.size(); ++i) {
    threads.emplace_back(
        [&, i] { outcomes[i] = lanes_[i]->Run(desks[i], ledger_, stop); });
  }
  const int64_t max_us = absl::ToInt64Microseconds(options_.max_uptime);
  absl::SleepFor(absl::Microseconds(max_us > 0 ? rng_() % (max_us + 1) : 0));
  const int status =
      daemon.process.Signal(power_loss ? SIGUSR1 : SIGKILL, kExitTimeout);
  stop = true;
  for (std::thread& t : threads) t.join();
  const bool as_planned =
      power_loss ? WIFEXITED(status) &&
                       WEXITSTATUS(status) == engine::testing::kPowerCutExitCode
                 : WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  if (!as_planned) {
    return absl::InternalError(absl::StrCat(
        "the daemon did not ", power_loss ? "lose power" : "die of SIGKILL",
        " as planned (wait status ", status, "); see ", work_, "/daemon.log"));
  }
  for (const absl::Status& outcome : outcomes) {
    if (!outcome.ok()) return outcome;
  }
  return absl::OkStatus();
}

absl::Status Soak::Check(int port, bool everyone, bool audit) {
  absl::StatusOr<std::unique_ptr<client::Client>> auditor =
      Connect(port, "auditor");
  if (!auditor.ok()) return auditor.status();
  std::vector<std::string> persons = ledger_.TakeTouched();
  if (everyone) persons = ledger_.AllPersons();
  CheckCounts counts;
  absl::Status read = CheckPersons(**auditor, ledger_, persons, counts);
  report_.checked += counts.checked;
  report_.lost += counts.lost;
  report_.duplicated += counts.duplicated;
  for (std::string& line : counts.problems) Problem(std::move(line));
  if (!read.ok()) return read;
  return audit ? Audit(**auditor) : absl::OkStatus();
}

absl::Status Soak::Audit(client::Client& auditor) {
  ++report_.verify_runs;
  absl::StatusOr<AuditOutcome> outcome =
      AuditStore(auditor, [this](std::string line) { Problem(std::move(line)); });
  if (!outcome.ok()) return outcome.status();
  if (!outcome->verified) ++report_.verify_failures;
  report_.replay_differences += outcome->differences;
  return absl::OkStatus();
}

void Soak::Problem(std::string line) {
  if (report_.problems.size() < kMaxProblems) {
    report_.problems.push_back(std::move(line));
  }
}

bool Soak::Done(absl::Time start) const {
  if (options_.cycles > 0 && report_.cycles >= options_.cycles) return true;
  return options_.duration > absl::ZeroDuration() &&
         absl::Now() - start >= options_.duration;
}

SoakReport Soak::Run(const std::function<void(const SoakReport&)>& progress) {
  const absl::Time start = absl::Now();
  absl::Status status = Prepare();
  int stalled = 0;  // cycles in a row without a new acknowledgement
  while (status.ok() && !Done(start)) {
    const bool power_loss =
        options_.mode == CrashMode::kPowerLoss ||
        (options_.mode == CrashMode::kBoth && rng_() % 2 == 1);
    absl::StatusOr<RunningDaemon> daemon = Start(power_loss);
    if (!daemon.ok()) {
      status = daemon.status();
      break;
    }
    if (report_.cycles > 0) {
      status = Check(daemon->port, /*everyone=*/false,
                     report_.cycles % options_.verify_every == 0);
      // After a loss the clients' scripts no longer hold: stop here.
      if (!status.ok() || !report_.clean()) break;
    }
    status = RunAndCrash(*daemon, power_loss);
    ++report_.cycles;
    ++(power_loss ? report_.power_cycles : report_.kill_cycles);
    stalled = ledger_.size() == report_.acknowledged ? stalled + 1 : 0;
    report_.acknowledged = ledger_.size();
    if (status.ok() && stalled == kMaxCyclesWithoutAck) {
      status = absl::InternalError(absl::StrCat(
          "the clients had nothing acknowledged in ", stalled,
          " cycles in a row: they are stuck, and a soak that writes nothing "
          "proves nothing"));
    }
    if (progress) progress(report_);
  }
  if (status.ok() && report_.clean()) {
    // After the last crash: everyone's acknowledgements, and a full audit.
    absl::StatusOr<RunningDaemon> daemon = Start(/*faulty=*/false);
    status = daemon.ok() ? Check(daemon->port, /*everyone=*/true, true)
                         : daemon.status();
    if (daemon.ok()) daemon->process.Stop(kExitTimeout);
  }
  for (const auto& lane : lanes_) report_.in_doubt += lane->in_doubt();
  report_.acknowledged = ledger_.size();
  report_.stopped = status;
  report_.elapsed = absl::Now() - start;
  return report_;
}

}  // namespace

SoakReport RunSoak(const SoakOptions& options,
                   const std::function<void(const SoakReport&)>& progress) {
  return Soak(options).Run(progress);
}

std::string FormatReport(const SoakReport& r) {
  std::string out = absl::StrFormat(
      "cycles: %d (kill -9: %d, power loss: %d) in %.1f s\n"
      "acknowledged: %d calls (events recorded, tasks completed)\n"
      "checked: %d look-ups of acknowledged calls after restarts\n"
      "lost: %d\n"
      "duplicated: %d\n"
      "in doubt: %d calls cut off by a crash, retried with their key\n"
      "verify: %d runs, %d failed; replay differences: %d\n",
      r.cycles, r.kill_cycles, r.power_cycles, absl::ToDoubleSeconds(r.elapsed),
      r.acknowledged, r.checked, r.lost, r.duplicated, r.in_doubt,
      r.verify_runs, r.verify_failures, r.replay_differences);
  for (const std::string& line : r.problems) {
    absl::StrAppend(&out, "problem: ", line, "\n");
  }
  if (!r.stopped.ok())
    absl::StrAppend(&out, "stopped: ", r.stopped.ToString(), "\n");
  absl::StrAppend(&out, r.clean() ? "result: clean\n" : "result: FAILED\n");
  return out;
}

}  // namespace returnpath::crashtest
