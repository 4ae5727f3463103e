// HmacSha256 and RandomBytes of engine/digest.h.

#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "absl/base/internal/raw_logging.h"
#include "engine/digest.h"

namespace returnpath::engine {

std::string HmacSha256(absl::string_view key, absl::string_view bytes) {
  std::string out(32, '\0');
  unsigned int length = 0;
  ABSL_RAW_CHECK(
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
           reinterpret_cast<unsigned char*>(out.data()), &length) != nullptr &&
          length == out.size(),
      "HMAC-SHA-256 failed");
  return out;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  ABSL_RAW_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                            static_cast<int>(n)) == 1,
                 "RAND_bytes failed");
  return out;
}

}  // namespace returnpath::engine
