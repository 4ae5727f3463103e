#include "server/auth.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "engine/digest.h"
#include "server/principal_file.h"

namespace returnpath::engine {

std::string Sha256Hex(absl::string_view data) {
  return absl::BytesToHexString(Sha256(data));
}

struct Authenticator::Entry {
  Principal principal;
  absl::Time expires;
};

struct Authenticator::Snapshot {
  absl::flat_hash_map<std::string, Entry> by_token_digest;
  absl::flat_hash_map<std::string, Entry> by_cert_subject;
  absl::flat_hash_map<std::string, Entry> by_name;
};

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::FromFile(
    const std::string& path, Clock* clock) {
  absl::StatusOr<v1::PrincipalFile> file = ReadPrincipalFile(path);
  if (!file.ok()) return file.status();
  return FromProto(*file, clock);
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::FromProto(
    const v1::PrincipalFile& file, Clock* clock) {
  std::unique_ptr<Authenticator> auth(new Authenticator(clock));
  absl::Status loaded = auth->Replace(file);
  if (!loaded.ok()) return loaded;
  return auth;
}

std::shared_ptr<const Authenticator::Snapshot> Authenticator::Current() const {
  absl::MutexLock lock(&mu_);
  return snapshot_;
}

absl::Status Authenticator::Replace(const v1::PrincipalFile& file) {
  absl::Status valid = ValidatePrincipalFile(file);
  if (!valid.ok()) return valid;
  auto snapshot = std::make_shared<Snapshot>();
  for (const v1::PrincipalEntry& entry : file.principal()) {
    Entry value{{entry.name(),
                 entry.role(),
                 {entry.scopes().begin(), entry.scopes().end()},
                 {entry.allowed_event_types().begin(),
                  entry.allowed_event_types().end()},
                 /*purpose=*/""},
                entry.has_expires()
                    ? absl::FromUnixSeconds(entry.expires().seconds()) +
                          absl::Nanoseconds(entry.expires().nanos())
                    : absl::InfiniteFuture()};
    if (!entry.token_sha256().empty())
      snapshot->by_token_digest.emplace(entry.token_sha256(), value);
    if (!entry.cert_subject().empty())
      snapshot->by_cert_subject.emplace(entry.cert_subject(), value);
    snapshot->by_name.emplace(entry.name(), value);
  }
  absl::MutexLock lock(&mu_);
  snapshot_ = std::move(snapshot);
  return absl::OkStatus();
}

absl::StatusOr<Principal> Authenticator::Admit(
    const Entry* entry, absl::string_view refusal) const {
  // Unknown, revoked and expired read alike: no oracle for principal names.
  if (entry == nullptr || clock_->Now() >= entry->expires) {
    return absl::UnauthenticatedError(refusal);
  }
  return entry->principal;
}

absl::StatusOr<Principal> Authenticator::ByToken(
    absl::string_view token) const {
  std::shared_ptr<const Snapshot> snapshot = Current();
  auto it = snapshot->by_token_digest.find(Sha256Hex(token));
  return Admit(token.empty() || it == snapshot->by_token_digest.end()
                   ? nullptr
                   : &it->second,
               "unknown, expired or revoked bearer token: send "
               "`authorization: Bearer <token>` with a current token");
}

absl::StatusOr<Principal> Authenticator::ByCertSubject(
    absl::string_view subject) const {
  std::shared_ptr<const Snapshot> snapshot = Current();
  auto it = snapshot->by_cert_subject.find(subject);
  return Admit(it == snapshot->by_cert_subject.end() ? nullptr : &it->second,
               "no current principal for this client certificate: present "
               "one whose subject (CN) an administrator has added");
}

absl::StatusOr<Principal> Authenticator::ByName(absl::string_view name) const {
  std::shared_ptr<const Snapshot> snapshot = Current();
  auto it = snapshot->by_name.find(name);
  if (it == snapshot->by_name.end() || clock_->Now() >= it->second.expires) {
    return absl::NotFoundError(
        absl::StrCat("no current principal is named \"", name, "\""));
  }
  return it->second.principal;
}

absl::Status Authenticator::StillAdmitted(const Principal& principal) const {
  std::shared_ptr<const Snapshot> snapshot = Current();
  auto it = snapshot->by_name.find(principal.name);
  const Principal* now =
      it == snapshot->by_name.end() || clock_->Now() >= it->second.expires
          ? nullptr
          : &it->second.principal;
  if (now != nullptr && now->role == principal.role &&
      now->scopes == principal.scopes &&
      now->allowed_event_types == principal.allowed_event_types) {
    return absl::OkStatus();
  }
  return absl::UnauthenticatedError(
      "your credentials were revoked, changed or expired while this stream "
      "was open: call again with current credentials");
}

absl::StatusOr<std::string> NewBearerToken() {
  // The prefix keeps a token from ever starting with "-" (a command line
  // would take it for an option) and lets secret scanners recognise it.
  return absl::StrCat("rpt_", absl::WebSafeBase64Escape(RandomBytes(32)));
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

std::string RoleWord(v1::Role role) {
  return absl::AsciiStrToLower(
      absl::StripPrefix(v1::Role_Name(role), "ROLE_"));
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
