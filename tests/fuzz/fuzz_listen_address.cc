// Fuzzes the --listen address parser and the loopback rule built on it.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "engine/rpc/listen_address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = returnpath::engine::ParseListenAddress(text);
  const bool loopback = returnpath::engine::IsLoopback(text);
  // Only an address that parses can be loopback (fail closed).
  if (loopback && !parsed.ok()) std::abort();
  if (parsed.ok() && !parsed->unix_socket &&
      (parsed->port < 0 || parsed->port > 65535)) {
    std::abort();
  }
  return 0;
}
