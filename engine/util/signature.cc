// Ed25519 through OpenSSL's EVP interface (engine/signature.h).

#include "engine/signature.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_cat.h"
#include "engine/digest.h"

namespace returnpath::engine {
namespace {

struct FreeKey {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct FreeBio {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct FreeMdCtx {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using Key = std::unique_ptr<EVP_PKEY, FreeKey>;
using Bio = std::unique_ptr<BIO, FreeBio>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, FreeMdCtx>;

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

absl::StatusOr<Key> ReadPem(absl::string_view pem, bool is_private) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ABSL_RAW_CHECK(bio != nullptr, "BIO_new_mem_buf failed");
  Key key(is_private
              ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
              : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  const char* what = is_private ? "private" : "public";
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("not a PEM ", what, " key"));
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", what, " key is not an Ed25519 key"));
  }
  return key;
}

std::string WritePem(EVP_PKEY* key, bool is_private) {
  Bio bio(BIO_new(BIO_s_mem()));
  ABSL_RAW_CHECK(bio != nullptr, "BIO_new failed");
  const int ok = is_private
                     ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr,
                                                nullptr, 0, nullptr, nullptr)
                     : PEM_write_bio_PUBKEY(bio.get(), key);
  ABSL_RAW_CHECK(ok == 1, "writing a PEM key failed");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

Ed25519KeyPair GenerateEd25519Key() {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  ABSL_RAW_CHECK(key != nullptr, "Ed25519 key generation failed");
  return {WritePem(key.get(), true), WritePem(key.get(), false)};
}

absl::StatusOr<std::string> Ed25519PublicKeyOf(
    absl::string_view private_key_pem) {
  absl::StatusOr<Key> key = ReadPem(private_key_pem, true);
  if (!key.ok()) return key.status();
  return WritePem(key->get(), false);
}

std::string SigningInput(absl::string_view context, absl::string_view bytes) {
  return absl::StrCat(context, absl::string_view("\0", 1), bytes);
}

absl::StatusOr<std::string> SignEd25519(absl::string_view private_key_pem,
                                        absl::string_view message) {
  absl::StatusOr<Key> key = ReadPem(private_key_pem, true);
  if (!key.ok()) return key.status();
  MdCtx ctx(EVP_MD_CTX_new());
  std::string signature(64, '\0');
  size_t length = signature.size();
  // Ed25519 hashes the message itself: no digest is named.
  ABSL_RAW_CHECK(
      ctx != nullptr &&
          EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr,
                             key->get()) == 1 &&
          EVP_DigestSign(ctx.get(),
                         reinterpret_cast<unsigned char*>(signature.data()),
                         &length, Bytes(message), message.size()) == 1,
      "Ed25519 signing failed");
  signature.resize(length);
  return signature;
}

absl::Status VerifyEd25519(absl::string_view public_key_pem,
                           absl::string_view message,
                           absl::string_view signature) {
  absl::StatusOr<Key> key = ReadPem(public_key_pem, false);
  if (!key.ok()) return key.status();
  MdCtx ctx(EVP_MD_CTX_new());
  ABSL_RAW_CHECK(
      ctx != nullptr && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr,
                                             nullptr, key->get()) == 1,
      "Ed25519 verification setup failed");
  if (EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(),
                       Bytes(message), message.size()) != 1) {
    return absl::DataLossError("the signature does not match");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> PublicKeyId(absl::string_view public_key_pem) {
  absl::StatusOr<Key> key = ReadPem(public_key_pem, false);
  if (!key.ok()) return key.status();
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key->get(), &der);
  ABSL_RAW_CHECK(length > 0, "i2d_PUBKEY failed");
  std::string id =
      Sha256(absl::string_view(reinterpret_cast<char*>(der), length));
  OPENSSL_free(der);
  return id;
}

std::string RecordsDigestStart(absl::string_view context) {
  return Sha256(context);
}

std::string NextRecordsDigest(absl::string_view digest,
                              absl::string_view record) {
  return Sha256(digest, record);
}

}  // namespace returnpath::engine
