#ifndef RETURNPATH_TOOLS_BENCHMARKS_IMPORT_FILE_H_
#define RETURNPATH_TOOLS_BENCHMARKS_IMPORT_FILE_H_

// An import file (clients/lib/backlog_file.h) of the SYNTHETIC population
// (population.h) as it stood on a day: each person's planned events before
// that day, written as the returnctl fields that build them again.

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/any.pb.h"

namespace returnpath::bench {

// One JSON line for `person`'s `event` effective at `effective`: the
// returnctl kind whose message it is, and the fields of that kind's table
// read back from the message (a kind's date, if the message has none, from
// the effective day). INVALID_ARGUMENT for a message no kind records.
absl::StatusOr<std::string> BacklogLine(const std::string& person,
                                        const google::protobuf::Any& event,
                                        absl::Time effective);

struct ImportFile {
  std::string text;  // JSON lines
  size_t persons = 0;
  size_t events = 0;
};

// `persons` persons ("IMPORT-<n>") registered over the 480 days before
// `today`, each with the events of their pathway dated before `today`.
// Household members are left out (no field of `register` reads them back).
absl::StatusOr<ImportFile> PopulationAsImportFile(size_t persons,
                                                  absl::CivilDay today);

}  // namespace returnpath::bench

#endif  // RETURNPATH_TOOLS_BENCHMARKS_IMPORT_FILE_H_
