#ifndef RETURNPATH_ENGINE_SERVER_PAGE_TOKEN_H_
#define RETURNPATH_ENGINE_SERVER_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"

namespace returnpath::engine {

// Page tokens on the wire are web-safe base64 of the store's raw tokens
// (which hold key bytes such as NUL), so people can copy and type them.
inline std::string EncodePageToken(absl::string_view raw) {
  return absl::WebSafeBase64Escape(raw);
}

inline absl::StatusOr<std::string> DecodePageToken(absl::string_view wire) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(wire, &raw)) {
    return absl::InvalidArgumentError(
        "page_token is not one this server gave out");
  }
  return raw;
}

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_SERVER_PAGE_TOKEN_H_
