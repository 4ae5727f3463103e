// Suite 4: the PostgreSQL baseline a team would build instead: an events
// table with UNIQUE(stream, version), a timers table and a tasks table, one
// transaction per event (insert the event, upsert a timer, insert a task)
// with synchronous_commit = on, driven by pgbench with 64 clients over TCP
// on 127.0.0.1. Debian's postgresql must be installed (tools/bench does it).
// A private cluster is created under --work_dir, started on a free port,
// stopped and removed at the end.

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "engine/status_macros.h"
#include "engine/testing/pg_cluster.h"
#include "tools/benchmarks/common.h"

ABSL_FLAG(std::string, grpc_suite, "bench/suites/3.json",
          "suite 3's JSON, for the ratio of returnpathd to PostgreSQL");

namespace returnpath::bench {
namespace {

namespace fs = std::filesystem;

constexpr int kClients = 64;

constexpr char kSchema[] = R"sql(
CREATE TABLE events (
  position bigserial PRIMARY KEY,
  stream text NOT NULL,
  version integer NOT NULL,
  type text NOT NULL,
  effective_time timestamptz NOT NULL,
  recorded_time timestamptz NOT NULL DEFAULT now(),
  payload bytea NOT NULL,
  UNIQUE (stream, version));
CREATE TABLE timers (
  stream text NOT NULL,
  id text NOT NULL,
  due timestamptz NOT NULL,
  PRIMARY KEY (stream, id));
CREATE INDEX timers_by_due ON timers (due);
CREATE TABLE tasks (
  stream text NOT NULL,
  id text NOT NULL,
  queue text NOT NULL,
  due timestamptz NOT NULL,
  priority integer NOT NULL,
  state text NOT NULL,
  PRIMARY KEY (stream, id));
CREATE INDEX tasks_ready ON tasks (queue, priority, due) WHERE state = 'OPEN';
)sql";

// One event: each client walks its own persons, six versions each, like the
// engine suites' short pathway. :run keeps the runs' streams apart.
constexpr char kScript[] = R"pgb(\set v :v + 1
\set person :run * 1000000000000 + :client_id * 100000000 + :v / 6
\set version :v % 6 + 1
BEGIN;
INSERT INTO events (stream, version, type, effective_time, payload)
  VALUES ('P' || :person, :version, 'returnpath.v1.FirstRejection', now(),
          decode(repeat('ab', 150), 'hex'));
INSERT INTO timers (stream, id, due)
  VALUES ('P' || :person, 'departure-deadline', now() + interval '21 days')
  ON CONFLICT (stream, id) DO UPDATE SET due = EXCLUDED.due;
INSERT INTO tasks (stream, id, queue, due, priority, state)
  VALUES ('P' || :person, 'task-' || :v, 'advisers/Oslo-1',
          now() + interval '7 days', 60, 'OPEN');
END;
)pgb";

// Latencies (us, the third field) from pgbench's per-transaction logs.
absl::Status ReadLogs(const std::string& dir, const std::string& prefix,
                      LatencySamples* latency) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind(prefix, 0) != 0) continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
      int64_t us = 0;
      if (f.size() >= 3 && absl::SimpleAtoi(f[2], &us) && us >= 0) {
        latency->Add(absl::Microseconds(us));
      }
    }
  }
  return absl::OkStatus();
}

double Tps(const std::string& output) {
  // "tps = 1234.5 (without initial connection time)"
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::StartsWith(line, "tps = ")) {
      std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
      double tps = 0;
      if (f.size() >= 3 && absl::SimpleAtod(f[2], &tps)) return tps;
    }
  }
  return 0;
}

double GrpcRate() {
  return SuiteFigure(absl::GetFlag(FLAGS_grpc_suite), "64 clients events/s");
}

// Runs pgbench on `cluster`; `rate` 0 is a closed loop. Returns its output.
absl::StatusOr<std::string> Bench(const engine::testing::PgCluster& cluster,
                                  int run, absl::Duration duration, double rate,
                                  const std::string& log_prefix) {
  const std::string& dir = cluster.dir();
  std::vector<std::string> argv = {
      cluster.bin_dir() + "/pgbench",
      "-h",
      "127.0.0.1",
      "-p",
      absl::StrCat(cluster.port()),
      "-U",
      "postgres",
      "-n",
      "-c",
      absl::StrCat(kClients),
      "-j",
      "2",
      "-T",
      absl::StrCat(absl::ToInt64Seconds(duration)),
      "-f",
      dir + "/event.pgb",
      "--random-seed=42",
      "-D",
      "v=0",
      "-D",
      absl::StrCat("run=", run),
      "-r",
      "-l",
      absl::StrCat("--log-prefix=", dir, "/", log_prefix)};
  if (rate > 0) {
    argv.push_back("-R");
    argv.push_back(absl::StrCat(rate));
  }
  argv.push_back("postgres");
  return RunProgram(argv);
}

absl::Status Run(SuiteReport& report) {
  const bool quick = absl::GetFlag(FLAGS_quick);
  const absl::Duration closed = quick ? absl::Seconds(3) : absl::Seconds(15);
  const absl::Duration open = quick ? absl::Seconds(3) : absl::Seconds(15);
  const double rate = absl::GetFlag(FLAGS_rate);
  RP_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("postgres"));
  std::ofstream(dir.path() + "/event.pgb") << kScript;
  engine::testing::PgClusterOptions options;
  options.settings = {"max_connections=200", "shared_buffers=512MB"};
  options.stop_mode = "fast";
  RP_ASSIGN_OR_RETURN(std::unique_ptr<engine::testing::PgCluster> cluster,
                      engine::testing::PgCluster::Create(dir.path(), options));
  RP_RETURN_IF_ERROR(cluster->Psql(kSchema).status());
  const std::string bin = cluster->bin_dir();
  RP_RETURN_IF_ERROR(Bench(*cluster, 1, absl::Seconds(1), 0, "warm").status());

  RP_ASSIGN_OR_RETURN(std::string out, Bench(*cluster, 2, closed, 0, "closed"));
  LatencySamples closed_latency;
  RP_RETURN_IF_ERROR(ReadLogs(dir.path(), "closed", &closed_latency));
  const double tps = Tps(out);
  report.Add("64 clients transactions/s", tps, "events/s",
             "one transaction per event");
  report.AddLatency("64 clients transaction latency",
                    closed_latency.Summarize());
  const double grpc = GrpcRate();
  if (grpc > 0 && tps > 0) {
    report.AddTarget("returnpathd (suite 3) / PostgreSQL", grpc / tps, "x",
                     ">= 5 x", grpc / tps >= 5,
                     absl::StrFormat("%.0f against %.0f events/s, 64 clients "
                                     "each",
                                     grpc, tps));
  }

  RP_ASSIGN_OR_RETURN(out, Bench(*cluster, 3, open, rate, "open"));
  LatencySamples open_latency;
  RP_RETURN_IF_ERROR(ReadLogs(dir.path(), "open", &open_latency));
  const std::string name = absl::StrFormat("open loop %.0f/s", rate);
  report.Add(absl::StrCat(name, " transactions/s"), Tps(out), "events/s");
  report.AddLatency(absl::StrCat(name, " transaction latency"),
                    open_latency.Summarize());
  report.Note(absl::StrCat(
      "PostgreSQL ", fs::path(bin).parent_path().filename().string(),
      " from Debian, private cluster, synchronous_commit=on, fsync=on, "
      "shared_buffers=512MB, otherwise defaults; pgbench -c 64 -j 2 over TCP "
      "127.0.0.1, ",
      absl::FormatDuration(closed), " closed loop, then -R ", rate, " for ",
      absl::FormatDuration(open),
      " (pgbench's latency then runs from each transaction's scheduled "
      "start). Latencies from pgbench's per-transaction logs (-l)."));
  report.Note(
      "The baseline does less than the engine: no state row, no secondary "
      "index, no idempotency record, no hash chain, and no gRPC or "
      "authentication in front.");
  return absl::OkStatus();
}

}  // namespace
}  // namespace returnpath::bench

int main(int argc, char** argv) {
  return returnpath::bench::SuiteMain(
      argc, argv, 4, "PostgreSQL baseline (pgbench, 64 clients)",
      returnpath::bench::Run);
}
