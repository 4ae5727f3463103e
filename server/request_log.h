#ifndef RETURNPATH_SERVER_REQUEST_LOG_H_
#define RETURNPATH_SERVER_REQUEST_LOG_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/rpc/call_observer.h"
#include "server/auth.h"

namespace returnpath::engine {

// Person ids as they may appear in logs: a keyed hash, the same for one
// person across lines and restarts, and useless to whoever reads the log
// without the key (case numbers are too few to hide behind a plain hash).
class PersonHasher {
 public:
  // The key in `path`; made there (32 random bytes, readable by this user
  // only) if missing.
  static absl::StatusOr<PersonHasher> FromKeyFile(const std::string& path);
  explicit PersonHasher(std::string key) : key_(std::move(key)) {}

  // 16 hex digits of HMAC-SHA-256(key, person_id).
  std::string Of(absl::string_view person_id) const;

 private:
  std::string key_;
};

// Every `person_id` and `person_ids` field of `request` and of the messages
// in it, in field order.
void PersonIdsIn(const google::protobuf::Message& request,
                 std::vector<std::string>* out);

// The level a call's line is logged at: debug for gRPC's own services
// (health, reflection), info for answers and cancellations, warning for
// refusals (bad input, no permission, conflicts), error for failures of the
// server or its disk.
absl::string_view RequestLogLevel(const CallRecord& call);

// One structured line per call: rpc, principal, code, latency_ms, persons
// (hashed; the first 20, and more_persons counting the rest), and for a
// refusal or failure its reason, with the persons' ids in it replaced by
// their hashes.
void LogRequest(const CallRecord& call, const PersonHasher& hasher);

// The hooks that log every call of the daemon's services (principal by the
// call's credentials, persons by PersonIdsIn), then tell `also` (metrics).
// `auth` must outlive the server.
CallHooks RequestLogHooks(const Authenticator* auth, PersonHasher hasher,
                          std::function<void(const CallRecord&)> also);

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_REQUEST_LOG_H_
