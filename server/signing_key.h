#ifndef RETURNPATH_SERVER_SIGNING_KEY_H_
#define RETURNPATH_SERVER_SIGNING_KEY_H_

// The server's Ed25519 key, which signs checkpoints of the event log and
// exports (docs/signed-export.md). Immutable once loaded, so thread-safe.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace returnpath::engine {

class SigningKey {
 public:
  // The key in the PEM file `path`. When `path` is empty, the key in
  // `<data_dir>/signing_key.pem`, created there (mode 0600) if absent. Either
  // way it writes the public key beside the private one as
  // `<that path>.pub` for the operator to hand to auditors.
  // FAILED_PRECONDITION naming the file if it cannot be read, is not an
  // Ed25519 private key in PEM, or others than its owner may read it.
  static absl::StatusOr<std::unique_ptr<SigningKey>> LoadOrCreate(
      const std::string& path, const std::string& data_dir);

  // A key held in memory only (tests).
  static std::unique_ptr<SigningKey> Generate();

  // The Ed25519 signature (64 bytes) of `message`.
  std::string Sign(absl::string_view message) const;

  const std::string& public_key_pem() const { return public_key_pem_; }
  // SHA-256 of the public key's DER form (engine/signature.h, PublicKeyId).
  const std::string& key_id() const { return key_id_; }
  // Where the public key was written; empty for a generated key.
  const std::string& public_key_path() const { return public_key_path_; }

 private:
  SigningKey(std::string private_key_pem, std::string public_key_pem,
             std::string key_id, std::string public_key_path)
      : private_key_pem_(std::move(private_key_pem)),
        public_key_pem_(std::move(public_key_pem)),
        key_id_(std::move(key_id)),
        public_key_path_(std::move(public_key_path)) {}

  const std::string private_key_pem_;
  const std::string public_key_pem_;
  const std::string key_id_;
  const std::string public_key_path_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_SIGNING_KEY_H_
