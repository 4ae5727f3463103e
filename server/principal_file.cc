#include "server/principal_file.h"

#include <sys/stat.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "engine/read_file.h"
#include "engine/status_macros.h"
#include "google/protobuf/text_format.h"

namespace returnpath::engine {
namespace {

constexpr size_t kMaxPrincipalNameLength = 64;
constexpr size_t kMaxScopes = 64;
constexpr size_t kMaxScopeLength = 160;
constexpr size_t kMaxEventTypes = 64;
constexpr size_t kMaxEventTypeLength = 128;
constexpr size_t kMaxCertSubjectLength = 256;

bool OnlyChars(absl::string_view text, absl::string_view extra,
               bool upper_only = false) {
  for (char c : text) {
    const bool letter =
        upper_only ? absl::ascii_isupper(c) : absl::ascii_isalpha(c);
    if (!letter && !absl::ascii_isdigit(c) && !absl::StrContains(extra, c))
      return false;
  }
  return !text.empty();
}

// What is wrong with `scope`, or "" when nothing is.
std::string ScopeProblem(absl::string_view scope) {
  if (scope.size() > kMaxScopeLength) {
    return absl::StrCat("is longer than ", kMaxScopeLength, " characters");
  }
  if (scope == "*") return "";
  const std::string shapes =
      "give *, centre/<id>, region/<REGION>, queue/<queue> or "
      "queue/<prefix>/*";
  std::pair<absl::string_view, absl::string_view> kind =
      absl::StrSplit(scope, absl::MaxSplits('/', 1));
  if (kind.first == "centre") {
    return OnlyChars(kind.second, "._-") ? "" : "names no centre id: " + shapes;
  }
  if (kind.first == "region") {
    return OnlyChars(kind.second, "_", /*upper_only=*/true)
               ? ""
               : "names no upper-case region (e.g. region/OSLO)";
  }
  if (kind.first == "queue") {
    std::vector<absl::string_view> parts = absl::StrSplit(kind.second, '/');
    if (parts.size() > 1 && parts.back() == "*") parts.pop_back();
    for (absl::string_view part : parts) {
      if (!OnlyChars(part, "._-")) return "names no queue: " + shapes;
    }
    return "";
  }
  return absl::StrCat("is not a scope: ", shapes);
}

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, " ", problem));
}

absl::Status ValidateList(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<std::string>& values,
    size_t max_count, std::string (*problem)(absl::string_view)) {
  if (static_cast<size_t>(values.size()) > max_count) {
    return Invalid(field,
                   absl::StrCat("has more than ", max_count, " entries"));
  }
  for (int i = 0; i < values.size(); ++i) {
    std::string why = problem(values[i]);
    if (!why.empty()) return Invalid(absl::StrCat(field, "[", i, "]"), why);
  }
  return absl::OkStatus();
}

std::string EventTypeProblem(absl::string_view type) {
  if (type.size() > kMaxEventTypeLength) {
    return absl::StrCat("is longer than ", kMaxEventTypeLength, " characters");
  }
  return OnlyChars(type, "._") ? ""
                               : "is not a message name (e.g. "
                                 "returnpath.v1.Departed)";
}

bool IsSha256Hex(absl::string_view text) {
  return text.size() == 64 &&
         text.find_first_not_of("0123456789abcdef") == absl::string_view::npos;
}

absl::Status Unique(absl::flat_hash_set<std::string>& seen,
                    const std::string& value, absl::string_view what) {
  if (value.empty() || seen.insert(value).second) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(what, " used twice"));
}

}  // namespace

absl::Status ValidateScope(absl::string_view scope) {
  std::string why = ScopeProblem(scope);
  return why.empty() ? absl::OkStatus() : Invalid("scope", why);
}

absl::Status ValidatePrincipalName(absl::string_view name) {
  if (name.empty()) return Invalid("name", "is required");
  if (name.size() > kMaxPrincipalNameLength) {
    return Invalid("name",
                   absl::StrCat("is longer than ", kMaxPrincipalNameLength,
                                " characters"));
  }
  if (!OnlyChars(name, "._@-")) {
    return Invalid("name", "may hold only letters, digits and . _ @ -");
  }
  return absl::OkStatus();
}

absl::Status ValidatePrincipalEntry(const v1::PrincipalEntry& entry) {
  absl::Status name = ValidatePrincipalName(entry.name());
  if (!name.ok()) return name;
  if (entry.role() == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(entry.role())) {
    return Invalid("role",
                   "is required (reception, adviser, police, auditor "
                   "or admin)");
  }
  absl::Status status =
      ValidateList("scopes", entry.scopes(), kMaxScopes, &ScopeProblem);
  if (!status.ok()) return status;
  status = ValidateList("allowed_event_types", entry.allowed_event_types(),
                        kMaxEventTypes, &EventTypeProblem);
  if (!status.ok()) return status;
  if (!entry.token_sha256().empty() && !IsSha256Hex(entry.token_sha256())) {
    return Invalid("token_sha256", "must be 64 lower-case hex digits");
  }
  if (entry.cert_subject().size() > kMaxCertSubjectLength) {
    return Invalid(
        "cert_subject",
        absl::StrCat("is longer than ", kMaxCertSubjectLength, " characters"));
  }
  for (char c : entry.cert_subject()) {
    if (absl::ascii_iscntrl(c))
      return Invalid("cert_subject", "holds a control character");
  }
  if (entry.token_sha256().empty() && entry.cert_subject().empty()) {
    return Invalid("cert_subject",
                   "is required for a principal without a token");
  }
  if (entry.has_expires() &&
      (entry.expires().seconds() < 0 || entry.expires().nanos() < 0 ||
       entry.expires().nanos() > 999999999 ||
       entry.expires().seconds() > 253402300799 /* 9999-12-31 */)) {
    return Invalid("expires", "is not a time between 1970 and 9999");
  }
  return absl::OkStatus();
}

absl::Status ValidatePrincipalFile(const v1::PrincipalFile& file) {
  absl::flat_hash_set<std::string> names, digests, subjects;
  for (int i = 0; i < file.principal_size(); ++i) {
    const v1::PrincipalEntry& entry = file.principal(i);
    absl::Status status = ValidatePrincipalEntry(entry);
    if (status.ok()) status = Unique(names, entry.name(), "name");
    if (status.ok()) status = Unique(digests, entry.token_sha256(), "token");
    if (status.ok())
      status = Unique(subjects, entry.cert_subject(), "cert_subject");
    if (!status.ok()) {
      const bool short_name = entry.name().size() <= kMaxPrincipalNameLength;
      return absl::InvalidArgumentError(
          absl::StrCat("principal[", i, "]",
                       short_name ? absl::StrCat(" (", entry.name(), ")") : "",
                       ": ", status.message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::PrincipalFile> ReadPrincipalFile(const std::string& path) {
  // Whoever may write the file may make themselves an administrator.
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 &&
      (info.st_mode & (S_IWGRP | S_IWOTH))) {
    return absl::FailedPreconditionError(absl::StrCat(
        "principals file ", path, " is writable by others (mode ",
        absl::StrFormat("%04o", info.st_mode & 07777),
        "): anyone who can write it can make themselves an administrator; "
        "run `chmod go-w ",
        path, "`"));
  }
  v1::PrincipalFile file;
  RP_RETURN_IF_ERROR(ReadTextProtoFile(path, "principals file", &file));
  return file;
}

absl::Status WritePrincipalFile(const std::string& path,
                                const v1::PrincipalFile& file,
                                absl::string_view header_comment) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(file, &text);
  return WritePrivateFile(path, absl::StrCat(header_comment, text));
}

}  // namespace returnpath::engine
