#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_POLICY_SET_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_POLICY_SET_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "returnpath/v1/policy.pb.h"

namespace returnpath::return_pathway {

// The policy versions of a deployment, ordered by effective_from. Immutable
// after construction and thread-safe; pointers it returns live as long as it.
class PolicySet {
 public:
  // Reads and validates every *.textproto file in `dir`. INVALID_ARGUMENT
  // naming the file and the field for a bad file; NOT_FOUND if `dir` holds
  // no policy.
  static absl::StatusOr<PolicySet> LoadDirectory(const std::string& dir);

  // Validates `policies` (each named by its source, e.g. a file name) and
  // orders them.
  static absl::StatusOr<PolicySet> Create(
      std::vector<std::pair<std::string, returnpath::v1::Policy>> policies);

  // One policy governing every event, whatever its time and the version it
  // names, as if it had been in force throughout (a what-if, what_if.h).
  // Validates it as Create does.
  static absl::StatusOr<PolicySet> Throughout(returnpath::v1::Policy policy,
                                              absl::string_view source);

  // The version in force at `t`: the latest whose effective_from is on or
  // before t's date in Norway. NOT_FOUND before the first version.
  absl::StatusOr<const returnpath::v1::Policy*> InForceAt(absl::Time t) const;

  // The version named `version`; NOT_FOUND if none is loaded.
  absl::StatusOr<const returnpath::v1::Policy*> Find(
      absl::string_view version) const;

  const std::vector<returnpath::v1::Policy>& versions() const {
    return versions_;
  }

 private:
  explicit PolicySet(std::vector<returnpath::v1::Policy> versions,
                     bool throughout = false)
      : versions_(std::move(versions)), throughout_(throughout) {}

  std::vector<returnpath::v1::Policy> versions_;  // by effective_from
  bool throughout_;  // versions_ holds one, which InForceAt and Find give
};

// Checks one policy; INVALID_ARGUMENT "<source>: <field>: <problem>".
absl::Status ValidatePolicy(const returnpath::v1::Policy& policy,
                            absl::string_view source);

// Parses the text format of a Policy; INVALID_ARGUMENT "<source>:<line>:<col>:
// <problem>". Does not validate.
absl::StatusOr<returnpath::v1::Policy> ParsePolicyText(
    absl::string_view text, absl::string_view source);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_POLICY_SET_H_
