// returnpathd: the returnpath daemon. Parses flags and wires the return
// pathway workflow into the engine: store, timer loop, task queues, the gRPC
// services. The only place that names both the engine and the domain.

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/event_store.h"
#include "engine/rpc/grpc_server.h"
#include "engine/rpc/log.h"
#include "engine/rpc/signals.h"
#include "server/access_log.h"
#include "server/admin_service.h"
#include "server/audit_service.h"
#include "server/backup_schedule.h"
#include "server/chain_checkpoints.h"
#include "server/daemon_metrics.h"
#include "server/dev_principals.h"
#include "server/master_keys.h"
#include "server/pathway_service.h"
#include "server/principal_registry.h"
#include "server/request_log.h"
#include "server/retention_schedule.h"
#include "server/task_service.h"
#include "tools/demo/demo_population.h"
#include "tools/returnpathd/build_info.h"
#include "tools/returnpathd/config_file.h"
#include "tools/returnpathd/daemon_flags.h"
#include "tools/returnpathd/store_setup.h"
#include "workflows/return_pathway/compliance/compliance_checker.h"
#include "workflows/return_pathway/return_pathway_workflow.h"
#include "workflows/return_pathway/what_if.h"

namespace {

using namespace returnpath;  // NOLINT: a main that wires many parts

int Fail(absl::string_view what, const absl::Status& status) {
  engine::LogLine("error", what, {{"status", status.ToString()}});
  return 1;
}

// --help lists the daemon's own flags (Abseil's default looks for a file
// named after the binary); --version says what it was built from.
void ConfigureUsage() {
  absl::SetProgramUsageMessage(
      "the returnpath daemon. Serves the return pathway over gRPC from an\n"
      "embedded store in --data_dir. A deployment gives "
      "--principals and TLS\n(--tls_cert, --tls_key, --tls_client_ca); "
      "README.md and docs/security.md\nsay more.\n\n"
      "  returnpathd --data_dir=/var/lib/returnpath --listen=0.0.0.0:7443 "
      "\\\n      --principals=/etc/returnpath/principals.textproto "
      "--tls_cert=... --tls_key=...");
  absl::FlagsUsageConfig config;
  config.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "tools/returnpathd/");
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  config.normalize_filename = [](absl::string_view file) {
    const size_t at = file.find("tools/returnpathd/");
    return std::string(at == file.npos ? file : file.substr(at));
  };
  config.version_string = [] {
    return absl::StrCat("returnpathd ", tools::kVersion, "\ncommit ",
                        tools::kCommit, "\nbuild type ", tools::kBuildType,
                        "\n");
  };
  absl::SetFlagsUsageConfig(config);
}

// Written whole under a temporary name, then renamed, so readers never see
// half.
void WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << port << "\n";
  std::filesystem::rename(tmp, path);
}

// One log line with the value of every flag the daemon runs with.
void LogConfiguration() {
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (!absl::StrContains(flag->Filename(), "tools/returnpathd/")) continue;
    values.emplace_back(std::string(name), flag->CurrentValue());
  }
  std::sort(values.begin(), values.end());
  std::vector<std::pair<absl::string_view, absl::string_view>> fields(
      values.begin(), values.end());
  engine::LogLine("info", "configuration", fields);
}

}  // namespace

int main(int argc, char** argv) {
  ConfigureUsage();
  const std::set<std::string> given = tools::FlagsOnCommandLine(argc, argv);
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_config).empty()) {
    absl::Status applied =
        tools::ApplyConfigFile(absl::GetFlag(FLAGS_config), given);
    if (!applied.ok()) return Fail("bad --config", applied);
  }
  if (absl::Status level = engine::SetLogLevel(absl::GetFlag(FLAGS_log_level));
      !level.ok()) {
    return Fail("bad --log_level", level);
  }
  LogConfiguration();
  engine::BlockTerminationSignals();
  ::umask(077);  // the store holds persons' data: readable by this user only
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  std::filesystem::create_directories(data_dir);

  // Before the store opens: a daemon that cannot sign changes nothing.
  absl::StatusOr<std::unique_ptr<engine::SigningKey>> signing_key =
      engine::SigningKey::LoadOrCreate(absl::GetFlag(FLAGS_signing_key),
                                       data_dir);
  if (!signing_key.ok())
    return Fail("cannot load the signing key", signing_key.status());
  engine::MasterKeySources key_sources;
  key_sources.file = absl::GetFlag(FLAGS_master_key_file);
  key_sources.previous_files = absl::GetFlag(FLAGS_previous_master_key_files);
  if (const char* text = std::getenv(engine::kMasterKeyVariable)) {
    key_sources.environment = text;
  }
  key_sources.data_dir = data_dir;
  absl::StatusOr<engine::LoadedMasterKeys> master_keys =
      engine::LoadMasterKeys(key_sources);
  if (!master_keys.ok())
    return Fail("cannot load the master key", master_keys.status());
  if (!master_keys->created.empty()) {
    engine::LogLine("warning",
                    "created a master key in the data directory; in "
                    "production keep it elsewhere (docs/privacy.md)",
                    {{"path", master_keys->created},
                     {"id", master_keys->keyring->current().id}});
  }
  if (absl::GetFlag(FLAGS_checkpoint_every) < absl::ZeroDuration()) {
    return Fail("bad --checkpoint_every",
                absl::InvalidArgumentError("must be 0 or more"));
  }
  std::unique_ptr<engine::Clock> clock;
  engine::ManualClock* manual_clock = nullptr;
  if (absl::GetFlag(FLAGS_clock) == "manual") {
    absl::Time start = absl::Now();
    std::string error;
    if (!absl::GetFlag(FLAGS_clock_start).empty() &&
        !absl::ParseTime(absl::RFC3339_full, absl::GetFlag(FLAGS_clock_start),
                         &start, &error)) {
      return Fail("bad --clock_start", absl::InvalidArgumentError(error));
    }
    auto manual = std::make_unique<engine::ManualClock>(start);
    manual_clock = manual.get();
    clock = std::move(manual);
  } else if (absl::GetFlag(FLAGS_clock) == "system") {
    clock = engine::NewSystemClock();
  } else {
    return Fail("bad --clock",
                absl::InvalidArgumentError("use system or manual"));
  }

  auto principals_file = engine::ChoosePrincipalsFile(
      {absl::GetFlag(FLAGS_principals), absl::GetFlag(FLAGS_dev_principals),
       absl::GetFlag(FLAGS_listen), data_dir});
  if (!principals_file.ok())
    return Fail("cannot choose the principals", principals_file.status());
  auto principals =
      engine::PrincipalRegistry::Open(*principals_file, clock.get());
  if (!principals.ok())
    return Fail("cannot load principals", principals.status());

  auto workflow =
      return_pathway::NewReturnPathwayWorkflow(absl::GetFlag(FLAGS_policy_dir));
  if (!workflow.ok()) return Fail("cannot load the policy", workflow.status());
  auto checker =
      return_pathway::NewComplianceChecker(absl::GetFlag(FLAGS_policy_dir));
  if (!checker.ok()) return Fail("cannot load the policy", checker.status());

  engine::DaemonMetrics metrics;
  engine::EngineOptions options;
  options.store.on_group_written = metrics.OnGroupWritten();
  options.timers.on_fired = metrics.OnTimerFired();
  options.store.path = absl::GetFlag(FLAGS_store).empty()
                           ? absl::StrCat(data_dir, "/store")
                           : absl::GetFlag(FLAGS_store);
  options.store.clock = clock.get();
  options.store.workflow = workflow->get();
  options.store.read_legacy_access = engine::AccessLog::ReadLegacy;
  options.store.master_keys = master_keys->keyring;
  if (absl::GetFlag(FLAGS_min_free_disk_mib) < 0) {
    return Fail("bad --min_free_disk_mib",
                absl::InvalidArgumentError("must be 0 or more"));
  }
  options.store.min_free_disk_bytes =
      static_cast<uint64_t>(absl::GetFlag(FLAGS_min_free_disk_mib)) << 20;
  options.store.accept_test_clock_store =
      absl::GetFlag(FLAGS_accept_test_clock_store);
  if (manual_clock != nullptr && absl::GetFlag(FLAGS_clock_start).empty()) {
    // Resumes where the store's time stands (recorded times never go back).
    options.store.clock_behind = [manual_clock](absl::Time last_recorded) {
      manual_clock->SetTime(last_recorded);
      return absl::OkStatus();
    };
  }
  options.store.log = [](absl::string_view level, absl::string_view message) {
    engine::LogLine(level, message);
  };
  absl::Status set_up = tools::SetUpStoreFileSystem(options.store);
  if (!set_up.ok()) return Fail("cannot set up the store", set_up);
  // Every task the return pathway opens is work for a person: a lease that
  // runs out (a lunch break) puts it back in the queue, only Fail counts.
  options.tasks.lease_expiry_counts_as_failure = false;
  if (absl::GetFlag(FLAGS_demo_population)) {
    options.prepare = [now = clock->Now()](engine::EventStore& store) {
      if (store.LastPosition() != 0) return absl::OkStatus();
      absl::StatusOr<int> loaded = tools::LoadDemoPopulation(store, now);
      if (!loaded.ok()) return loaded.status();
      engine::LogLine("info", "loaded the SYNTHETIC demo population",
                      {{"persons", absl::StrCat(*loaded)}});
      return absl::OkStatus();
    };
  }
  if (!absl::GetFlag(FLAGS_store).empty() &&
      (!absl::GetFlag(FLAGS_backup_dir).empty() ||
       !absl::GetFlag(FLAGS_restore_from).empty())) {
    return Fail("bad --backup_dir or --restore_from",
                absl::InvalidArgumentError(
                    "a PostgreSQL store (--store) is backed up and restored "
                    "with PostgreSQL's own tools (pg_basebackup, point-in-"
                    "time recovery), not by returnpathd"));
  }
  if (!absl::GetFlag(FLAGS_restore_from).empty()) {
    absl::StatusOr<engine::StoreBackup> restored = engine::RestoreStore(
        absl::GetFlag(FLAGS_restore_from), options.store.path);
    if (!restored.ok()) return Fail("cannot restore", restored.status());
    engine::LogLine(
        "info", "restored",
        {{"from", absl::GetFlag(FLAGS_restore_from)},
         {"backup", absl::StrCat(restored->id)},
         {"covers_position", absl::StrCat(restored->covers_position)},
         {"taken", absl::FormatTime(restored->taken)}});
    // The whole chain checks out before the timers start or anyone is served.
    options.prepare = [then = std::move(options.prepare)](
                          engine::EventStore& store) -> absl::Status {
      absl::Status verified = store.Verify(1, 0, nullptr);
      if (!verified.ok()) return verified;
      engine::LogLine("info", "verified the restored chain",
                      {{"last_position", absl::StrCat(store.LastPosition())}});
      return then ? then(store) : absl::OkStatus();
    };
  }
  auto opened = engine::Engine::Open(std::move(options));
  if (!opened.ok()) return Fail("cannot open the engine", opened.status());
  engine::Engine& core = **opened;
  engine::EventStore* store = &core.store();
  std::unique_ptr<engine::BackupSchedule> backups;
  if (!absl::GetFlag(FLAGS_backup_dir).empty()) {
    if (absl::GetFlag(FLAGS_backup_every) <= absl::ZeroDuration() ||
        absl::GetFlag(FLAGS_backup_keep) < 0) {
      return Fail("bad --backup_every or --backup_keep",
                  absl::InvalidArgumentError(
                      "--backup_every must be positive, --backup_keep 0 or "
                      "more"));
    }
    backups = std::make_unique<engine::BackupSchedule>(
        store, clock.get(),
        engine::BackupScheduleOptions{
            absl::GetFlag(FLAGS_backup_dir), absl::GetFlag(FLAGS_backup_every),
            static_cast<uint32_t>(absl::GetFlag(FLAGS_backup_keep))});
  }

  std::unique_ptr<engine::CheckpointSchedule> checkpoints;
  if (absl::GetFlag(FLAGS_checkpoint_every) > absl::ZeroDuration()) {
    checkpoints = std::make_unique<engine::CheckpointSchedule>(
        store, signing_key->get(), clock.get(),
        absl::GetFlag(FLAGS_checkpoint_every));
  }

  if (absl::GetFlag(FLAGS_retention_every) < absl::ZeroDuration()) {
    return Fail("bad --retention_every",
                absl::InvalidArgumentError("must be 0 or more"));
  }
  std::unique_ptr<engine::RetentionSchedule> retention;
  if (absl::GetFlag(FLAGS_retention_every) > absl::ZeroDuration()) {
    retention = std::make_unique<engine::RetentionSchedule>(
        store, workflow->get(), clock.get(),
        absl::GetFlag(FLAGS_retention_every));
  }

  auto executor =
      std::make_unique<engine::Executor>(absl::GetFlag(FLAGS_rpc_threads));
  engine::WakeSignal commits(executor.get());
  store->AddCommitListener([&commits](uint64_t) { commits.Notify(); });
  engine::AccessLog access_log(store);
  if (absl::GetFlag(FLAGS_metrics_tasks_every) < absl::ZeroDuration()) {
    return Fail("bad --metrics_tasks_every",
                absl::InvalidArgumentError("must be 0 or more"));
  }
  metrics.Watch({store, &core.timers(), &core.tasks(), &access_log, clock.get(),
                 absl::GetFlag(FLAGS_metrics_tasks_every)});
  auto log_key = engine::PersonHasher::FromKeyFile(data_dir + "/log_key");
  if (!log_key.ok()) return Fail("cannot read the log key", log_key.status());
  const engine::ServiceDeps deps{
      store,
      workflow->get(),
      (*principals)->authenticator(),
      executor.get(),
      clock.get(),
      &access_log,
      checker->get(),
      return_pathway::WorkflowForPolicyIn(absl::GetFlag(FLAGS_policy_dir))};
  engine::PathwayService pathway_service(deps);
  engine::TaskService task_service(deps, &core.tasks());
  engine::AuditService audit_service(deps, &commits, signing_key->get());
  engine::AdminService admin_service(
      deps, manual_clock, principals->get(), absl::GetFlag(FLAGS_backup_dir),
      static_cast<uint32_t>(std::max(0, absl::GetFlag(FLAGS_backup_keep))));

  engine::GrpcServerOptions server_options;
  server_options.listen = absl::GetFlag(FLAGS_listen);
  server_options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  server_options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  server_options.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  server_options.call_hooks = engine::RequestLogHooks(
      (*principals)->authenticator(), *std::move(log_key), metrics.OnCall());
  auto server = engine::GrpcServer::Start(
      server_options,
      {&pathway_service, &task_service, &audit_service, &admin_service});
  if (!server.ok())
    return Fail("cannot start the gRPC server", server.status());
  int metrics_port = 0;
  if (!absl::GetFlag(FLAGS_metrics_listen).empty()) {
    absl::StatusOr<int> serving =
        metrics.Serve(absl::GetFlag(FLAGS_metrics_listen));
    if (!serving.ok()) return Fail("cannot serve metrics", serving.status());
    metrics_port = *serving;
    if (!absl::GetFlag(FLAGS_metrics_port_file).empty()) {
      WritePortFile(absl::GetFlag(FLAGS_metrics_port_file), metrics_port);
    }
  }
  if (!absl::GetFlag(FLAGS_port_file).empty()) {
    WritePortFile(absl::GetFlag(FLAGS_port_file), (*server)->port());
  }
  engine::LogLine("info", "serving",
                  {{"port", absl::StrCat((*server)->port())},
                   {"metrics_port", absl::StrCat(metrics_port)},
                   {"data_dir", data_dir},
                   {"clock", absl::GetFlag(FLAGS_clock)},
                   {"principals", *principals_file},
                   {"public_key", (*signing_key)->public_key_path()},
                   {"last_position", absl::StrCat(store->LastPosition())}});

  const int signal = engine::WaitForTerminationSignal();
  engine::LogLine("info", "shutting down", {{"signal", absl::StrCat(signal)}});
  // Stop accepting calls and wait for those in flight: each is answered,
  // and a write answered OK is durable. Meanwhile the calls that would wait
  // for ever are answered at once with UNAVAILABLE: task long polls and
  // subscriptions (the task queue stops), event subscriptions (commits
  // closes), so the grace only runs out on a call stuck in the disk.
  std::thread stop_serving([&server] { (*server)->Shutdown(absl::Seconds(30)); });
  if (backups != nullptr) backups->Stop();  // a backup in progress finishes
  if (checkpoints != nullptr) checkpoints->Stop();
  core.tasks().Stop();
  commits.Close();
  stop_serving.join();
  metrics.Watch({});  // a scrape no longer reads what closes next
  // The engine (timers, then the store) closes first: a write still in
  // flight when the grace ran out answers through a callback that may hand
  // work to the executor.
  absl::Status closed = core.Close();       // finishes in-flight commits
  executor.reset();                         // runs what is queued, then joins
  if (!closed.ok()) return Fail("closing the store", closed);
  engine::LogLine("info", "stopped cleanly");
  return 0;
}
