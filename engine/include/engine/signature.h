#ifndef RETURNPATH_ENGINE_SIGNATURE_H_
#define RETURNPATH_ENGINE_SIGNATURE_H_

// Ed25519 signatures (OpenSSL, keys in PEM) over records that are checked
// away from the server, and the digest that folds a sequence of records into
// one signable value. Stateless; thread-safe.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace returnpath::engine {

struct Ed25519KeyPair {
  std::string private_key_pem;  // PKCS#8
  std::string public_key_pem;   // SubjectPublicKeyInfo
};

// A new key pair from OpenSSL's random generator.
Ed25519KeyPair GenerateEd25519Key();

// The public key of a PEM private key. INVALID_ARGUMENT saying why if it is
// not an Ed25519 private key.
absl::StatusOr<std::string> Ed25519PublicKeyOf(
    absl::string_view private_key_pem);

// The contexts the chain's signatures are made under: a checkpoint of the
// chain head, and the seal of an export (proto/returnpath/v1/export.proto).
inline constexpr char kCheckpointContext[] = "returnpath checkpoint v1";
inline constexpr char kExportContext[] = "returnpath export v1";

// What a signature covers: `context`, a zero byte, then `bytes`, so that a
// signature made for one kind of record never passes for another.
std::string SigningInput(absl::string_view context, absl::string_view bytes);

// The Ed25519 signature (64 bytes) of `message`. INVALID_ARGUMENT if the key
// is not an Ed25519 private key.
absl::StatusOr<std::string> SignEd25519(absl::string_view private_key_pem,
                                        absl::string_view message);

// OK if `signature` is the Ed25519 signature of `message` by the key;
// INVALID_ARGUMENT if the key is not an Ed25519 public key in PEM;
// DATA_LOSS if the signature does not match.
absl::Status VerifyEd25519(absl::string_view public_key_pem,
                           absl::string_view message,
                           absl::string_view signature);

// SHA-256 of the public key's DER form (32 raw bytes): names a key in what it
// signed. INVALID_ARGUMENT as VerifyEd25519.
absl::StatusOr<std::string> PublicKeyId(absl::string_view public_key_pem);

// A digest of records in order: start from RecordsDigestStart(context), then
// digest = NextRecordsDigest(digest, record) for each record. Each step
// hashes the 32-byte digest and one whole record, so boundaries cannot move.
std::string RecordsDigestStart(absl::string_view context);
std::string NextRecordsDigest(absl::string_view digest,
                              absl::string_view record);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_SIGNATURE_H_
