#include "tools/benchmarks/report.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/benchmarks/common.h"

namespace returnpath::bench {

void LatencySamples::Add(absl::Duration d) {
  const int64_t nanos = absl::ToInt64Nanoseconds(d);
  absl::MutexLock lock(&mu_);
  nanos_.push_back(nanos);
}

void LatencySamples::Merge(const LatencySamples& other) {
  std::vector<int64_t> copy;
  {
    absl::MutexLock lock(&other.mu_);
    copy = other.nanos_;
  }
  absl::MutexLock lock(&mu_);
  nanos_.insert(nanos_.end(), copy.begin(), copy.end());
}

uint64_t LatencySamples::count() const {
  absl::MutexLock lock(&mu_);
  return nanos_.size();
}

LatencySamples::Summary LatencySamples::Summarize() const {
  std::vector<int64_t> sorted;
  {
    absl::MutexLock lock(&mu_);
    sorted = nanos_;
  }
  Summary s;
  s.count = sorted.size();
  if (sorted.empty()) return s;
  std::sort(sorted.begin(), sorted.end());
  // Nearest rank: the smallest sample with at least q of all at or below it.
  auto at = [&](double q) {
    size_t rank = static_cast<size_t>(q * static_cast<double>(sorted.size()));
    if (rank >= sorted.size()) rank = sorted.size() - 1;
    return static_cast<double>(sorted[rank]) / 1e6;
  };
  s.p50_ms = at(0.50);
  s.p99_ms = at(0.99);
  s.p999_ms = at(0.999);
  s.max_ms = static_cast<double>(sorted.back()) / 1e6;
  double sum = 0;
  for (int64_t n : sorted) sum += static_cast<double>(n);
  s.mean_ms = sum / static_cast<double>(sorted.size()) / 1e6;
  return s;
}

SuiteReport::SuiteReport(int number, std::string title) : start_(absl::Now()) {
  suite_.set_number(number);
  suite_.set_title(std::move(title));
  suite_.set_outcome("ok");
  std::printf("== suite %d: %s\n", number, suite_.title().c_str());
  std::fflush(stdout);
}

void SuiteReport::Add(const std::string& name, double value,
                      const std::string& unit, const std::string& note) {
  AddTarget(name, value, unit, "", false, note);
}

void SuiteReport::AddTarget(const std::string& name, double value,
                            const std::string& unit, const std::string& target,
                            bool met, const std::string& note) {
  Figure* f = suite_.add_figures();
  f->set_name(name);
  f->set_value(value);
  f->set_unit(unit);
  f->set_target(target);
  if (!target.empty()) f->set_verdict(met ? "met" : "missed");
  f->set_note(note);
  std::printf("   %-46s %14.3f %-9s %s%s\n", name.c_str(), value, unit.c_str(),
              target.c_str(),
              target.empty() ? "" : (met ? "  met" : "  MISSED"));
  std::fflush(stdout);
}

void SuiteReport::AddLatency(const std::string& prefix,
                             const LatencySamples::Summary& s,
                             double p99_target_ms) {
  const std::string n = absl::StrCat(" (n=", s.count, ")");
  Add(absl::StrCat(prefix, " p50"), s.p50_ms, "ms");
  if (p99_target_ms > 0) {
    AddTarget(absl::StrCat(prefix, " p99"), s.p99_ms, "ms",
              absl::StrFormat("<= %g ms", p99_target_ms),
              s.count > 0 && s.p99_ms <= p99_target_ms, n);
  } else {
    Add(absl::StrCat(prefix, " p99"), s.p99_ms, "ms", n);
  }
  Add(absl::StrCat(prefix, " p99.9"), s.p999_ms, "ms");
  Add(absl::StrCat(prefix, " max"), s.max_ms, "ms");
}

void SuiteReport::Note(const std::string& note) {
  suite_.add_notes(note);
  std::printf("   note: %s\n", note.c_str());
  std::fflush(stdout);
}

void SuiteReport::Fail(const absl::Status& status) {
  suite_.set_outcome(absl::StrCat("failed: ", status.ToString()));
  std::printf("   FAILED: %s\n", status.ToString().c_str());
  std::fflush(stdout);
}

absl::Status SuiteReport::Write(const std::string& path) {
  suite_.set_wall_seconds(absl::ToDoubleSeconds(absl::Now() - start_));
  return WriteJsonFile(path, suite_);
}

}  // namespace returnpath::bench
