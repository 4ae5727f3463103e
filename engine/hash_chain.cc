#include "engine/hash_chain.h"

#include <openssl/evp.h>

#include <memory>

#include "absl/base/internal/raw_logging.h"

namespace returnpath::engine {
namespace {

struct CtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

const std::string& GenesisHash() {
  static const auto* const kGenesis = new std::string(kHashSize, '\0');
  return *kGenesis;
}

std::string ChainHash(absl::string_view previous_hash,
                      absl::string_view envelope_bytes) {
  // One context per thread: the sequencer and verifiers hash in tight loops.
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // A failure here is OpenSSL being unusable, not bad input.
  ABSL_RAW_CHECK(ctx != nullptr, "EVP_MD_CTX_new failed");
  ABSL_RAW_CHECK(EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1 &&
                     EVP_DigestUpdate(ctx.get(), previous_hash.data(),
                                      previous_hash.size()) == 1 &&
                     EVP_DigestUpdate(ctx.get(), envelope_bytes.data(),
                                      envelope_bytes.size()) == 1 &&
                     EVP_DigestFinal_ex(ctx.get(), digest, &size) == 1,
                 "SHA-256 failed");
  ABSL_RAW_CHECK(size == kHashSize, "SHA-256 digest has the wrong size");
  return std::string(reinterpret_cast<const char*>(digest), size);
}

}  // namespace returnpath::engine
