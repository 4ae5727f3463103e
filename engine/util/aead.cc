// AES-256-GCM through OpenSSL's EVP interface (engine/aead.h).

#include "engine/aead.h"

#include <openssl/evp.h>

#include <memory>

#include "absl/base/internal/raw_logging.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/digest.h"

namespace returnpath::engine {
namespace {

struct FreeCipherCtx {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, FreeCipherCtx>;

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* Bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

absl::Status CheckKey(absl::string_view key) {
  if (key.size() != kAeadKeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("an AES-256-GCM key is 32 bytes, not ", key.size()));
  }
  return absl::OkStatus();
}

CipherCtx NewContext(absl::string_view key, absl::string_view nonce,
                     bool seal) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  ABSL_RAW_CHECK(
      ctx != nullptr &&
          EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key),
                            Bytes(nonce), seal ? 1 : 0) == 1,
      "AES-256-GCM setup failed");
  return ctx;
}

}  // namespace

absl::StatusOr<std::string> AeadSeal(absl::string_view key,
                                     absl::string_view plaintext,
                                     absl::string_view aad) {
  if (absl::Status status = CheckKey(key); !status.ok()) return status;
  std::string sealed = RandomBytes(kAeadNonceSize);
  sealed.resize(kAeadOverhead + plaintext.size());
  CipherCtx ctx =
      NewContext(key, absl::string_view(sealed.data(), kAeadNonceSize), true);
  unsigned char* out = Bytes(sealed) + kAeadNonceSize;
  int length = 0;
  int final_length = 0;
  ABSL_RAW_CHECK(
      EVP_EncryptUpdate(ctx.get(), nullptr, &length, Bytes(aad),
                        static_cast<int>(aad.size())) == 1 &&
          EVP_EncryptUpdate(ctx.get(), out, &length, Bytes(plaintext),
                            static_cast<int>(plaintext.size())) == 1 &&
          EVP_EncryptFinal_ex(ctx.get(), out + length, &final_length) == 1 &&
          static_cast<size_t>(length + final_length) == plaintext.size() &&
          EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAeadTagSize,
                              out + plaintext.size()) == 1,
      "AES-256-GCM sealing failed");
  return sealed;
}

absl::StatusOr<std::string> AeadOpen(absl::string_view key,
                                     absl::string_view sealed,
                                     absl::string_view aad) {
  if (absl::Status status = CheckKey(key); !status.ok()) return status;
  if (sealed.size() < kAeadOverhead) {
    return absl::DataLossError(absl::StrCat(
        "sealed bytes do not open: ", sealed.size(),
        " bytes are fewer than the nonce and tag alone (", kAeadOverhead, ")"));
  }
  const absl::string_view nonce = sealed.substr(0, kAeadNonceSize);
  const absl::string_view ciphertext =
      sealed.substr(kAeadNonceSize, sealed.size() - kAeadOverhead);
  std::string tag(sealed.substr(sealed.size() - kAeadTagSize));
  CipherCtx ctx = NewContext(key, nonce, false);
  std::string plaintext(ciphertext.size(), '\0');
  int length = 0;
  int final_length = 0;
  ABSL_RAW_CHECK(
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, Bytes(aad),
                        static_cast<int>(aad.size())) == 1 &&
          EVP_DecryptUpdate(ctx.get(), Bytes(plaintext), &length,
                            Bytes(ciphertext),
                            static_cast<int>(ciphertext.size())) == 1 &&
          EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAeadTagSize,
                              tag.data()) == 1,
      "AES-256-GCM opening failed");
  if (EVP_DecryptFinal_ex(ctx.get(), Bytes(plaintext) + length,
                          &final_length) != 1) {
    return absl::DataLossError(
        "sealed bytes do not open: the tag does not match (another key, "
        "other associated data, or changed bytes)");
  }
  return plaintext;
}

}  // namespace returnpath::engine
