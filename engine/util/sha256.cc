// Sha256 of engine/digest.h.

#include <openssl/evp.h>

#include <initializer_list>
#include <memory>

#include "absl/base/internal/raw_logging.h"
#include "engine/digest.h"

namespace returnpath::engine {
namespace {

struct CtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// SHA-256 of the parts, one after the other.
std::string Digest(std::initializer_list<absl::string_view> parts) {
  // One context per thread: the sequencer and verifiers hash in tight loops.
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // A failure here is OpenSSL being unusable, not bad input.
  ABSL_RAW_CHECK(ctx != nullptr, "EVP_MD_CTX_new failed");
  bool ok = EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1;
  for (absl::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx.get(), digest, &size) == 1;
  ABSL_RAW_CHECK(ok, "SHA-256 failed");
  ABSL_RAW_CHECK(size == 32, "SHA-256 digest has the wrong size");
  return std::string(reinterpret_cast<const char*>(digest), size);
}

}  // namespace

std::string Sha256(absl::string_view bytes) { return Digest({bytes}); }

std::string Sha256(absl::string_view first, absl::string_view second) {
  return Digest({first, second});
}

}  // namespace returnpath::engine
