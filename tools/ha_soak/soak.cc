#include "tools/ha_soak/soak.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "clients/lib/client.h"
#include "engine/testing/child_process.h"
#include "returnpath/v1/engine.pb.h"
#include "server/dev_principals.h"
#include "server/input_bounds.h"
#include "tools/crashtest/audit.h"
#include "tools/crashtest/lane.h"
#include "tools/crashtest/ledger.h"
#include "tools/ha_soak/cluster.h"

namespace returnpath::ha {
namespace {

namespace fs = std::filesystem;
using crashtest::Ack;
using crashtest::Desk;
using crashtest::Lane;
using crashtest::Ledger;

constexpr char kDatabase[] = "returnpath";
constexpr size_t kMaxProblems = 30;
constexpr absl::Duration kStartTimeout = absl::Seconds(60);
// Past every timer person's departure deadline (2026-03-23, midnight Oslo).
constexpr char kTimersDue[] = "2026-04-01T00:00:00Z";

absl::Time ParseUtc(const char* text) {
  absl::Time time;
  std::string error;
  absl::ParseTime(absl::RFC3339_full, text, &time, &error);
  return time;
}

struct Daemon {
  process::ChildProcess process;
  int port = 0;
  std::string dir;
  std::unique_ptr<client::Client> auditor;
  std::unique_ptr<client::Client> admin;
};

struct LaneRun {
  std::unique_ptr<Lane> lane;
  std::unique_ptr<client::Client> reception;
  std::unique_ptr<client::Client> adviser;
  std::thread thread;
};

class Soak {
 public:
  explicit Soak(const HaOptions& options)
      : options_(options),
        work_(fs::absolute(options.work_dir).string()),
        rng_(options.seed) {
    report_.work_dir = work_;
  }

  HaReport Run();

 private:
  absl::Status Prepare();
  absl::Status StartDaemon(int index);
  absl::StatusOr<std::unique_ptr<client::Client>> Connect(
      int port, const std::string& role) const;
  absl::Status RecordTimerPersons();
  void StartLanes();
  void StopLanes();
  absl::Status KillAndRecover();
  absl::Status TimerPhase();
  absl::Status FinalCheck();
  absl::Status Audit(client::Client& auditor);
  absl::Status DaemonsAlive() const;
  void Problem(std::string line);

  const HaOptions options_;
  const std::string work_;
  std::mt19937_64 rng_;
  std::unique_ptr<Cluster> cluster_;
  std::vector<Daemon> daemons_;
  std::vector<LaneRun> lanes_;
  std::atomic<bool> stop_{false};
  Ledger ledger_;
  std::vector<std::string> timer_persons_;
  absl::Mutex mu_;
  HaReport report_ ABSL_GUARDED_BY(mu_);
};

void Soak::Problem(std::string line) {
  absl::MutexLock lock(&mu_);
  if (report_.problems.size() < kMaxProblems) {
    report_.problems.push_back(std::move(line));
  }
}

absl::Status Soak::Prepare() {
  std::error_code error;
  fs::create_directories(work_ + "/etc", error);
  if (error) return absl::InternalError(work_ + ": " + error.message());
  std::vector<v1::PrincipalEntry> entries;
  for (const auto& [name, role] : {std::pair{"reception", v1::ROLE_RECEPTION},
                                   std::pair{"adviser", v1::ROLE_ADVISER},
                                   std::pair{"auditor", v1::ROLE_AUDITOR},
                                   std::pair{"admin", v1::ROLE_ADMIN}}) {
    v1::PrincipalEntry& entry = entries.emplace_back();
    entry.set_name(name);
    entry.set_role(role);
    if (role != v1::ROLE_ADMIN) entry.add_scopes("*");
  }
  // Both daemons share one principals file, so one token serves either.
  absl::Status written = engine::WritePrincipalsWithTokens(
      std::move(entries), work_ + "/etc/principals.textproto",
      work_ + "/etc/tokens");
  if (!written.ok()) return written;
  // One master key for both: they share the store's sealed keys.
  std::random_device random;
  std::string key;
  for (int i = 0; i < 8; ++i)
    absl::StrAppend(&key, absl::Hex(random(), absl::kZeroPad8));
  const std::string key_file = work_ + "/etc/master.key";
  {
    std::ofstream out(key_file);
    out << key << "\n";
  }
  chmod(key_file.c_str(), 0600);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<client::Client>> Soak::Connect(
    int port, const std::string& role) const {
  client::ConnectionOptions connection;
  connection.server = absl::StrCat("127.0.0.1:", port);
  connection.token_file = absl::StrCat(work_, "/etc/tokens/", role, ".token");
  connection.use_env_token = false;
  return client::Client::Connect(connection);
}

absl::Status Soak::StartDaemon(int index) {
  Daemon& daemon = daemons_[index];
  daemon.dir = absl::StrCat(work_, "/returnpathd", index);
  std::error_code error;
  fs::create_directories(daemon.dir, error);
  const std::string port_file = daemon.dir + "/port";
  const std::string uri = cluster_->Uri(
      kDatabase, options_.single_host ? cluster_->Leader().value_or(0) : -1);
  std::vector<std::string> argv = {
      options_.returnpathd,
      "--store=" + uri,
      "--master_key_file=" + work_ + "/etc/master.key",
      "--data_dir=" + daemon.dir + "/data",
      "--listen=127.0.0.1:0",
      "--port_file=" + port_file,
      "--principals=" + work_ + "/etc/principals.textproto",
      "--policy_dir=" + fs::absolute(options_.policy_dir).string(),
      "--clock=manual",
      absl::StrCat("--clock_start=", crashtest::kClockStart),
      "--rpc_threads=2"};
  const std::string log = daemon.dir + "/daemon.log";
  absl::StatusOr<process::ServingProcess> serving = process::SpawnServing(
      argv,
      {.out_path = log, .err_path = log, .append = true, .env = std::nullopt},
      port_file, kStartTimeout);
  if (!serving.ok()) {
    return absl::UnavailableError(
        absl::StrCat("returnpathd ", index, " did not serve (",
                     serving.status().message(), "); see ", log));
  }
  daemon.process = std::move(serving->process);
  daemon.port = serving->port;
  absl::StatusOr<std::unique_ptr<client::Client>> auditor =
      Connect(daemon.port, "auditor");
  if (!auditor.ok()) return auditor.status();
  absl::StatusOr<std::unique_ptr<client::Client>> admin =
      Connect(daemon.port, "admin");
  if (!admin.ok()) return admin.status();
  daemon.auditor = std::move(*auditor);
  daemon.admin = std::move(*admin);
  return absl::OkStatus();
}

absl::Status Soak::DaemonsAlive() const {
  for (size_t i = 0; i < daemons_.size(); ++i) {
    if (!const_cast<Daemon&>(daemons_[i]).process.Running()) {
      return absl::InternalError(absl::StrCat(
          "returnpathd ", i, " exited; see ", daemons_[i].dir, "/daemon.log"));
    }
  }
  return absl::OkStatus();
}

// Persons registered and finally rejected at the clock's start: their
// departure deadline comes due in the timer phase.
absl::Status Soak::RecordTimerPersons() {
  const absl::Time start = ParseUtc(crashtest::kClockStart);
  for (int i = 0; i < options_.timer_persons; ++i) {
    const Daemon& daemon = daemons_[i % daemons_.size()];
    absl::StatusOr<std::unique_ptr<client::Client>> reception =
        Connect(daemon.port, "reception");
    if (!reception.ok()) return reception.status();
    const std::string person = absl::StrCat("TM-", i);
    timer_persons_.push_back(person);
    for (const char* kind : {"register", "final-rejection"}) {
      absl::StatusOr<client::BuiltEvent> event =
          std::string(kind) == "register"
              ? client::BuildEvent("register", {{"person", person},
                                                {"household", "H-" + person},
                                                {"born", "1985-01-01"},
                                                {"nationality", "IQ"},
                                                {"centre", "Timers"},
                                                {"region", "oslo"}})
              : client::BuildEvent("final-rejection",
                                   {{"notified", "2026-03-02"}});
      if (!event.ok()) return event.status();
      client::RecordOptions record;
      record.idempotency_key = absl::StrCat("ha/", person, "/", kind);
      if (!event->legal_date.has_value()) record.effective_time = start;
      absl::StatusOr<v1::RecordEventResponse> recorded =
          (*reception)->Record(person, *event, record);
      if (!recorded.ok()) {
        return absl::Status(recorded.status().code(),
                            absl::StrCat(record.idempotency_key, ": ",
                                         recorded.status().message()));
      }
      ledger_.Add({person, record.idempotency_key,
                   engine::EventTypeName(event->event), recorded->position(),
                   recorded->version()});
    }
  }
  return absl::OkStatus();
}

void Soak::StartLanes() {
  int index = 0;
  for (Daemon& daemon : daemons_) {
    for (int j = 0; j < options_.lanes_per_daemon; ++j, ++index) {
      LaneRun& run = lanes_.emplace_back();
      run.lane = std::make_unique<Lane>(index);
      run.lane->set_retry_empty_polls(true);
      run.lane->set_retry_data_loss(true);
      run.reception = Connect(daemon.port, "reception").value();
      run.adviser = Connect(daemon.port, "adviser").value();
    }
  }
  for (LaneRun& run : lanes_) {
    run.thread = std::thread([this, &run] {
      const Desk desk{*run.reception, *run.adviser};
      while (!stop_.load()) {
        // Returns when a call is in doubt (the store failed over under it):
        // the lane then retries that call, with its key, until it is
        // answered.
        absl::Status status = run.lane->Run(desk, ledger_, stop_);
        if (!status.ok()) {
          Problem(absl::StrCat("a lane stopped: ", status.ToString()));
          return;
        }
        if (!stop_.load()) absl::SleepFor(absl::Milliseconds(50));
      }
    });
  }
}

void Soak::StopLanes() {
  stop_ = true;
  for (LaneRun& run : lanes_) {
    if (run.thread.joinable()) run.thread.join();
  }
}

absl::Status Soak::KillAndRecover() {
  const absl::Duration between =
      options_.min_between +
      (options_.max_between - options_.min_between) *
          std::uniform_real_distribution<double>(0, 1)(rng_);
  const uint64_t before = ledger_.size();
  absl::SleepFor(between);
  if (absl::Status alive = DaemonsAlive(); !alive.ok()) return alive;
  if (ledger_.size() == before) {
    return absl::InternalError(absl::StrCat(
        "no write was acknowledged in ", absl::FormatDuration(between),
        " before kill ", report_.kills + 1, ": the lanes are stuck"));
  }
  absl::StatusOr<Killed> killed = cluster_->KillLeader();
  if (!killed.ok()) return killed.status();
  absl::StatusOr<int> leader =
      cluster_->WaitNewLeader(killed->node, options_.failover_timeout);
  if (!leader.ok()) return leader.status();
  KillRecord record{killed->name, absl::Now() - killed->at,
                    absl::ZeroDuration()};
  const absl::Time deadline = killed->at + options_.failover_timeout;
  std::optional<absl::Time> first;
  while (!(first = ledger_.FirstAckAfter(killed->at))) {
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no write acknowledged ",
          absl::FormatDuration(options_.failover_timeout), " after killing ",
          killed->name, " (new leader ", cluster_->name(*leader), "); see ",
          work_, "/returnpathd*/daemon.log, ", cluster_->LogHint()));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  record.unavailable = *first - killed->at;
  if (absl::Status s = cluster_->Restart(killed->node); !s.ok()) return s;
  if (absl::Status s = cluster_->WaitHealthy(absl::Seconds(180)); !s.ok()) {
    return s;
  }
  absl::MutexLock lock(&mu_);
  ++report_.kills;
  report_.per_kill.push_back(record);
  std::cerr << absl::StrFormat(
                   "kill %d: %s; new leader %s after %.1f s, writes "
                   "acknowledged again after %.2f s; %d acknowledged so far",
                   report_.kills, record.node, cluster_->name(*leader),
                   absl::ToDoubleSeconds(record.new_leader),
                   absl::ToDoubleSeconds(record.unavailable), ledger_.size())
            << std::endl;
  return absl::OkStatus();
}

// The leader is killed and, while there is none, both daemons' clocks jump
// past the timer persons' deadlines: their timer loops fire into the
// failover, each timer must fire once.
absl::Status Soak::TimerPhase() {
  absl::StatusOr<Killed> killed = cluster_->KillLeader();
  if (!killed.ok()) return killed.status();
  v1::AdvanceClockRequest advance;
  advance.mutable_until()->set_seconds(
      absl::ToUnixSeconds(ParseUtc(kTimersDue)));
  for (Daemon& daemon : daemons_) {
    absl::StatusOr<v1::ClockResponse> moved =
        daemon.admin->AdvanceClock(advance);
    if (!moved.ok()) {
      return absl::Status(
          moved.status().code(),
          absl::StrCat("AdvanceClock: ", moved.status().message()));
    }
  }
  absl::StatusOr<int> leader =
      cluster_->WaitNewLeader(killed->node, options_.failover_timeout);
  if (!leader.ok()) return leader.status();
  std::cerr << "timer phase: killed " << killed->name << ", new leader "
            << cluster_->name(*leader) << std::endl;
  // Every timer person's deadline fires (the loops retry after the failover).
  const absl::Time deadline = absl::Now() + options_.failover_timeout;
  std::vector<std::string> waiting = timer_persons_;
  while (!waiting.empty() && absl::Now() < deadline) {
    std::vector<std::string> still;
    for (const std::string& person : waiting) {
      bool fired = false;
      v1::HistoryRequest request;
      request.set_person_id(person);
      absl::Status read = daemons_[0].auditor->History(
          request, [&](const v1::EventEnvelope& e) {
            v1::TimerFired timer;
            if (e.payload().UnpackTo(&timer) &&
                timer.kind() == "departure_deadline") {
              fired = true;
            }
            return true;
          });
      if (!read.ok() || !fired) still.push_back(person);
    }
    waiting = std::move(still);
    if (!waiting.empty()) absl::SleepFor(absl::Milliseconds(200));
  }
  {
    absl::MutexLock lock(&mu_);
    report_.timers_missing = waiting.size();
    ++report_.timer_kills;
  }
  for (const std::string& person : waiting) {
    Problem(absl::StrCat(
        person, ": the departure deadline did not fire within ",
        absl::FormatDuration(options_.failover_timeout), " of the failover"));
  }
  if (absl::Status s = cluster_->Restart(killed->node); !s.ok()) return s;
  return cluster_->WaitHealthy(absl::Seconds(180));
}

absl::Status Soak::Audit(client::Client& auditor) {
  absl::StatusOr<crashtest::AuditOutcome> outcome = crashtest::AuditStore(
      auditor, [this](std::string line) { Problem(std::move(line)); });
  if (!outcome.ok()) return outcome.status();
  absl::MutexLock lock(&mu_);
  ++report_.verify_runs;
  if (!outcome->verified) ++report_.verify_failures;
  report_.replay_differences += outcome->differences;
  return absl::OkStatus();
}

// Every person's history, read through the first daemon: the ledger's check,
// then timers (one TimerFired per timer id and due time) and tasks (each
// completed once, by the lane that leased it).
absl::Status Soak::FinalCheck() {
  crashtest::CheckCounts counts;
  uint64_t fired = 0, fired_twice = 0, completed = 0, twice = 0, wrong = 0;
  for (const std::string& person : ledger_.AllPersons()) {
    std::vector<v1::EventEnvelope> history;
    v1::HistoryRequest request;
    request.set_person_id(person);
    absl::Status read =
        daemons_[0].auditor->History(request, [&](const v1::EventEnvelope& e) {
          history.push_back(e);
          return true;
        });
    if (read.code() == absl::StatusCode::kNotFound) {
      history.clear();
    } else if (!read.ok()) {
      return absl::Status(read.code(), absl::StrCat("history of ", person, ": ",
                                                    read.message()));
    }
    crashtest::CheckHistory(person, ledger_.AcksOf(person), history, counts);
    absl::flat_hash_map<std::string, int> timers, tasks;
    // "CT-<lane>-<n>": the lane's worker completes its tasks.
    std::vector<std::string> parts = absl::StrSplit(person, '-');
    const std::string worker =
        parts.size() == 3 && parts[0] == "CT" ? "crashtest-" + parts[1] : "";
    for (const v1::EventEnvelope& e : history) {
      v1::TimerFired timer;
      v1::TaskCompleted task;
      if (e.payload().UnpackTo(&timer)) {
        ++fired;
        const std::string key =
            absl::StrCat(timer.timer_id(), "@", timer.due_time().seconds());
        if (++timers[key] == 2) {
          ++fired_twice;
          Problem(absl::StrCat(person, ": timer ", key, " fired twice"));
        }
      } else if (e.payload().UnpackTo(&task)) {
        ++completed;
        if (++tasks[task.task_id()] == 2) {
          ++twice;
          Problem(absl::StrCat(person, ": task ", task.task_id(),
                               " completed twice"));
        }
        if (!worker.empty() && !absl::EndsWith(task.worker(), worker)) {
          ++wrong;
          Problem(absl::StrCat(person, ": task ", task.task_id(),
                               " completed by ", task.worker(), ", not ",
                               worker));
        }
      }
    }
  }
  {
    absl::MutexLock lock(&mu_);
    report_.checked += counts.checked;
    report_.lost += counts.lost;
    report_.duplicated += counts.duplicated;
    report_.timers_fired = fired;
    report_.timers_duplicated = fired_twice;
    report_.tasks_completed = completed;
    report_.tasks_completed_twice = twice;
    report_.tasks_wrong_worker = wrong;
  }
  for (std::string& line : counts.problems) Problem(std::move(line));
  // Verify and ReplayCheck through each daemon.
  for (Daemon& daemon : daemons_) {
    if (absl::Status s = Audit(*daemon.auditor); !s.ok()) return s;
  }
  return absl::OkStatus();
}

HaReport Soak::Run() {
  const absl::Time start = absl::Now();
  absl::Status status = Prepare();
  if (status.ok()) {
    ClusterOptions cluster;
    cluster.work_dir = work_;
    cluster.synchronous = options_.synchronous;
    absl::StatusOr<std::unique_ptr<Cluster>> started =
        Cluster::Start(cluster, kDatabase);
    if (started.ok()) {
      cluster_ = std::move(*started);
    } else {
      status = started.status();
    }
  }
  if (status.ok()) {
    std::cerr << "cluster up: leader "
              << cluster_->name(cluster_->Leader().value_or(0)) << "; store "
              << cluster_->Uri(kDatabase) << std::endl;
    daemons_.resize(options_.daemons);
    for (int i = 0; i < options_.daemons && status.ok(); ++i) {
      status = StartDaemon(i);
    }
  }
  if (status.ok()) status = RecordTimerPersons();
  if (status.ok()) {
    StartLanes();
    while (status.ok() && report_.kills < options_.kills) {
      status = KillAndRecover();
      absl::MutexLock lock(&mu_);
      if (!report_.problems.empty()) break;  // a lane stopped
    }
    StopLanes();
  }
  if (status.ok() && options_.timer_persons > 0) status = TimerPhase();
  if (status.ok()) status = DaemonsAlive();
  // Checked also after a failure, unless the cluster never came up: what was
  // lost is the point.
  if (cluster_ != nullptr && !daemons_.empty() &&
      daemons_[0].auditor != nullptr) {
    absl::Status healthy = cluster_->WaitHealthy(absl::Seconds(60));
    absl::Status checked = FinalCheck();
    if (status.ok()) status = healthy.ok() ? checked : healthy;
  }
  for (Daemon& daemon : daemons_) {
    if (daemon.process.pid() > 0) daemon.process.Stop(absl::Seconds(30));
  }
  if (cluster_ != nullptr) cluster_->Stop();
  absl::MutexLock lock(&mu_);
  for (const LaneRun& run : lanes_) {
    report_.in_doubt += run.lane->in_doubt();
    report_.leases_lost += run.lane->leases_lost();
    report_.empty_polls += run.lane->empty_polls();
    report_.data_loss_answers += run.lane->data_loss_answers();
    if (report_.first_data_loss.empty()) {
      report_.first_data_loss = run.lane->first_data_loss();
    }
  }
  if (report_.leases_lost > 0) {
    report_.problems.push_back(absl::StrCat(
        report_.leases_lost,
        " completions refused because an acknowledged lease was gone"));
  }
  report_.acknowledged = ledger_.size();
  report_.stopped = status;
  report_.elapsed = absl::Now() - start;
  return report_;
}

std::string Spread(std::vector<absl::Duration> values) {
  if (values.empty()) return "-";
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  const absl::Duration median =
      n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  return absl::StrFormat("min %.2f / median %.2f / max %.2f s",
                         absl::ToDoubleSeconds(values.front()),
                         absl::ToDoubleSeconds(median),
                         absl::ToDoubleSeconds(values.back()));
}

}  // namespace

HaReport RunHaSoak(const HaOptions& options) { return Soak(options).Run(); }

std::string FormatHaReport(const HaReport& r) {
  std::vector<absl::Duration> unavailable, leader;
  std::string each;
  for (const KillRecord& k : r.per_kill) {
    unavailable.push_back(k.unavailable);
    leader.push_back(k.new_leader);
    absl::StrAppend(
        &each, absl::StrFormat(" %.2f", absl::ToDoubleSeconds(k.unavailable)));
  }
  std::string out = absl::StrFormat(
      "kills: %d of the leader while writing, %d in the timer phase, in %.1f "
      "s\n"
      "acknowledged: %d calls (events recorded, tasks completed)\n"
      "checked: %d\n"
      "lost: %d\n"
      "duplicated: %d\n"
      "in doubt: %d calls cut off by a failover, retried with their key\n"
      "leases lost: %d\n"
      "empty polls (a task open, the long poll answered OK with none): %d\n"
      "DATA_LOSS answers in a failover, retried: %d%s\n"
      "timers fired: %d, fired twice: %d, deadlines that never fired: %d\n"
      "tasks completed: %d, completed twice: %d, by another worker: %d\n"
      "verify: %d runs, %d failed; replay differences: %d\n"
      "unavailable after a kill: %s\n"
      "new leader after a kill: %s\n"
      "unavailable per kill (s):%s\n",
      r.kills, r.timer_kills, absl::ToDoubleSeconds(r.elapsed), r.acknowledged,
      r.checked, r.lost, r.duplicated, r.in_doubt, r.leases_lost, r.empty_polls,
      r.data_loss_answers,
      r.first_data_loss.empty() ? "" : " (first: " + r.first_data_loss + ")",
      r.timers_fired, r.timers_duplicated, r.timers_missing, r.tasks_completed,
      r.tasks_completed_twice, r.tasks_wrong_worker, r.verify_runs,
      r.verify_failures, r.replay_differences, Spread(unavailable),
      Spread(leader), each);
  for (const std::string& line : r.problems) {
    absl::StrAppend(&out, "problem: ", line, "\n");
  }
  if (!r.stopped.ok()) {
    absl::StrAppend(&out, "stopped: ", r.stopped.ToString(), "\n");
  }
  absl::StrAppend(&out, r.clean() ? "result: clean\n" : "result: FAILED\n");
  return out;
}

}  // namespace returnpath::ha
