#ifndef RETURNPATH_CLIENTS_LIB_BACKLOG_FILE_H_
#define RETURNPATH_CLIENTS_LIB_BACKLOG_FILE_H_

// An import file: persons' backlogs, one event per line, read and checked
// whole before anything is sent (AdminService.Import).
//
// JSON lines (.jsonl), one object per line:
//   {"person":"P-1","event":"final-rejection","fields":{"notified":"2012-09-03"}}
//   {"person":"P-1","event":"departure","effective":"2012-10-15T10:00:00+02:00",
//    "fields":{"kind":"forced"}}
// CSV (.csv): a header naming the columns `person`, `event`, optionally
// `effective`, and one column per field used (an empty cell: not given):
//   person,event,effective,notified,kind
//   P-1,final-rejection,,2012-09-03,
//   P-1,departure,2012-10-15T10:00:00+02:00,,forced
// `event` is a returnctl event kind (`register`, `final-rejection`, ...; see
// `returnctl --help`), the fields are that command's options without the
// dashes, read exactly as returnctl reads them (event_kinds.h). A switch is
// JSON true (CSV: true/yes/1); a repeated option is a JSON array (CSV: values
// separated by `|`). `effective` is a date (00:00 Oslo) or an RFC 3339 time;
// it may be left out for a kind with a date of its own (notified, lodged,
// waived), which then gives it. Each person needs one `register` line, the
// earliest by effective time; lines may come in any order. Corrections and
// retractions name stored positions and cannot be imported. Blank lines and,
// in JSON lines, lines starting with `#` are skipped.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "returnpath/v1/services.pb.h"

namespace returnpath::client {

enum class BacklogFormat { kJsonLines, kCsv };

// `format` ("jsonl", "csv") if given, else by the file name's extension
// (.jsonl, .ndjson, .json: JSON lines; .csv). INVALID_ARGUMENT otherwise.
absl::StatusOr<BacklogFormat> BacklogFormatOf(absl::string_view file_name,
                                              absl::string_view format);

struct BacklogError {
  size_t line = 0;  // 1-based; 0 for the file as a whole
  std::string message;
};

struct Backlog {
  // In the order of each person's first line; each event names its line.
  std::vector<v1::PersonBacklog> persons;
  size_t events = 0;
  // Every problem found, in line order. Nothing may be sent unless empty.
  std::vector<BacklogError> errors;
};

// Reads and checks the whole text.
Backlog ReadBacklog(absl::string_view text, BacklogFormat format);

}  // namespace returnpath::client

#endif  // RETURNPATH_CLIENTS_LIB_BACKLOG_FILE_H_
