#ifndef RETURNPATH_SERVER_PRINCIPAL_FILE_H_
#define RETURNPATH_SERVER_PRINCIPAL_FILE_H_

// The principals file (a v1::PrincipalFile textproto): what a well-formed
// entry is, and reading and writing the file.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/private_file.h"
#include "returnpath/v1/auth.pb.h"

namespace returnpath::engine {

// INVALID_ARGUMENT naming the field `name` unless `name` is 1 to 64 of
// [A-Za-z0-9._@-].
absl::Status ValidatePrincipalName(absl::string_view name);

// INVALID_ARGUMENT naming the field (as in AddPrincipalRequest: name, role,
// scopes[i], ...) unless `entry` is well-formed: a bounded name, a role, well-
// formed scopes, a token digest or a certificate subject, a valid expiry.
absl::Status ValidatePrincipalEntry(const v1::PrincipalEntry& entry);

// INVALID_ARGUMENT unless `scope` is "*", "centre/<id>", "region/<REGION>",
// "queue/<queue>" or "queue/<prefix>/*".
absl::Status ValidateScope(absl::string_view scope);

// Every entry valid (the message says which one is not), names, token digests
// and certificate subjects each used once.
absl::Status ValidatePrincipalFile(const v1::PrincipalFile& file);

// NOT_FOUND when unreadable; INVALID_ARGUMENT when not a PrincipalFile.
absl::StatusOr<v1::PrincipalFile> ReadPrincipalFile(const std::string& path);

// Replaces `path` with `file` all at once, mode 0600 (WritePrivateFile of
// engine/private_file.h).
absl::Status WritePrincipalFile(const std::string& path,
                                const v1::PrincipalFile& file,
                                absl::string_view header_comment = "");

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_PRINCIPAL_FILE_H_
