#ifndef RETURNPATH_TOOLS_RETURNPATHD_CONFIG_FILE_H_
#define RETURNPATH_TOOLS_RETURNPATHD_CONFIG_FILE_H_

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace returnpath::tools {

// The flags named on a command line (`--name=value`, `--name value`,
// `--name`, `--noname`), before Abseil parses it.
std::set<std::string> FlagsOnCommandLine(int argc, char** argv);

// Sets each flag that the DaemonConfig textproto in `path`
// (proto/returnpath/v1/daemon_config.proto) gives a value, unless it is in
// `given` (the command line wins). INVALID_ARGUMENT naming the file's line
// for text that does not parse, and the field for a value its flag refuses;
// NOT_FOUND for a file that cannot be read.
absl::Status ApplyConfigFile(const std::string& path,
                             const std::set<std::string>& given);
// The same for the file's `text`, read from `path` (named in errors).
absl::Status ApplyConfigText(absl::string_view text, const std::string& path,
                             const std::set<std::string>& given);

}  // namespace returnpath::tools

#endif  // RETURNPATH_TOOLS_RETURNPATHD_CONFIG_FILE_H_
