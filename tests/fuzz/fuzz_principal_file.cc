// Fuzzes the principals file as the daemon reads it at start and on every
// change (ReadPrincipalFile, then ValidatePrincipalFile), and the scope and
// name rules on their own. A refusal is INVALID_ARGUMENT.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "server/principal_file.h"

namespace engine = returnpath::engine;

namespace {

const std::string& FilePath() {
  static const std::string* path = [] {
    std::string dir = "/tmp/rp_fuzz_principal_file.XXXXXX";
    if (::mkdtemp(dir.data()) == nullptr) std::abort();
    return new std::string(dir + "/principals.textproto");
  }();
  return *path;
}

void RequireInvalidArgumentOrOk(const absl::Status& status) {
  if (!status.ok() && !absl::IsInvalidArgument(status)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  RequireInvalidArgumentOrOk(engine::ValidateScope(text));
  RequireInvalidArgumentOrOk(engine::ValidatePrincipalName(text));

  std::ofstream(FilePath(), std::ios::trunc | std::ios::binary)
      .write(text.data(), static_cast<std::streamsize>(text.size()));
  auto file = engine::ReadPrincipalFile(FilePath());
  if (!file.ok()) {
    RequireInvalidArgumentOrOk(file.status());
    return 0;
  }
  RequireInvalidArgumentOrOk(engine::ValidatePrincipalFile(*file));
  return 0;
}
