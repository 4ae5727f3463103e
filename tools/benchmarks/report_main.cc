// bench_report: the two ends of a tools/bench run.
//
//   bench_report probe --out=bench/suites/machine.json --work_dir=...
//     measures the machine: cores, memory, the fsync latency of the disk
//     under --work_dir (4 KiB writes, each followed by fdatasync, and writes
//     through O_DSYNC), the load average.
//   bench_report assemble --suites_dir=bench/suites
//   --results=bench/results.json
//     gathers the probe and every suite's JSON into one Results, writes it,
//     and prints the table.

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "tools/benchmarks/common.h"

ABSL_FLAG(std::string, suites_dir, "bench/suites", "the suites' JSON files");
ABSL_FLAG(std::string, results, "bench/results.json", "where to write");
ABSL_FLAG(std::string, command, "tools/bench", "the command that was run");
ABSL_FLAG(std::string, git_commit, "", "the commit measured");

namespace returnpath::bench {
namespace {

namespace fs = std::filesystem;

void AddFigure(Results* r, const std::string& name, double value,
               const std::string& unit, const std::string& note = "") {
  Figure* f = r->add_machine();
  f->set_name(name);
  f->set_value(value);
  f->set_unit(unit);
  f->set_note(note);
}

std::string FirstLine(const std::string& path, const std::string& prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, prefix)) return line;
  }
  return "";
}

std::string LoadAverage() {
  absl::StatusOr<std::string> text =
      engine::ReadFileText("/proc/loadavg", "the load");
  return text.ok() ? std::string(absl::StripAsciiWhitespace(*text)) : "";
}

// fdatasync after each 4 KiB write, or O_DSYNC writes, for `duration`.
LatencySamples::Summary SyncLatency(const std::string& dir, bool o_dsync,
                                    absl::Duration duration) {
  const std::string path = absl::StrCat(dir, "/fsync-probe");
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | (o_dsync ? O_DSYNC : 0),
           0644);
  LatencySamples samples;
  if (fd < 0) return samples.Summarize();
  std::string block(4096, 'x');
  const absl::Time end = absl::Now() + duration;
  for (int i = 0; absl::Now() < end; ++i) {
    const absl::Time t0 = absl::Now();
    // Rewrite a small file in place, as a log's tail is rewritten.
    if (pwrite(fd, block.data(), block.size(), (i % 256) * 4096) < 0) break;
    if (!o_dsync && fdatasync(fd) != 0) break;
    samples.Add(absl::Now() - t0);
  }
  close(fd);
  unlink(path.c_str());
  return samples.Summarize();
}

int Probe() {
  Results r;
  r.set_date(
      absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone()));
  AddFigure(&r, "cores", std::thread::hardware_concurrency(), "cores");
  std::string mem = FirstLine("/proc/meminfo", "MemTotal:");
  double kib = 0;
  std::vector<std::string> parts = absl::StrSplit(mem, ' ', absl::SkipEmpty());
  if (parts.size() >= 2) absl::SimpleAtod(parts[1], &kib);
  AddFigure(&r, "memory", kib / (1 << 20), "GiB");
  std::error_code error;
  fs::create_directories(absl::GetFlag(FLAGS_work_dir), error);
  const std::string dir = fs::absolute(absl::GetFlag(FLAGS_work_dir)).string();
  const absl::Duration each =
      absl::GetFlag(FLAGS_quick) ? absl::Seconds(1) : absl::Seconds(3);
  for (bool o_dsync : {false, true}) {
    const LatencySamples::Summary s = SyncLatency(dir, o_dsync, each);
    const std::string what =
        o_dsync ? "O_DSYNC 4 KiB write" : "fdatasync (4 KiB write)";
    AddFigure(&r, absl::StrCat(what, " p50"), s.p50_ms, "ms",
              absl::StrCat("n=", s.count, " on the disk of ", dir));
    AddFigure(&r, absl::StrCat(what, " p99"), s.p99_ms, "ms");
    AddFigure(&r, absl::StrCat(what, " max"), s.max_ms, "ms");
    AddFigure(
        &r,
        absl::StrCat(o_dsync ? "O_DSYNC" : "fdatasync", " syncs per second"),
        s.count / absl::ToDoubleSeconds(each), "syncs/s");
  }
  utsname u{};
  uname(&u);
  std::string cpu = FirstLine("/proc/cpuinfo", "model name");
  cpu = cpu.substr(cpu.find(':') == std::string::npos ? 0 : cpu.find(':') + 2);
  r.add_machine_notes(absl::StrCat("cpu: ", cpu));
  r.add_machine_notes(absl::StrCat("kernel: ", u.sysname, " ", u.release));
  r.add_machine_notes(absl::StrCat("load average at start: ", LoadAverage()));
  if (absl::Status written = WriteJsonFile(absl::GetFlag(FLAGS_out), r);
      !written.ok()) {
    std::fprintf(stderr, "%s\n", written.ToString().c_str());
    return 1;
  }
  for (const Figure& f : r.machine()) {
    std::printf("   %-46s %14.3f %s\n", f.name().c_str(), f.value(),
                f.unit().c_str());
  }
  return 0;
}

std::string Value(double v) {
  if (v != 0 && (std::abs(v) >= 1e5 || std::abs(v) < 0.01)) {
    return absl::StrFormat("%.4g", v);
  }
  return absl::StrFormat("%.2f", v);
}

void PrintRow(const Figure& f) {
  std::printf("  %-52s %12s %-9s %-22s %s\n", f.name().c_str(),
              Value(f.value()).c_str(), f.unit().c_str(), f.target().c_str(),
              f.verdict().c_str());
}

int Assemble() {
  const std::string dir = absl::GetFlag(FLAGS_suites_dir);
  Results r = ReadJsonFile<Results>(absl::StrCat(dir, "/machine.json"))
                  .value_or(Results());
  r.set_command(absl::GetFlag(FLAGS_command));
  r.set_git_commit(absl::GetFlag(FLAGS_git_commit));
  r.set_quick(absl::GetFlag(FLAGS_quick));
  r.add_machine_notes(absl::StrCat("load average at the end: ", LoadAverage()));
  for (int n = 1; n <= 9; ++n) {
    if (absl::StatusOr<Suite> suite =
            ReadJsonFile<Suite>(absl::StrCat(dir, "/", n, ".json"));
        suite.ok()) {
      *r.add_suites() = *std::move(suite);
    } else {
      Suite* missing = r.add_suites();
      missing->set_number(n);
      missing->set_outcome("not run (no result file)");
    }
    // The same suite on the PostgreSQL store (10 + n), beside it.
    if (absl::StatusOr<Suite> on_postgres =
            ReadJsonFile<Suite>(absl::StrCat(dir, "/", 10 + n, ".json"));
        on_postgres.ok()) {
      *r.add_suites() = *std::move(on_postgres);
    }
  }
  if (absl::Status written = WriteJsonFile(absl::GetFlag(FLAGS_results), r);
      !written.ok()) {
    std::fprintf(stderr, "%s\n", written.ToString().c_str());
    return 1;
  }

  std::printf("\nreturnpath benchmarks, %s%s, commit %s\n", r.date().c_str(),
              r.quick() ? " (--quick)" : "", r.git_commit().c_str());
  for (const Figure& f : r.machine()) PrintRow(f);
  for (const std::string& note : r.machine_notes()) {
    std::printf("  %s\n", note.c_str());
  }
  std::vector<Figure> targets;
  for (const Suite& s : r.suites()) {
    std::printf("\n%d. %s  [%s, %.0f s]\n", s.number(), s.title().c_str(),
                s.outcome().c_str(), s.wall_seconds());
    for (const Figure& f : s.figures()) {
      PrintRow(f);
      if (!f.target().empty()) {
        targets.push_back(f);
        targets.back().set_name(absl::StrCat(s.number(), ". ", f.name()));
      }
    }
  }
  std::printf("\nTargets\n");
  for (const Figure& f : targets) PrintRow(f);
  std::printf("\nwritten to %s\n", absl::GetFlag(FLAGS_results).c_str());
  return 0;
}

}  // namespace
}  // namespace returnpath::bench

int main(int argc, char** argv) {
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  const std::string mode = rest.size() > 1 ? rest[1] : "";
  if (mode == "probe") return returnpath::bench::Probe();
  if (mode == "assemble") return returnpath::bench::Assemble();
  std::fprintf(stderr, "usage: bench_report probe|assemble [flags]\n");
  return 1;
}
