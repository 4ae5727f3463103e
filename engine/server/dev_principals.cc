#include "engine/server/dev_principals.h"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/server/auth.h"
#include "google/protobuf/text_format.h"
#include "returnpath/v1/auth.pb.h"

namespace returnpath::engine {
namespace {

struct DevRole {
  const char* name;
  v1::Role role;
};

constexpr DevRole kDevRoles[] = {
    {"reception", v1::ROLE_RECEPTION}, {"adviser", v1::ROLE_ADVISER},
    {"police", v1::ROLE_POLICE},       {"auditor", v1::ROLE_AUDITOR},
    {"admin", v1::ROLE_ADMIN},
};

absl::StatusOr<std::string> RandomToken() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError("cannot draw random bytes for a token");
  }
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

absl::Status WritePrivate(const std::filesystem::path& path,
                          const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out)
    return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  ::chmod(path.c_str(), 0600);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> EnsureDevPrincipals(
    const std::string& dir,
    const std::vector<std::string>& police_event_types) {
  const std::filesystem::path file =
      std::filesystem::path(dir) / "principals.textproto";
  if (std::filesystem::exists(file)) return file.string();
  const std::filesystem::path tokens = std::filesystem::path(dir) / "tokens";
  std::error_code error;
  std::filesystem::create_directories(tokens, error);
  if (error)
    return absl::InternalError(absl::StrCat("cannot create ", tokens.string()));
  v1::PrincipalFile principals;
  for (const DevRole& dev : kDevRoles) {
    absl::StatusOr<std::string> token = RandomToken();
    if (!token.ok()) return token.status();
    v1::PrincipalEntry* entry = principals.add_principal();
    entry->set_name(dev.name);
    entry->set_role(dev.role);
    entry->set_token_sha256(Sha256Hex(*token));
    entry->add_scopes("*");
    if (dev.role == v1::ROLE_POLICE) {
      for (const std::string& type : police_event_types)
        entry->add_allowed_event_types(type);
    }
    absl::Status written =
        WritePrivate(tokens / absl::StrCat(dev.name, ".token"), *token);
    if (!written.ok()) return written;
  }
  std::string text;
  google::protobuf::TextFormat::PrintToString(principals, &text);
  absl::Status written =
      WritePrivate(file, absl::StrCat("# Development principals for a loopback "
                                      "daemon; tokens in tokens/.\n",
                                      text));
  if (!written.ok()) return written;
  return file.string();
}

}  // namespace returnpath::engine
