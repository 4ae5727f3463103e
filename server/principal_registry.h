#ifndef RETURNPATH_SERVER_PRINCIPAL_REGISTRY_H_
#define RETURNPATH_SERVER_PRINCIPAL_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "engine/clock.h"
#include "returnpath/v1/auth.pb.h"
#include "returnpath/v1/services.pb.h"
#include "server/auth.h"

namespace returnpath::engine {

// The principals file as a registry an administrator changes at run time. A
// change is validated, written to the file (durable), then swapped into the
// Authenticator (effective on the next call). Thread-safe; changes are
// serialized, lookups through authenticator() never wait for them.
class PrincipalRegistry {
 public:
  // Loads `path`; `clock` decides expiry and must outlive the registry.
  static absl::StatusOr<std::unique_ptr<PrincipalRegistry>> Open(
      const std::string& path, Clock* clock);

  const Authenticator* authenticator() const { return auth_.get(); }

  // A principal with the request's certificate subject, or else a generated
  // token (in the answer, shown once). INVALID_ARGUMENT naming the field,
  // ALREADY_EXISTS for a name in use, FAILED_PRECONDITION when the file
  // cannot be written.
  absl::StatusOr<v1::PrincipalResponse> Add(
      const v1::AddPrincipalRequest& request);
  std::vector<v1::PrincipalSummary> List() const;
  // NOT_FOUND for an unknown name; FAILED_PRECONDITION for the last
  // administrator or an unwritable file.
  absl::StatusOr<v1::PrincipalResponse> Revoke(const std::string& name);
  // A new token for `name`; the old one stops working.
  absl::StatusOr<v1::PrincipalResponse> Rotate(const std::string& name);

 private:
  PrincipalRegistry(std::string path, v1::PrincipalFile file,
                    std::unique_ptr<Authenticator> auth, Clock* clock)
      : path_(std::move(path)),
        clock_(clock),
        auth_(std::move(auth)),
        file_(std::move(file)) {}

  // Writes `next` to the file, then makes it current.
  absl::Status Commit(v1::PrincipalFile next)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The index of `name` in file_, or -1.
  int Find(absl::string_view name) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // Constant after construction.
  const std::string path_;
  Clock* const clock_;
  const std::unique_ptr<Authenticator> auth_;

  mutable absl::Mutex mu_;
  v1::PrincipalFile file_ ABSL_GUARDED_BY(mu_);  // what the file holds
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_PRINCIPAL_REGISTRY_H_
