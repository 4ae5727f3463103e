#include "tools/crashtest/audit.h"

#include "absl/strings/str_cat.h"

namespace returnpath::crashtest {

absl::StatusOr<AuditOutcome> AuditStore(
    client::Client& auditor, const std::function<void(std::string)>& problem) {
  AuditOutcome outcome;
  absl::Status s = auditor.Verify({}, [&](const v1::VerifyResponse& r) {
    if (!r.has_outcome()) return true;
    outcome.verified = r.outcome().ok();
    if (!outcome.verified) {
      problem(absl::StrCat("Verify: ", r.outcome().message(), " at position ",
                           r.outcome().first_bad_position()));
    }
    return true;
  });
  if (!s.ok()) return s;
  s = auditor.ReplayCheck({}, [&](const v1::ReplayCheckResponse& r) {
    if (r.has_difference()) {
      ++outcome.differences;
      problem(absl::StrCat("ReplayCheck: ", r.difference().person_id(), " ",
                           r.difference().what(), ": ",
                           r.difference().detail()));
    }
    return true;
  });
  if (!s.ok()) return s;
  return outcome;
}

}  // namespace returnpath::crashtest
