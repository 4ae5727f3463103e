// bench_dataset: generates the SYNTHETIC data set the replay, timer and
// restart suites read (see dataset.h), unless --cache_dir already has it.
//
//   bench_dataset [--quick] [--cache_dir=bench/cache] [--policy_dir=...]

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "tools/benchmarks/common.h"
#include "tools/benchmarks/dataset.h"

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using namespace returnpath::bench;  // NOLINT: a small main
  const DatasetSpec spec = StandardDataset(absl::GetFlag(FLAGS_quick));
  absl::StatusOr<Dataset> dataset = EnsureDataset(spec);
  if (!dataset.ok()) {
    std::fprintf(stderr, "bench_dataset: %s\n",
                 dataset.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "dataset %s: %llu events, %llu persons, %llu armed timers, "
      "%llu open tasks, %llu refused; generated in %.0f s\n",
      dataset->name().c_str(),
      static_cast<unsigned long long>(dataset->events()),
      static_cast<unsigned long long>(dataset->persons()),
      static_cast<unsigned long long>(dataset->pending_timers()),
      static_cast<unsigned long long>(dataset->open_tasks()),
      static_cast<unsigned long long>(dataset->refused()),
      dataset->load_seconds());
  return 0;
}
