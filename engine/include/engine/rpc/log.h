#ifndef RETURNPATH_ENGINE_RPC_LOG_H_
#define RETURNPATH_ENGINE_RPC_LOG_H_

#include <initializer_list>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace returnpath::engine {

// Lines below `level` (debug, info, warning, error; at start: info) are
// dropped. INVALID_ARGUMENT for another word.
absl::Status SetLogLevel(absl::string_view level);

// One structured line to stderr: `time=... level=... msg="..." key="value"`,
// unless `level` is below SetLogLevel's. Thread-safe (one write per line).
void LogLine(
    absl::string_view level, absl::string_view message,
    std::initializer_list<std::pair<absl::string_view, absl::string_view>>
        fields = {});
// The same, for fields known only at run time.
void LogLine(
    absl::string_view level, absl::string_view message,
    absl::Span<const std::pair<absl::string_view, absl::string_view>> fields);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_RPC_LOG_H_
