// bench_dataset: generates the SYNTHETIC data set the replay, timer and
// restart suites read (see dataset.h), unless --cache_dir already has it.
//
//   bench_dataset [--quick] [--cache_dir=bench/cache] [--policy_dir=...]
//   bench_dataset --write_cost [--quick]   what each kind of append writes
//                                          (a fresh generation, not cached)

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "tools/benchmarks/common.h"
#include "tools/benchmarks/dataset.h"

ABSL_FLAG(bool, write_cost, false,
          "generate the data set afresh in --work_dir and print the keys and "
          "bytes each kind of append writes");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using namespace returnpath::bench;  // NOLINT: a small main
  const DatasetSpec spec = StandardDataset(absl::GetFlag(FLAGS_quick));
  if (absl::GetFlag(FLAGS_write_cost)) {
    absl::StatusOr<std::string> table = MeasureWriteCost(spec);
    if (!table.ok()) {
      std::fprintf(stderr, "bench_dataset: %s\n",
                   table.status().ToString().c_str());
      return 1;
    }
    std::printf("%s", table->c_str());
    return 0;
  }
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
