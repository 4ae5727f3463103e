#ifndef RETURNPATH_TOOLS_CRASHTEST_AUDIT_H_
#define RETURNPATH_TOOLS_CRASHTEST_AUDIT_H_

// The soaks' check of a whole store after crashes or failovers: Verify and
// ReplayCheck through an auditor's client.

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "clients/lib/client.h"

namespace returnpath::crashtest {

struct AuditOutcome {
  bool verified = false;     // Verify found the chain whole
  uint64_t differences = 0;  // ReplayCheck's
};

// Runs Verify, then ReplayCheck, telling `problem` each finding in one
// line. The call's error if either could not run.
absl::StatusOr<AuditOutcome> AuditStore(
    client::Client& auditor, const std::function<void(std::string)>& problem);

}  // namespace returnpath::crashtest

#endif  // RETURNPATH_TOOLS_CRASHTEST_AUDIT_H_
