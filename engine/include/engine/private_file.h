#ifndef RETURNPATH_ENGINE_PRIVATE_FILE_H_
#define RETURNPATH_ENGINE_PRIVATE_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace returnpath::engine {

// Replaces `path` with `text` so that a crash leaves the old or the new file,
// never half of one: a private (0600) temporary file beside it, fsync, rename,
// fsync of the directory. FAILED_PRECONDITION saying why when it cannot.
absl::Status WritePrivateFile(const std::string& path, absl::string_view text);

// OK if only the owner of `path` may read or write it. FAILED_PRECONDITION
// "<what> <path>: ..." when it cannot be read or others may (a secret others
// may read is no longer a secret).
absl::Status CheckPrivateFile(const std::string& path, absl::string_view what);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_PRIVATE_FILE_H_
