#include "engine/rpc/log.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace returnpath::engine {
namespace {

void AppendQuoted(std::string* out, absl::string_view value) {
  out->push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') out->push_back('\\');
    if (c == '\n') {
      out->append("\\n");
      continue;
    }
    out->push_back(c);
  }
  out->push_back('"');
}

constexpr std::array<absl::string_view, 4> kLevels = {"debug", "info",
                                                      "warning", "error"};

// Index into kLevels; unknown levels rank as errors, so they are never lost.
int Rank(absl::string_view level) {
  for (int i = 0; i < static_cast<int>(kLevels.size()); ++i) {
    if (kLevels[i] == level) return i;
  }
  return static_cast<int>(kLevels.size()) - 1;
}

std::atomic<int> min_rank{1};  // info

}  // namespace

absl::Status SetLogLevel(absl::string_view level) {
  for (int i = 0; i < static_cast<int>(kLevels.size()); ++i) {
    if (kLevels[i] == level) {
      min_rank.store(i);
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown log level \"", level, "\": use debug, info, warning or error"));
}

void LogLine(
    absl::string_view level, absl::string_view message,
    std::initializer_list<std::pair<absl::string_view, absl::string_view>>
        fields) {
  LogLine(level, message,
          absl::Span<const std::pair<absl::string_view, absl::string_view>>(
              fields.begin(), fields.size()));
}

void LogLine(
    absl::string_view level, absl::string_view message,
    absl::Span<const std::pair<absl::string_view, absl::string_view>> fields) {
  if (Rank(level) < min_rank.load(std::memory_order_relaxed)) return;
  std::string line =
      absl::StrCat("time=",
                   absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                    absl::UTCTimeZone()),
                   " level=", level, " msg=");
  AppendQuoted(&line, message);
  for (const auto& [key, value] : fields) {
    absl::StrAppend(&line, " ", key, "=");
    AppendQuoted(&line, value);
  }
  line.push_back('\n');
  // One write(2) per line keeps lines whole when threads log at once.
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace returnpath::engine
