#ifndef RETURNPATH_SERVER_DEV_PRINCIPALS_H_
#define RETURNPATH_SERVER_DEV_PRINCIPALS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "returnpath/v1/auth.pb.h"

namespace returnpath::engine {

// What the daemon was told about its principals.
struct PrincipalsFlags {
  std::string principals_file;  // --principals; a deployment's file
  bool dev_principals = false;  // --dev_principals
  std::string listen;           // --listen
  std::string data_dir;         // --data_dir
};

// The principals file to load: --principals when given; with
// --dev_principals on a loopback address, the development file
// (EnsureDevPrincipals). Otherwise FAILED_PRECONDITION saying what to give, so
// a daemon on a network never runs with development principals by accident.
absl::StatusOr<std::string> ChoosePrincipalsFile(const PrincipalsFlags& flags);

// For a local, loopback-only daemon: if `dir`/principals.textproto does not
// exist, creates it with one principal per role, each with the scopes of one
// desk at the Oslo-1 centre (the auditor sees everything, the administrator
// no personal data), and writes each fresh random token to
// `dir`/tokens/<name>.token (mode 0600), so returnctl works out of the box.
// What each may record is the policy's (its recording grants). An existing
// file stays as it is. Returns the file's path.
absl::StatusOr<std::string> EnsureDevPrincipals(const std::string& dir);

// Writes `entries` as the principals file `path`, first giving each entry
// without a token digest or certificate subject a fresh token, written to
// `tokens_dir`/<name>.token (mode 0600). For development daemons and tests.
absl::Status WritePrincipalsWithTokens(std::vector<v1::PrincipalEntry> entries,
                                       const std::string& path,
                                       const std::string& tokens_dir,
                                       absl::string_view header_comment = "");

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_DEV_PRINCIPALS_H_
