#ifndef RETURNPATH_SERVER_AUTH_H_
#define RETURNPATH_SERVER_AUTH_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/clock.h"
#include "returnpath/v1/auth.pb.h"

namespace returnpath::engine {

// An authenticated caller: who, in which role, over what.
struct Principal {
  std::string name;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::vector<std::string> scopes;
  std::vector<std::string> allowed_event_types;
  // Why this call reads (its `purpose` metadata), for the access log; empty
  // if the caller gave none. Per call, not part of the identity.
  std::string purpose;
};

// Maps credentials (bearer token or client certificate subject) to principals
// and refuses those past their expiry by `clock`. Thread-safe: a lookup reads
// an immutable snapshot that Replace swaps in whole; the lock is held only to
// copy or swap the pointer, never while a file is checked. `clock` must outlive it.
class Authenticator {
 public:
  // INVALID_ARGUMENT naming the entry when the file is malformed.
  static absl::StatusOr<std::unique_ptr<Authenticator>> FromFile(
      const std::string& path, Clock* clock);
  static absl::StatusOr<std::unique_ptr<Authenticator>> FromProto(
      const v1::PrincipalFile& file, Clock* clock);

  // UNAUTHENTICATED when the token is unknown, revoked or expired.
  absl::StatusOr<Principal> ByToken(absl::string_view token) const;
  // UNAUTHENTICATED when no current principal has this certificate subject.
  absl::StatusOr<Principal> ByCertSubject(absl::string_view subject) const;

  // The current principal named `name`: NOT_FOUND when none is (never
  // added, revoked or expired).
  absl::StatusOr<Principal> ByName(absl::string_view name) const;

  // OK while `principal` is still current: not revoked, expired or changed
  // since it was authenticated. Long streams ask this before each message, so
  // a revocation also ends the streams already open.
  absl::Status StillAdmitted(const Principal& principal) const;

  // Validates `file` as FromProto does, then makes it what every later lookup
  // sees; on error nothing changes.
  absl::Status Replace(const v1::PrincipalFile& file);

 private:
  struct Snapshot;
  struct Entry;
  explicit Authenticator(Clock* clock) : clock_(clock) {}
  // The principal behind `entry` unless it is missing or expired.
  absl::StatusOr<Principal> Admit(const Entry* entry,
                                  absl::string_view refusal) const;

  std::shared_ptr<const Snapshot> Current() const;

  Clock* const clock_;
  // Not std::atomic<std::shared_ptr>: libstdc++ 12 unlocks it with a relaxed
  // store after a load, a race in the memory model that TSan reports.
  mutable absl::Mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_ ABSL_GUARDED_BY(mu_);
};

// A new bearer token: "rpt_" and 32 random bytes (OpenSSL RAND) in web-safe
// base64.
absl::StatusOr<std::string> NewBearerToken();

// Lowercase hex SHA-256 of `data` (how tokens are stored in the file).
std::string Sha256Hex(absl::string_view data);

// Does any of the principal's scopes cover `key` ("centre/x",
// "queue/police/pu")?
bool ScopeCovers(const Principal& principal, absl::string_view key);

// The role as policies name it: "reception", "adviser", "police", ...
std::string RoleWord(v1::Role role);

// PERMISSION_DENIED unless the principal has one of `roles`; the message names
// the action, e.g. "record an event".
absl::Status RequireRole(const Principal& principal,
                         std::initializer_list<v1::Role> roles,
                         absl::string_view action);

// PERMISSION_DENIED unless some scope covers one of `keys` (a person's index
// keys, or "queue/<name>" for a queue).
absl::Status RequireScope(const Principal& principal,
                          const std::vector<std::string>& keys,
                          absl::string_view action);

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_AUTH_H_
