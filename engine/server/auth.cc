#include "engine/server/auth.h"

#include <openssl/evp.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/text_format.h"

namespace returnpath::engine {

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::FromFile(
    const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return absl::NotFoundError(
        absl::StrCat("cannot read principals file ", path));
  std::stringstream text;
  text << in.rdbuf();
  v1::PrincipalFile file;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), &file)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "principals file ", path, " is not a valid PrincipalFile textproto"));
  }
  return FromProto(file);
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::FromProto(
    const v1::PrincipalFile& file) {
  std::unique_ptr<Authenticator> auth(new Authenticator());
  for (int i = 0; i < file.principal_size(); ++i) {
    const v1::PrincipalEntry& entry = file.principal(i);
    const std::string where =
        absl::StrCat("principal[", i, "] (", entry.name(), ")");
    if (entry.name().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": name is required"));
    }
    if (entry.role() == v1::ROLE_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": role is required"));
    }
    if (entry.token_sha256().empty() && entry.cert_subject().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": needs token_sha256 or cert_subject"));
    }
    Principal principal{entry.name(),
                        entry.role(),
                        {entry.scopes().begin(), entry.scopes().end()},
                        {entry.allowed_event_types().begin(),
                         entry.allowed_event_types().end()}};
    if (!entry.token_sha256().empty() &&
        !auth->by_token_digest_.emplace(entry.token_sha256(), principal)
             .second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": token used twice"));
    }
    if (!entry.cert_subject().empty() &&
        !auth->by_cert_subject_.emplace(entry.cert_subject(), principal)
             .second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": cert_subject used twice"));
    }
  }
  return auth;
}

absl::StatusOr<Principal> Authenticator::ByToken(
    absl::string_view token) const {
  auto it = by_token_digest_.find(Sha256Hex(token));
  if (token.empty() || it == by_token_digest_.end()) {
    return absl::UnauthenticatedError("unknown or missing bearer token");
  }
  return it->second;
}

absl::StatusOr<Principal> Authenticator::ByCertSubject(
    absl::string_view subject) const {
  auto it = by_cert_subject_.find(subject);
  if (it == by_cert_subject_.end()) {
    return absl::UnauthenticatedError(
        absl::StrCat("no principal for client certificate ", subject));
  }
  return it->second;
}

bool ScopeCovers(const Principal& principal, absl::string_view key) {
  for (const std::string& scope : principal.scopes) {
    if (scope == "*" || scope == key) return true;
    if (absl::EndsWith(scope, "/*") &&
        absl::StartsWith(
            key, absl::string_view(scope).substr(0, scope.size() - 1))) {
      return true;
    }
  }
  return false;
}

absl::Status RequireRole(const Principal& principal,
                         std::initializer_list<v1::Role> roles,
                         absl::string_view action) {
  for (v1::Role role : roles) {
    if (principal.role == role) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(principal.name, " (",
                                                  v1::Role_Name(principal.role),
                                                  ") may not ", action));
}

absl::Status RequireScope(const Principal& principal,
                          const std::vector<std::string>& keys,
                          absl::string_view action) {
  for (const std::string& key : keys) {
    if (ScopeCovers(principal, key)) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      principal.name, " may not ", action, ": outside their scope (",
      absl::StrJoin(principal.scopes, ", "), ")"));
}

}  // namespace returnpath::engine
