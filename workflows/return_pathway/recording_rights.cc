#include "workflows/return_pathway/recording_rights.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/status_macros.h"
#include "workflows/return_pathway/event_kinds.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

bool Contains(const auto& list, absl::string_view value) {
  return std::find(std::begin(list), std::end(list), value) != std::end(list);
}

// "police liaison", as a refusal names a role.
std::string RoleWords(absl::string_view role) {
  if (role == "reception") return "reception staff";
  if (role == "adviser") return "return advisers";
  if (role == "police") return "police liaison";
  if (role == "auditor") return "auditors";
  if (role == "admin") return "administrators";
  return absl::StrCat("role \"", role, "\"");
}

std::vector<std::string> RolesGranting(const v1::Policy& policy,
                                       absl::string_view kind) {
  std::vector<std::string> roles;
  for (const v1::RecordingGrant& grant : policy.recording()) {
    if (Contains(grant.kinds(), kind)) roles.push_back(RoleWords(grant.role()));
  }
  return roles;
}

}  // namespace

absl::Status CheckRecordingGrants(const v1::Policy& policy) {
  if (policy.recording().empty()) {
    return absl::InvalidArgumentError("recording: is missing");
  }
  absl::flat_hash_set<std::string> roles;
  for (int i = 0; i < policy.recording_size(); ++i) {
    const v1::RecordingGrant& grant = policy.recording(i);
    const std::string field = absl::StrCat("recording[", i, "]");
    if (!Contains(kRecordingRoles, grant.role())) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".role: \"", grant.role(), "\" is not one of ",
                       absl::StrJoin(kRecordingRoles, ", "),
                       " (auditors and administrators never record)"));
    }
    if (!roles.insert(grant.role()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".role: \"", grant.role(), "\" has an earlier grant"));
    }
    absl::flat_hash_set<std::string> kinds;
    for (int k = 0; k < grant.kinds_size(); ++k) {
      const std::string& kind = grant.kinds(k);
      const std::string kind_field = absl::StrCat(field, ".kinds[", k, "]");
      if (!Contains(RecordingKinds(), kind)) {
        return absl::InvalidArgumentError(
            absl::StrCat(kind_field, ": \"", kind,
                         "\" is not a recording kind of the pathway"));
      }
      if (!kinds.insert(kind).second) {
        return absl::InvalidArgumentError(absl::StrCat(
            kind_field, ": \"", kind, "\" is granted twice to this role"));
      }
    }
  }
  for (const std::string& kind : RecordingKinds()) {
    if (RolesGranting(policy, kind).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("recording: no role may record \"", kind, "\" events"));
    }
  }
  return absl::OkStatus();
}

absl::Status MayRecordUnder(const v1::Policy& policy, absl::string_view role,
                            const google::protobuf::Any& event) {
  RP_ASSIGN_OR_RETURN(const std::string kind, RecordingKindOf(event));
  if (kind.empty()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "nobody records ",
        absl::string_view(event.type_url())
            .substr(event.type_url().rfind('/') + 1),
        " directly: the pathway writes it with a related person's event"));
  }
  for (const v1::RecordingGrant& grant : policy.recording()) {
    if (grant.role() == role && Contains(grant.kinds(), kind)) {
      return absl::OkStatus();
    }
  }
  return absl::PermissionDeniedError(absl::StrCat(
      RoleWords(role), " may not record \"", kind, "\" events: policy ",
      policy.version(), " lets ",
      absl::StrJoin(RolesGranting(policy, kind), " and "), " record them"));
}

}  // namespace returnpath::return_pathway
