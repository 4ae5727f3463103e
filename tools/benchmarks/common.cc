#include "tools/benchmarks/common.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "engine/status_macros.h"
#include "engine/testing/pg_cluster.h"
#include "tools/benchmarks/bench_results.pb.h"

ABSL_FLAG(std::string, out, "", "where to write this suite's JSON");
ABSL_FLAG(bool, quick, false, "a short smoke run with small data sets");
ABSL_FLAG(std::string, work_dir, "bench/work",
          "scratch directories (stores, daemons); put it on the data disk");
ABSL_FLAG(std::string, cache_dir, "bench/cache",
          "generated data sets, kept across runs");
ABSL_FLAG(std::string, policy_dir, "workflows/return_pathway/policy",
          "the return-pathway policy files");
ABSL_FLAG(double, rate, 1000,
          "the fixed arrival rate (events/s) of the open-loop latency runs");
ABSL_FLAG(std::string, returnpathd, "build/tools/returnpathd/returnpathd",
          "the returnpathd binary the end-to-end suites start");
ABSL_FLAG(std::string, log_dir, "bench/logs",
          "where the daemons the suites start write their logs");
ABSL_FLAG(std::string, store, "rocksdb",
          "rocksdb: the embedded store; postgres: the PostgreSQL store, on a "
          "private server (fsync and synchronous commit on) started under "
          "--work_dir; the suite is then reported as number 10 + its own");

namespace returnpath::bench {

bool OnPostgres() { return absl::GetFlag(FLAGS_store) == "postgres"; }

namespace {

absl::Mutex server_mu(absl::kConstInit);
engine::testing::PgCluster* server ABSL_GUARDED_BY(server_mu) = nullptr;
int databases ABSL_GUARDED_BY(server_mu) = 0;

// Where the server's time went: its statements by total time, from
// pg_stat_statements, as notes of the suite.
void NoteServerTime(SuiteReport& report) {
  absl::MutexLock lock(&server_mu);
  if (server == nullptr) return;
  absl::StatusOr<std::string> top = server->Psql(
      "SELECT calls, round(total_exec_time) AS ms, "
      "round((mean_exec_time * 1000)::numeric, 1) AS us_each, "
      "left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS statement "
      "FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8");
  if (!top.ok()) return;
  report.Note(absl::StrCat("PostgreSQL's statements by time spent in the "
                           "server (pg_stat_statements, every database):\n",
                           *top));
}

}  // namespace

absl::StatusOr<std::string> BenchStorePath(const std::string& dir) {
  if (!OnPostgres()) return dir;
  absl::MutexLock lock(&server_mu);
  if (server == nullptr) {
    const std::string pg_dir = absl::StrCat(
        std::filesystem::absolute(absl::GetFlag(FLAGS_work_dir)).string(),
        "/postgres");
    std::error_code error;
    std::filesystem::remove_all(pg_dir, error);
    std::filesystem::create_directories(pg_dir, error);
    engine::testing::PgClusterOptions options;
    options.settings = {"shared_buffers=512MB", "max_connections=200",
                        "shared_preload_libraries=pg_stat_statements"};
    RP_ASSIGN_OR_RETURN(std::unique_ptr<engine::testing::PgCluster> started,
                        engine::testing::PgCluster::Create(pg_dir, options));
    server = started.release();  // stopped at exit
    atexit([] { delete server; });
    RP_RETURN_IF_ERROR(
        server->Psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            .status());
  }
  const std::string name = absl::StrCat("bench", ++databases);
  RP_RETURN_IF_ERROR(server->CreateDatabase(name).status());
  return absl::StrCat("postgresql://postgres@127.0.0.1:", server->port(), "/",
                      name);
}

int SuiteMain(int argc, char** argv, int number, const std::string& title,
              const std::function<absl::Status(SuiteReport&)>& body) {
  absl::ParseCommandLine(argc, argv);
  SuiteReport report(OnPostgres() ? 10 + number : number,
                     OnPostgres() ? absl::StrCat(title, ", on PostgreSQL")
                                  : title);
  absl::Status status = body(report);
  if (!status.ok()) report.Fail(status);
  if (OnPostgres()) NoteServerTime(report);
  const std::string out = absl::GetFlag(FLAGS_out);
  if (!out.empty()) {
    absl::Status written = report.Write(out);
    if (!written.ok()) {
      std::fprintf(stderr, "%s\n", written.ToString().c_str());
      return 1;
    }
  }
  return status.ok() ? 0 : 2;
}

absl::StatusOr<ScratchDir> ScratchDir::Make(const std::string& name) {
  std::error_code error;
  std::filesystem::create_directories(absl::GetFlag(FLAGS_work_dir), error);
  std::string tmpl = absl::StrCat(
      std::filesystem::absolute(absl::GetFlag(FLAGS_work_dir)).string(), "/",
      name, ".XXXXXX");
  if (mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("cannot create ", tmpl));
  }
  return ScratchDir(tmpl);
}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  std::error_code error;
  std::filesystem::remove_all(path_, error);
}

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
}

double CurrentRssMiB() {
  long pages = 0, resident = 0;
  FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(statm);
  return static_cast<double>(resident) * sysconf(_SC_PAGESIZE) / (1 << 20);
}

RssWatch::RssWatch() {
  max_ = CurrentRssMiB();
  thread_ = std::thread([this] {
    while (!stop_) {
      absl::SleepFor(absl::Milliseconds(50));
      max_ = std::max(max_.load(), CurrentRssMiB());
    }
  });
}

double RssWatch::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  return std::max(max_.load(), CurrentRssMiB());
}

absl::Status WriteStringToFile(const std::string& path,
                               const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::Status WriteJsonFile(const std::string& path,
                           const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  auto printed =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!printed.ok()) return absl::InternalError(printed.ToString());
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << json;
    if (!out.flush()) {
      return absl::InternalError(absl::StrCat("cannot write ", temporary));
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot rename ", temporary, ": ", error.message()));
  }
  return absl::OkStatus();
}

double SuiteFigure(const std::string& suite_json, const std::string& name) {
  absl::StatusOr<Suite> suite = ReadJsonFile<Suite>(suite_json);
  if (!suite.ok()) return 0;
  for (const Figure& f : suite->figures()) {
    if (f.name() == name) return f.value();
  }
  return 0;
}

absl::Status LinkCopyStore(const std::string& from, const std::string& to) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(to, error);
  if (error) return absl::InternalError(absl::StrCat("cannot create ", to));
  for (const fs::directory_entry& entry : fs::directory_iterator(from, error)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name == "LOCK" ||
        name.rfind("LOG", 0) == 0) {
      continue;
    }
    fs::create_hard_link(entry.path(), fs::path(to) / name, error);
    if (error) {
      return absl::InternalError(absl::StrCat(
          "cannot link ", entry.path().string(), ": ", error.message()));
    }
  }
  if (error) return absl::InternalError(absl::StrCat("cannot list ", from));
  return absl::OkStatus();
}

uint64_t WalBytes(const std::string& store) {
  uint64_t total = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(store, error)) {
    if (entry.path().extension() == ".log") total += entry.file_size();
  }
  return total;
}

}  // namespace returnpath::bench
