#include "server/dev_principals.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "engine/private_file.h"
#include "engine/rpc/listen_address.h"
#include "returnpath/v1/auth.pb.h"
#include "server/auth.h"
#include "server/principal_file.h"

namespace returnpath::engine {
namespace {

struct DevRole {
  const char* name;
  v1::Role role;
  std::vector<const char*> scopes;
};

// Realistic scopes, so that a development daemon refuses what a real one
// would.
const std::vector<DevRole>& DevRoles() {
  static const auto* roles = new std::vector<DevRole>{
      {"reception",
       v1::ROLE_RECEPTION,
       {"centre/Oslo-1", "queue/reception/Oslo-1"}},
      {"adviser", v1::ROLE_ADVISER, {"queue/advisers/Oslo-1", "centre/Oslo-1"}},
      {"police", v1::ROLE_POLICE, {"queue/police/pu", "region/OSLO"}},
      {"auditor", v1::ROLE_AUDITOR, {"*"}},
      {"admin", v1::ROLE_ADMIN, {}},
  };
  return *roles;
}

}  // namespace

absl::StatusOr<std::string> ChoosePrincipalsFile(const PrincipalsFlags& flags) {
  if (!flags.principals_file.empty()) {
    if (flags.dev_principals) {
      return absl::FailedPreconditionError(
          "give --principals=FILE or --dev_principals, not both");
    }
    return flags.principals_file;
  }
  if (!flags.dev_principals) {
    return absl::FailedPreconditionError(
        "no principals: give --principals=FILE (who may call, see "
        "proto/returnpath/v1/auth.proto), or --dev_principals for a "
        "development daemon on a loopback address");
  }
  if (!IsLoopback(flags.listen)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--dev_principals works only on a loopback address (127.0.0.1, [::1], "
        "localhost, unix:), not on ",
        flags.listen.substr(0, 256), ": give --principals=FILE"));
  }
  return EnsureDevPrincipals(flags.data_dir);
}

absl::StatusOr<std::string> EnsureDevPrincipals(const std::string& dir) {
  const std::filesystem::path file =
      std::filesystem::path(dir) / "principals.textproto";
  if (std::filesystem::exists(file)) return file.string();
  std::vector<v1::PrincipalEntry> entries;
  for (const DevRole& dev : DevRoles()) {
    v1::PrincipalEntry& entry = entries.emplace_back();
    entry.set_name(dev.name);
    entry.set_role(dev.role);
    for (const char* scope : dev.scopes) entry.add_scopes(scope);
  }
  absl::Status written = WritePrincipalsWithTokens(
      std::move(entries), file.string(),
      (std::filesystem::path(dir) / "tokens").string(),
      "# Development principals for a loopback daemon; tokens in tokens/.\n");
  if (!written.ok()) return written;
  return file.string();
}

absl::Status WritePrincipalsWithTokens(std::vector<v1::PrincipalEntry> entries,
                                       const std::string& path,
                                       const std::string& tokens_dir,
                                       absl::string_view header_comment) {
  std::error_code error;
  std::filesystem::create_directories(tokens_dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", tokens_dir, ": ", error.message()));
  }
  v1::PrincipalFile file;
  for (v1::PrincipalEntry& entry : entries) {
    if (entry.token_sha256().empty() && entry.cert_subject().empty()) {
      absl::StatusOr<std::string> token = NewBearerToken();
      if (!token.ok()) return token.status();
      entry.set_token_sha256(Sha256Hex(*token));
      absl::Status written = WritePrivateFile(
          absl::StrCat(tokens_dir, "/", entry.name(), ".token"), *token);
      if (!written.ok()) return written;
    }
    *file.add_principal() = std::move(entry);
  }
  return WritePrincipalFile(path, file, header_comment);
}

}  // namespace returnpath::engine
