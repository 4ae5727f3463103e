#include "server/signing_key.h"

#include <sys/stat.h>

#include <cerrno>
#include <utility>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_cat.h"
#include "engine/private_file.h"
#include "engine/read_file.h"
#include "engine/signature.h"
#include "engine/status_macros.h"
#include "server/principal_file.h"

namespace returnpath::engine {
namespace {

absl::Status Refused(const std::string& path, absl::string_view why) {
  return absl::FailedPreconditionError(
      absl::StrCat("signing key ", path, ": ", why));
}

}  // namespace

absl::StatusOr<std::unique_ptr<SigningKey>> SigningKey::LoadOrCreate(
    const std::string& path, const std::string& data_dir) {
  std::string key_path = path;
  if (key_path.empty()) {
    key_path = absl::StrCat(data_dir, "/signing_key.pem");
    struct stat st;
    if (stat(key_path.c_str(), &st) != 0 && errno == ENOENT) {
      RP_RETURN_IF_ERROR(
          WritePrivateFile(key_path, GenerateEd25519Key().private_key_pem));
    }
  }
  RP_RETURN_IF_ERROR(CheckPrivateFile(key_path, "signing key"));
  absl::StatusOr<std::string> pem = ReadFileText(key_path, "signing key");
  if (!pem.ok()) return Refused(key_path, pem.status().message());
  absl::StatusOr<std::string> public_pem = Ed25519PublicKeyOf(*pem);
  if (!public_pem.ok()) return Refused(key_path, public_pem.status().message());
  RP_ASSIGN_OR_RETURN(std::string key_id, PublicKeyId(*public_pem));
  const std::string public_path = absl::StrCat(key_path, ".pub");
  RP_RETURN_IF_ERROR(WritePrivateFile(public_path, *public_pem));
  return std::unique_ptr<SigningKey>(new SigningKey(
      *std::move(pem), *std::move(public_pem), std::move(key_id), public_path));
}

std::unique_ptr<SigningKey> SigningKey::Generate() {
  Ed25519KeyPair pair = GenerateEd25519Key();
  std::string key_id = PublicKeyId(pair.public_key_pem).value();
  return std::unique_ptr<SigningKey>(
      new SigningKey(std::move(pair.private_key_pem),
                     std::move(pair.public_key_pem), std::move(key_id), ""));
}

std::string SigningKey::Sign(absl::string_view message) const {
  absl::StatusOr<std::string> signature =
      SignEd25519(private_key_pem_, message);
  // The key was checked when it was loaded.
  ABSL_RAW_CHECK(signature.ok(), "signing with a checked key failed");
  return *std::move(signature);
}

}  // namespace returnpath::engine
