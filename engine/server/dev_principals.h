#ifndef RETURNPATH_ENGINE_SERVER_DEV_PRINCIPALS_H_
#define RETURNPATH_ENGINE_SERVER_DEV_PRINCIPALS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace returnpath::engine {

// For a local, loopback-only daemon: if `dir`/principals.textproto does not
// exist, creates it with one principal per role (scopes "*") and writes each
// fresh random token to `dir`/tokens/<name>.token (mode 0600), so returnctl
// works out of the box. The police principal may record `police_event_types`
// (the domain's names; the engine knows none). Returns the file's path. A
// deployment writes its own principals file instead.
absl::StatusOr<std::string> EnsureDevPrincipals(
    const std::string& dir, const std::vector<std::string>& police_event_types);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_SERVER_DEV_PRINCIPALS_H_
