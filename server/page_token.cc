#include "server/page_token.h"

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/digest.h"

namespace returnpath::engine {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
// What is sealed: the raw token's length (2 bytes, big-endian), the raw token,
// and zeros up to a multiple of kPaddedBytes. Every raw token the store makes
// fits in one block, so a token's length says nothing of the key it stands on.
constexpr size_t kLengthBytes = 2;
constexpr size_t kPaddedBytes = 512;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

absl::Status NotOurs() {
  return absl::InvalidArgumentError(
      "page_token is not one this server gave out");
}

unsigned char* Bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}
const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string Padded(absl::string_view raw) {
  ABSL_RAW_CHECK(raw.size() <= 0xffff, "raw page token over 64 KiB");
  std::string plain;
  plain.push_back(static_cast<char>(raw.size() >> 8));
  plain.push_back(static_cast<char>(raw.size() & 0xff));
  plain.append(raw.data(), raw.size());
  const size_t blocks = (plain.size() + kPaddedBytes - 1) / kPaddedBytes;
  plain.resize(blocks * kPaddedBytes, '\0');
  return plain;
}

// The raw token inside a padded plaintext; nullopt if it does not fit.
std::optional<std::string> Unpadded(absl::string_view plain) {
  if (plain.size() < kLengthBytes) return std::nullopt;
  const size_t length = (static_cast<unsigned char>(plain[0]) << 8) |
                        static_cast<unsigned char>(plain[1]);
  if (kLengthBytes + length > plain.size()) return std::nullopt;
  return std::string(plain.substr(kLengthBytes, length));
}

}  // namespace

const PageTokens& PageTokens::ForProcess() {
  static const PageTokens* tokens = new PageTokens(RandomBytes(kKeyBytes));
  return *tokens;
}

PageTokens::PageTokens(std::string key) : key_(std::move(key)) {
  ABSL_RAW_CHECK(key_.size() == kKeyBytes, "page token key must be 32 bytes");
}

// Layout before base64: nonce (12) | ciphertext of Padded(raw) | tag (16).
std::string PageTokens::Seal(absl::string_view raw_token,
                             absl::string_view binding) const {
  if (raw_token.empty()) return "";
  const std::string plain = Padded(raw_token);
  std::string sealed = RandomBytes(kNonceBytes);
  sealed.resize(kNonceBytes + plain.size() + kTagBytes);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  const bool ok =
      ctx != nullptr &&
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_),
                         Bytes(sealed)) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, Bytes(binding),
                        static_cast<int>(binding.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), Bytes(sealed) + kNonceBytes, &n,
                        Bytes(plain), static_cast<int>(plain.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), Bytes(sealed) + kNonceBytes + n, &n) ==
          1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          Bytes(sealed) + kNonceBytes + plain.size()) == 1;
  ABSL_RAW_CHECK(ok, "AES-256-GCM sealing failed");
  return absl::WebSafeBase64Escape(sealed);
}

absl::StatusOr<std::string> PageTokens::Open(absl::string_view wire,
                                             absl::string_view binding) const {
  if (wire.empty()) return std::string();
  std::string sealed;
  if (!absl::WebSafeBase64Unescape(wire, &sealed) ||
      sealed.size() <= kNonceBytes + kTagBytes) {
    return NotOurs();
  }
  const size_t length = sealed.size() - kNonceBytes - kTagBytes;
  std::string plain(length, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  const bool ok =
      ctx != nullptr &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_),
                         Bytes(sealed)) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, Bytes(binding),
                        static_cast<int>(binding.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), Bytes(plain), &n,
                        Bytes(sealed) + kNonceBytes,
                        static_cast<int>(length)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                          Bytes(sealed) + kNonceBytes + length) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), Bytes(plain) + n, &n) == 1;
  std::optional<std::string> raw = ok ? Unpadded(plain) : std::nullopt;
  if (!raw.has_value()) return NotOurs();
  return *std::move(raw);
}

std::string PageTokenBinding(std::initializer_list<absl::string_view> parts) {
  std::string binding;
  for (absl::string_view part : parts) {
    absl::StrAppend(&binding, part.size(), ":", part, ";");
  }
  return binding;
}

}  // namespace returnpath::engine
