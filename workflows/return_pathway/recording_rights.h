#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_RECORDING_RIGHTS_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_RECORDING_RIGHTS_H_

// Who may record which kind of event: the policy's recording grants, read
// against the recording kinds the pathway names (event_kinds.h).

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/any.pb.h"
#include "returnpath/v1/policy.pb.h"

namespace returnpath::return_pathway {

// The roles a grant may name.
inline constexpr absl::string_view kRecordingRoles[] = {"reception", "adviser",
                                                        "police"};

// OK, or "<field>: <problem>" for the first bad grant: an unknown role or
// kind, a kind granted twice to one role, or a kind granted to nobody.
absl::Status CheckRecordingGrants(const returnpath::v1::Policy& policy);

// OK when `policy` lets `role` record `event`; PERMISSION_DENIED naming the
// role, the kind and who may record it otherwise (INVALID_ARGUMENT for a
// payload that does not parse).
absl::Status MayRecordUnder(const returnpath::v1::Policy& policy,
                            absl::string_view role,
                            const google::protobuf::Any& event);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_RECORDING_RIGHTS_H_
