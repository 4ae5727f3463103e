// Master keys and keyrings (engine/master_key.h).

#include "engine/master_key.h"

#include <sys/stat.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/aead.h"
#include "engine/digest.h"
#include "engine/private_file.h"
#include "engine/read_file.h"
#include "engine/status_macros.h"

namespace returnpath::engine {

std::string MasterKeyId(absl::string_view key) {
  return absl::BytesToHexString(
      Sha256("returnpath master key", key).substr(0, 8));
}

absl::StatusOr<MasterKey> MasterKeyFromText(absl::string_view text,
                                            std::string source) {
  const absl::string_view hex = absl::StripAsciiWhitespace(text);
  bool all_hex = hex.size() == 2 * kAeadKeySize;
  for (char c : hex) all_hex = all_hex && absl::ascii_isxdigit(c);
  if (!all_hex) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the master key from ", source, " is not 64 hex digits (32 bytes)"));
  }
  std::string key = absl::HexStringToBytes(hex);
  std::string id = MasterKeyId(key);
  return MasterKey{std::move(id), std::move(key), std::move(source)};
}

absl::StatusOr<MasterKey> ReadMasterKeyFile(const std::string& path) {
  RP_RETURN_IF_ERROR(CheckPrivateFile(path, "master key file"));
  absl::StatusOr<std::string> text = ReadFileText(path, "master key file");
  if (!text.ok()) return absl::FailedPreconditionError(text.status().message());
  return MasterKeyFromText(*text, absl::StrCat("file ", path));
}

absl::StatusOr<MasterKey> CreateMasterKeyFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    return absl::AlreadyExistsError(absl::StrCat(
        "will not create master key file ", path,
        ": it exists, and replacing it would lose every stream key wrapped "
        "with the key in it"));
  }
  const std::string key = RandomBytes(kAeadKeySize);
  RP_RETURN_IF_ERROR(
      WritePrivateFile(path, absl::StrCat(absl::BytesToHexString(key), "\n")));
  return MasterKey{MasterKeyId(key), key, absl::StrCat("file ", path)};
}

MasterKeyring::MasterKeyring(MasterKey current, std::vector<MasterKey> previous)
    : current_(std::move(current)), previous_(std::move(previous)) {}

const MasterKey* MasterKeyring::Find(absl::string_view id) const {
  if (current_.id == id) return &current_;
  for (const MasterKey& key : previous_) {
    if (key.id == id) return &key;
  }
  return nullptr;
}

}  // namespace returnpath::engine
