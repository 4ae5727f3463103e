#include "server/principal_registry.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/proto_time.h"
#include "server/principal_file.h"

namespace returnpath::engine {
namespace {

constexpr absl::string_view kFileHeader =
    "# returnpathd principals. The daemon rewrites this file when an "
    "administrator\n# adds, revokes or rotates a principal (returnctl admin "
    "principals).\n";

v1::PrincipalSummary Summary(const v1::PrincipalEntry& entry) {
  v1::PrincipalSummary summary;
  summary.set_name(entry.name());
  summary.set_role(entry.role());
  *summary.mutable_scopes() = entry.scopes();
  *summary.mutable_allowed_event_types() = entry.allowed_event_types();
  summary.set_cert_subject(entry.cert_subject());
  summary.set_has_token(!entry.token_sha256().empty());
  if (entry.has_expires()) *summary.mutable_expires() = entry.expires();
  return summary;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PrincipalRegistry>> PrincipalRegistry::Open(
    const std::string& path, Clock* clock) {
  absl::StatusOr<v1::PrincipalFile> file = ReadPrincipalFile(path);
  if (!file.ok()) return file.status();
  absl::StatusOr<std::unique_ptr<Authenticator>> auth =
      Authenticator::FromProto(*file, clock);
  if (!auth.ok()) return auth.status();
  return std::unique_ptr<PrincipalRegistry>(
      new PrincipalRegistry(path, *std::move(file), *std::move(auth), clock));
}

absl::StatusOr<v1::PrincipalResponse> PrincipalRegistry::Add(
    const v1::AddPrincipalRequest& request) {
  v1::PrincipalEntry entry;
  entry.set_name(request.name());
  entry.set_role(request.role());
  *entry.mutable_scopes() = request.scopes();
  *entry.mutable_allowed_event_types() = request.allowed_event_types();
  entry.set_cert_subject(request.cert_subject());
  if (request.has_expires()) *entry.mutable_expires() = request.expires();
  v1::PrincipalResponse response;
  if (entry.cert_subject().empty()) {
    absl::StatusOr<std::string> token = NewBearerToken();
    if (!token.ok()) return token.status();
    entry.set_token_sha256(Sha256Hex(*token));
    response.set_token(*token);
  }
  absl::Status valid = ValidatePrincipalEntry(entry);
  if (!valid.ok()) return valid;
  if (entry.has_expires() && FromTimestamp(entry.expires()) <= clock_->Now()) {
    return absl::InvalidArgumentError("expires must be in the future");
  }

  absl::MutexLock lock(&mu_);
  if (Find(entry.name()) >= 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("a principal named ", entry.name(), " already exists"));
  }
  for (const v1::PrincipalEntry& other : file_.principal()) {
    if (!entry.cert_subject().empty() &&
        other.cert_subject() == entry.cert_subject()) {
      return absl::AlreadyExistsError(
          absl::StrCat("cert_subject is already ", other.name(), "'s"));
    }
  }
  v1::PrincipalFile next = file_;
  *next.add_principal() = entry;
  absl::Status committed = Commit(std::move(next));
  if (!committed.ok()) return committed;
  *response.mutable_principal() = Summary(entry);
  return response;
}

std::vector<v1::PrincipalSummary> PrincipalRegistry::List() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<v1::PrincipalSummary> out;
  for (const v1::PrincipalEntry& entry : file_.principal())
    out.push_back(Summary(entry));
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.name() < b.name(); });
  return out;
}

absl::StatusOr<v1::PrincipalResponse> PrincipalRegistry::Revoke(
    const std::string& name) {
  absl::Status valid = ValidatePrincipalName(name);
  if (!valid.ok()) return valid;
  absl::MutexLock lock(&mu_);
  const int index = Find(name);
  if (index < 0) {
    return absl::NotFoundError(absl::StrCat("no principal named ", name));
  }
  const v1::PrincipalEntry revoked = file_.principal(index);
  const auto admins = std::count_if(
      file_.principal().begin(), file_.principal().end(),
      [](const v1::PrincipalEntry& e) { return e.role() == v1::ROLE_ADMIN; });
  if (revoked.role() == v1::ROLE_ADMIN && admins == 1) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, " is the last administrator: add another first"));
  }
  v1::PrincipalFile next = file_;
  next.mutable_principal()->DeleteSubrange(index, 1);
  absl::Status committed = Commit(std::move(next));
  if (!committed.ok()) return committed;
  v1::PrincipalResponse response;
  *response.mutable_principal() = Summary(revoked);
  return response;
}

absl::StatusOr<v1::PrincipalResponse> PrincipalRegistry::Rotate(
    const std::string& name) {
  absl::Status valid = ValidatePrincipalName(name);
  if (!valid.ok()) return valid;
  absl::StatusOr<std::string> token = NewBearerToken();
  if (!token.ok()) return token.status();
  absl::MutexLock lock(&mu_);
  const int index = Find(name);
  if (index < 0) {
    return absl::NotFoundError(absl::StrCat("no principal named ", name));
  }
  if (file_.principal(index).token_sha256().empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        name,
        " signs in with a client certificate: it has no token to rotate"));
  }
  v1::PrincipalFile next = file_;
  next.mutable_principal(index)->set_token_sha256(Sha256Hex(*token));
  const v1::PrincipalEntry rotated = next.principal(index);
  absl::Status committed = Commit(std::move(next));
  if (!committed.ok()) return committed;
  v1::PrincipalResponse response;
  *response.mutable_principal() = Summary(rotated);
  response.set_token(*token);
  return response;
}

absl::Status PrincipalRegistry::Commit(v1::PrincipalFile next) {
  absl::Status valid = ValidatePrincipalFile(next);
  if (!valid.ok()) return valid;
  absl::Status written = WritePrincipalFile(path_, next, kFileHeader);
  if (!written.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the principals file is not writable, so principals cannot change: ",
        written.message()));
  }
  absl::Status swapped = auth_->Replace(next);
  if (!swapped.ok()) return swapped;
  file_ = std::move(next);
  return absl::OkStatus();
}

int PrincipalRegistry::Find(absl::string_view name) const {
  for (int i = 0; i < file_.principal_size(); ++i) {
    if (file_.principal(i).name() == name) return i;
  }
  return -1;
}

}  // namespace returnpath::engine
