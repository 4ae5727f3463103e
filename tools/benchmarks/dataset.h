#ifndef RETURNPATH_TOOLS_BENCHMARKS_DATASET_H_
#define RETURNPATH_TOOLS_BENCHMARKS_DATASET_H_

// The large stores suites 5, 6 and 8 read: a SYNTHETIC population recorded
// day by day through the engine's full write path (the real workflow, its
// state, indexes, timers and tasks, and a timer loop that fires what falls
// due as the days pass), with sync=false because the load is not what is
// measured. Generated once into --cache_dir and reused across suites and
// runs; suites work on hard-linked copies, never on the cache itself.
//
// The cache keeps two versions sharing their table files: as-left/store, the
// store exactly as the engine closed it (with the write-ahead log it kept),
// and data/store, a copy whose log was replayed and flushed.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "tools/benchmarks/bench_results.pb.h"

namespace returnpath::bench {

struct DatasetSpec {
  std::string name;  // the cache subdirectory
  uint64_t min_events = 0;
  uint64_t min_pending_timers = 0;
  // Persons arrive from first_day; last_day is the data set's "today".
  absl::CivilDay first_day;
  absl::CivilDay last_day;
  // Persons arriving per day in the history (the surge comes on top).
  int arrivals_per_day = 100;
};

// The full-size (20M events, 10M timers) or, with --quick, the small spec.
DatasetSpec StandardDataset(bool quick);

// The store directory of a data set: <cache>/<name>/data/store, laid out as
// returnpathd's --data_dir expects (<data>/store).
std::string DatasetDataDir(const DatasetSpec& spec);

// as-left/store: see the file comment.
std::string DatasetAsLeftStore(const DatasetSpec& spec);

// Reads the manifest; FAILED_PRECONDITION if the data set was not generated.
absl::StatusOr<Dataset> LoadDataset(const DatasetSpec& spec);

// The data set's clock when generation ended (its "today").
absl::StatusOr<absl::Time> DatasetNow(const Dataset& dataset);

// The commit and the trees of engine/ and workflows/ in the checkout, with
// the number of uncommitted changes under them, e.g.
// "f7c802b engine:1a2b3c4d workflows:5e6f7a8b uncommitted:3".
std::string CodeVersion();

// A note for a suite's report if the data set was recorded by other code.
std::string CodeVersionNote(const Dataset& dataset);

// Generates the data set unless the cache has it. Prints progress.
absl::StatusOr<Dataset> EnsureDataset(const DatasetSpec& spec);

// Generates `spec` afresh in a scratch directory under --work_dir (the cache
// is not touched) and returns what its appends wrote, by kind, as a table
// (WriteCostTally::Report), and what its stored states hold
// (StateSizeReport).
absl::StatusOr<std::string> MeasureWriteCost(const DatasetSpec& spec);

}  // namespace returnpath::bench

#endif  // RETURNPATH_TOOLS_BENCHMARKS_DATASET_H_
