#ifndef RETURNPATH_ENGINE_AEAD_H_
#define RETURNPATH_ENGINE_AEAD_H_

// AES-256-GCM (OpenSSL EVP): bytes sealed under a 32-byte key so that they
// cannot be read without it and any change to them, or to the associated
// data they were sealed with, is found. Stateless; thread-safe.

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace returnpath::engine {

inline constexpr size_t kAeadKeySize = 32;
inline constexpr size_t kAeadNonceSize = 12;
inline constexpr size_t kAeadTagSize = 16;
// What sealing adds to the plaintext: the nonce before it, the tag after.
inline constexpr size_t kAeadOverhead = kAeadNonceSize + kAeadTagSize;

// nonce (12 random bytes) || ciphertext || tag (16 bytes). `aad` is not in
// the result but must be given again to open it. INVALID_ARGUMENT if the key
// is not 32 bytes.
absl::StatusOr<std::string> AeadSeal(absl::string_view key,
                                     absl::string_view plaintext,
                                     absl::string_view aad);

// The plaintext of AeadSeal's result. INVALID_ARGUMENT if the key is not 32
// bytes; DATA_LOSS "sealed bytes do not open: ..." if `sealed` is too short
// or its tag fails (another key, another aad, a changed byte).
absl::StatusOr<std::string> AeadOpen(absl::string_view key,
                                     absl::string_view sealed,
                                     absl::string_view aad);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_AEAD_H_
