#ifndef RETURNPATH_ENGINE_DIGEST_H_
#define RETURNPATH_ENGINE_DIGEST_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace returnpath::engine {

// SHA-256(bytes), 32 raw bytes: the hash the event chain is made of, for
// whatever else must be digested the same way (token digests).
std::string Sha256(absl::string_view bytes);
// SHA-256 of `first` then `second`, without joining them.
std::string Sha256(absl::string_view first, absl::string_view second);

// HMAC-SHA-256 of `bytes` under `key`, 32 raw bytes.
std::string HmacSha256(absl::string_view key, absl::string_view bytes);

// `n` bytes from OpenSSL's random generator; aborts if it has none to give
// (a process that cannot draw secrets must not go on).
std::string RandomBytes(size_t n);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_DIGEST_H_
