#ifndef RETURNPATH_CLIENTS_RETURNCTL_OUTPUT_H_
#define RETURNPATH_CLIENTS_RETURNCTL_OUTPUT_H_

// Human output: aligned tables, money, a progress bar; and protobuf JSON for
// scripts (--json), one message per line.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace returnpath::returnctl {

// Columns padded to their widest cell; the last column is never padded.
// Thread-compatible.
class Table {
 public:
  explicit Table(std::vector<std::string> headers)
      : headers_(std::move(headers)) {}
  void AddRow(std::vector<std::string> cells) {
    rows_.push_back(std::move(cells));
  }
  bool empty() const { return rows_.empty(); }
  size_t size() const { return rows_.size(); }
  void Print(std::ostream& out, const std::string& indent = "") const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// How to get the next page: "; more: --page-token 'T' (or --all)", or only
// --all when the daemon's token cannot be typed.
std::string MorePages(const std::string& token);

// "NOK 20,000".
std::string Money(int64_t nok);

// One line of protobuf JSON (snake_case names, Any payloads expanded).
// INTERNAL if a payload's type is not linked in.
absl::Status PrintJson(const google::protobuf::Message& message,
                       std::ostream& out);

// Progress of a long operation on stderr: a bar redrawn in place when stderr
// is a terminal, otherwise a plain line at every 10 percent. Not thread-safe.
class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();  // ends the bar's line
  void Update(uint64_t done, uint64_t total);

 private:
  const std::string label_;
  const bool tty_;
  int last_percent_ = -1;
  bool drawn_ = false;
};

}  // namespace returnpath::returnctl

#endif  // RETURNPATH_CLIENTS_RETURNCTL_OUTPUT_H_
