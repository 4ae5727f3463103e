#ifndef RETURNPATH_TOOLS_BENCHMARKS_COMMON_H_
#define RETURNPATH_TOOLS_BENCHMARKS_COMMON_H_

// What every suite binary shares: its flags, a main that writes the suite's
// JSON whatever happens, scratch directories on the data disk, child
// processes, peak RSS.

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/read_file.h"
#include "engine/testing/child_process.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "tools/benchmarks/report.h"

ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(bool, quick);
ABSL_DECLARE_FLAG(std::string, work_dir);
ABSL_DECLARE_FLAG(std::string, cache_dir);
ABSL_DECLARE_FLAG(std::string, policy_dir);
ABSL_DECLARE_FLAG(double, rate);
ABSL_DECLARE_FLAG(std::string, returnpathd);
ABSL_DECLARE_FLAG(std::string, log_dir);

namespace returnpath::bench {

using process::ChildProcess;
using process::RunProgram;
using process::WaitForFile;

// Whether --store=postgres: the suite runs on the PostgreSQL store.
bool OnPostgres();

// Where a suite's store in `dir` lives: `dir` itself, or with
// --store=postgres the URI of a fresh database on a private PostgreSQL
// server this process starts (once) and stops at exit.
absl::StatusOr<std::string> BenchStorePath(const std::string& dir);

// Parses flags, runs `body`, and writes the suite to --out (also when the
// body fails: what was measured is kept and the failure recorded). Returns
// the process exit code: 0, or 2 if the body failed.
int SuiteMain(int argc, char** argv, int number, const std::string& title,
              const std::function<absl::Status(SuiteReport&)>& body);

// A fresh directory under --work_dir, removed with everything in it when
// this object goes away.
class ScratchDir {
 public:
  static absl::StatusOr<ScratchDir> Make(const std::string& name);
  ScratchDir(ScratchDir&& other) noexcept : path_(std::move(other.path_)) {
    other.path_.clear();
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir();
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Peak resident set size of this process so far (getrusage), in MiB.
double PeakRssMiB();

// Resident set size of this process now (/proc/self/statm), in MiB.
double CurrentRssMiB();

// Samples CurrentRssMiB every 50 ms from construction until Stop, for the
// memory one phase of a suite takes once the process's peak is behind it.
class RssWatch {
 public:
  RssWatch();
  ~RssWatch() { Stop(); }
  // The largest sample, in MiB. Idempotent.
  double Stop();

 private:
  std::atomic<bool> stop_{false};
  std::atomic<double> max_{0};
  std::thread thread_;
};

// Replaces the file at `path` with `text`.
absl::Status WriteStringToFile(const std::string& path,
                               const std::string& text);

// Writes `message` as JSON (every field, proto names), aside and renamed so a
// stop mid-write leaves the old file.
absl::Status WriteJsonFile(const std::string& path,
                           const google::protobuf::Message& message);

// Reads what WriteJsonFile wrote.
template <typename T>
absl::StatusOr<T> ReadJsonFile(const std::string& path) {
  absl::StatusOr<std::string> text = engine::ReadFileText(path, "file");
  if (!text.ok()) return text.status();
  T message;
  auto parsed = google::protobuf::util::JsonStringToMessage(*text, &message);
  if (!parsed.ok()) {
    return absl::DataLossError(absl::StrCat(path, ": ", parsed.ToString()));
  }
  return message;
}

// The value of figure `name` in another suite's JSON, or 0 if there is none.
double SuiteFigure(const std::string& suite_json, const std::string& name);

// Copies a closed store as hard links (no RocksDB open, so the original is
// never touched): RocksDB never writes into an existing file (tables are
// immutable; on open it starts a new manifest and log, replaces CURRENT by
// rename, and only deletes the old logs), so the copy may be opened and
// written. LOCK and LOG files are left for RocksDB to create.
absl::Status LinkCopyStore(const std::string& from, const std::string& to);

// Total size of the write-ahead log files (*.log) in a store directory.
uint64_t WalBytes(const std::string& store);

}  // namespace returnpath::bench

#endif  // RETURNPATH_TOOLS_BENCHMARKS_COMMON_H_
