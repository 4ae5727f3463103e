// Fuzzes returnpathd's --config file as the daemon reads it: the DaemonConfig
// textproto parsed, and each field it sets handed to the flag of that name
// (tools/returnpathd/config_file.h), with the daemon's own flags linked in. A
// refusal is INVALID_ARGUMENT; INTERNAL would be a field that names no flag.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "tools/returnpathd/config_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const absl::Status applied = returnpath::tools::ApplyConfigText(
      text, "returnpathd.textproto", std::set<std::string>());
  if (!applied.ok() && !absl::IsInvalidArgument(applied)) std::abort();
  return 0;
}
