#include "tests/integration/authz_matrix_rows.h"

#include <map>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/auth.h"

namespace returnpath::integration {
namespace {

using grpc::StatusCode;

// What an auditor scoped to one centre gets from the RPCs that stream every
// person's events (Log, SubscribeEvents, ReplayCheck): the contract lets
// helper "authz" refuse them (this) or filter them (then OK).
constexpr StatusCode kLimitedAuditorOnGlobalLog = StatusCode::PERMISSION_DENIED;

constexpr StatusCode kOk = StatusCode::OK;
constexpr StatusCode kDenied = StatusCode::PERMISSION_DENIED;
constexpr StatusCode kNotFound = StatusCode::NOT_FOUND;
// A task call in scope by a worker that does not hold the lease: past every
// authorization check, refused by the task itself.
constexpr StatusCode kNotLeased = StatusCode::FAILED_PRECONDITION;
// Requeue of a task in scope that is not a dead letter: refused by the task.
constexpr StatusCode kNotDeadLetter = StatusCode::FAILED_PRECONDITION;

}  // namespace

// Reception works its centre's relocation tasks (reception/<centre>), so it
// holds that queue as well as the centre.
const std::vector<ScopedPrincipal>& MatrixPrincipals() {
  static const auto* principals = new std::vector<ScopedPrincipal>{
      {"reception-oslo",
       v1::ROLE_RECEPTION,
       {"centre/Oslo-1", "queue/reception/Oslo-1"},
       {}},
      {"adviser-oslo",
       v1::ROLE_ADVISER,
       {"queue/advisers/Oslo-1", "centre/Oslo-1"},
       {}},
      {"police-oslo",
       v1::ROLE_POLICE,
       {"queue/police/pu", "region/OSLO"},
       {"returnpath.v1.Departed", "returnpath.v1.TravelDocumentObtained"}},
      {"auditor-oslo", v1::ROLE_AUDITOR, {"centre/Oslo-1"}, {}},
      {"auditor-national", v1::ROLE_AUDITOR, {"*"}, {}},
      {"admin", v1::ROLE_ADMIN, {}, {}},
  };
  return *principals;
}

const std::vector<ScopedPrincipal>& StagePrincipals() {
  static const auto* principals = new std::vector<ScopedPrincipal>{
      {"registrar", v1::ROLE_RECEPTION, {"*"}, {}},
      {"witness", v1::ROLE_AUDITOR, {"*"}, {}},
  };
  return *principals;
}

std::string TokenOf(const std::string& principal) {
  return absl::StrCat("matrix-token-", principal);
}

std::vector<v1::PrincipalEntry> PrincipalEntries() {
  std::vector<v1::PrincipalEntry> entries;
  for (const auto* group : {&MatrixPrincipals(), &StagePrincipals()}) {
    for (const ScopedPrincipal& principal : *group) {
      v1::PrincipalEntry& entry = entries.emplace_back();
      entry.set_name(principal.name);
      entry.set_role(principal.role);
      entry.set_token_sha256(engine::Sha256Hex(TokenOf(principal.name)));
      entry.set_cert_subject(principal.name);
      for (const std::string& scope : principal.scopes) entry.add_scopes(scope);
      for (const std::string& type : principal.allowed_event_types)
        entry.add_allowed_event_types(type);
    }
  }
  return entries;
}

std::string RowName(const Row& row) {
  return absl::StrCat(row.rpc, " | ", row.caller, " | ", row.target);
}

std::string CodeName(StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

std::vector<Row> AllowedRoleRows() {
  // clang-format off
  std::vector<Row> rows = {
      // Each role records its kinds (the policy's grants), in scope only;
      // recording_rights_flow_test has every role x kind.
      {"PathwayService.RecordEvent register",        "reception-oslo", "new at Oslo-1",   kOk},
      {"PathwayService.RecordEvent register",        "reception-oslo", "new at Bergen-1", kDenied},
      {"PathwayService.RecordEvent register",        "police-oslo",    "new at Oslo-1",   kDenied},
      {"PathwayService.RecordEvent course-enrolled", "reception-oslo", "Oslo person",     kOk},
      {"PathwayService.RecordEvent course-enrolled", "reception-oslo", "Bergen person",   kNotFound},
      {"PathwayService.RecordEvent course-enrolled", "reception-oslo", "missing person",  kNotFound},
      {"PathwayService.RecordEvent course-enrolled", "police-oslo",    "Oslo person",     kDenied},
      {"PathwayService.RecordEvent travel-document", "police-oslo",    "Oslo person",     kOk},
      {"PathwayService.RecordEvent travel-document", "police-oslo",    "Bergen person",   kNotFound},
      {"PathwayService.RecordEvent travel-document", "police-oslo",    "missing person",  kNotFound},
      {"PathwayService.RecordEvent travel-document", "adviser-oslo",   "Oslo person",     kOk},
      {"PathwayService.RecordEvent travel-document", "reception-oslo", "Oslo person",     kDenied},
      {"AdminService.AdvanceClock",                  "admin",          "-",               kOk},
  };
  // clang-format on
  // Reading a pathway: reception, advisers and police, in scope only.
  for (const char* role : {"reception-oslo", "adviser-oslo", "police-oslo"}) {
    rows.push_back({"PathwayService.GetPathway", role, "Oslo person", kOk});
    rows.push_back(
        {"PathwayService.GetPathway", role, "Bergen person", kNotFound});
    rows.push_back(
        {"PathwayService.GetPathway", role, "missing person", kNotFound});
  }
  // A person's history (the timeline of their case): staff in scope too.
  for (const char* role : {"reception-oslo", "adviser-oslo", "police-oslo"}) {
    rows.push_back({"AuditService.History", role, "Oslo person", kOk});
    rows.push_back({"AuditService.History", role, "Bergen person", kNotFound});
    rows.push_back({"AuditService.History", role, "missing person", kNotFound});
  }
  for (const char* role : {"reception-oslo", "adviser-oslo", "police-oslo"}) {
    // Out-of-scope persons are left out of a listing, not refused.
    rows.push_back(
        {"PathwayService.ListPathways", role, "prefix centre/Oslo-1", kOk});
    rows.push_back(
        {"PathwayService.ListPathways", role, "prefix centre/Bergen-1", kOk});
  }
  // Queues: each role's own, another centre's (or region's), one that does
  // not exist. Queues are not personal data: PERMISSION_DENIED names them.
  const std::vector<std::vector<std::string>> queues = {
      {"reception-oslo", "queue reception/Oslo-1", "queue reception/Bergen-1",
       "queue reception/Nowhere-9"},
      {"adviser-oslo", "queue advisers/Oslo-1", "queue advisers/Bergen-1",
       "queue advisers/Nowhere-9"},
      {"police-oslo", "queue police/pu", "queue region/OSLO",
       "queue police/Nowhere-9"}};
  for (const char* rpc :
       {"TaskService.Poll", "TaskService.Subscribe", "TaskService.ListTasks",
        "TaskService.ListDeadLetters", "TaskService.QueueSummary"}) {
    for (const auto& q : queues) {
      rows.push_back({rpc, q[0], q[1], kOk});
      rows.push_back({rpc, q[0], q[2], kDenied});
      rows.push_back({rpc, q[0], q[3], kDenied});
    }
  }
  // Tasks: in scope (queue and person), the person out of scope, the queue
  // out of scope, no such task.
  const std::vector<std::vector<std::string>> tasks = {
      {"reception-oslo", "Oslo relocation", "Bergen relocation",
       "Oslo conversation"},
      {"adviser-oslo", "Oslo conversation", "Bergen conversation",
       "Oslo relocation"},
      {"police-oslo", "Oslo referral", "Bergen referral", "Oslo conversation"}};
  for (const char* rpc : {"TaskService.Complete", "TaskService.Fail",
                          "TaskService.Release", "TaskService.ExtendLease"}) {
    for (const auto& t : tasks) {
      rows.push_back({rpc, t[0], t[1], kNotLeased});
      rows.push_back({rpc, t[0], t[2], kNotFound});
      rows.push_back({rpc, t[0], t[3], kNotFound});
      rows.push_back({rpc, t[0], "missing task", kNotFound});
    }
  }
  // Claim renews the lease Poll took (OK); Requeue meets a task that is not
  // dead-lettered: past every authorization check, refused by the task.
  // Out of scope, answered as missing, like the calls above.
  for (const auto& [rpc, in_scope] :
       {std::pair{"TaskService.Claim", kOk},
        std::pair{"TaskService.Reassign", kNotLeased},
        std::pair{"TaskService.Requeue", kNotDeadLetter}}) {
    for (const auto& t : tasks) {
      rows.push_back({rpc, t[0], t[1], in_scope});
      rows.push_back({rpc, t[0], t[2], kNotFound});
      rows.push_back({rpc, t[0], t[3], kNotFound});
      rows.push_back({rpc, t[0], "missing task", kNotFound});
    }
  }
  // One's own tasks: every task role.
  // And the summary of every queue in one's scope (no queue named).
  for (const char* role : {"reception-oslo", "adviser-oslo", "police-oslo"}) {
    rows.push_back({"TaskService.ListMine", role, "-", kOk});
    rows.push_back({"TaskService.QueueSummary", role, "-", kOk});
  }
  // Auditors: a person's data only in scope; the global log only for `*`.
  for (const char* rpc :
       {"AuditService.History", "AuditService.PathwayAsOf",
        "AuditService.AccessLog", "AuditService.Compliance",
        "AuditService.Export"}) {
    rows.push_back({rpc, "auditor-national", "Oslo person", kOk});
    rows.push_back({rpc, "auditor-national", "Bergen person", kOk});
    rows.push_back({rpc, "auditor-national", "missing person", kNotFound});
    rows.push_back({rpc, "auditor-oslo", "Oslo person", kOk});
    rows.push_back({rpc, "auditor-oslo", "Bergen person", kNotFound});
    rows.push_back({rpc, "auditor-oslo", "missing person", kNotFound});
  }
  rows.push_back(
      {"AuditService.AccessLog", "auditor-national", "everyone", kOk});
  rows.push_back({"AuditService.AccessLog", "auditor-oslo", "everyone", kOk});
  // The compliance report over everyone names every person with a finding.
  rows.push_back(
      {"AuditService.Compliance", "auditor-national", "everyone", kOk});
  rows.push_back(
      {"AuditService.Compliance", "auditor-oslo", "everyone", kDenied});
  // An export of a range of the log names everyone in it.
  rows.push_back({"AuditService.Export", "auditor-national", "everyone", kOk});
  rows.push_back({"AuditService.Export", "auditor-oslo", "everyone",
                  kLimitedAuditorOnGlobalLog});
  for (const char* rpc : {"AuditService.Log", "AuditService.SubscribeEvents",
                          "AuditService.ReplayCheck"}) {
    rows.push_back({rpc, "auditor-national", "-", kOk});
    rows.push_back({rpc, "auditor-oslo", "-", kLimitedAuditorOnGlobalLog});
  }
  // What-if: a person in scope, or everyone for `*` only.
  for (const char* auditor : {"auditor-national", "auditor-oslo"}) {
    rows.push_back({"AuditService.WhatIf", auditor, "Oslo person", kOk});
    rows.push_back(
        {"AuditService.WhatIf", auditor, "missing person", kNotFound});
  }
  rows.push_back(
      {"AuditService.WhatIf", "auditor-national", "Bergen person", kOk});
  rows.push_back(
      {"AuditService.WhatIf", "auditor-oslo", "Bergen person", kNotFound});
  rows.push_back({"AuditService.WhatIf", "auditor-national", "everyone", kOk});
  rows.push_back({"AuditService.WhatIf", "auditor-oslo", "everyone",
                  kLimitedAuditorOnGlobalLog});
  // Approving an erasure: an auditor whose scope covers the person.
  for (const char* auditor : {"auditor-national", "auditor-oslo"}) {
    rows.push_back(
        {"AuditService.ApproveErasure", auditor, "Oslo person", kOk});
    rows.push_back(
        {"AuditService.ApproveErasure", auditor, "missing person", kNotFound});
  }
  rows.push_back({"AuditService.ApproveErasure", "auditor-oslo",
                  "Bergen person", kNotFound});
  // Legal holds: an auditor whose scope covers the person (lifted where
  // none was placed: NOT_FOUND, like a missing person).
  for (const char* auditor : {"auditor-national", "auditor-oslo"}) {
    rows.push_back(
        {"AuditService.PlaceLegalHold", auditor, "Oslo person", kOk});
    rows.push_back(
        {"AuditService.PlaceLegalHold", auditor, "missing person", kNotFound});
    rows.push_back(
        {"AuditService.LiftLegalHold", auditor, "missing person", kNotFound});
  }
  rows.push_back({"AuditService.PlaceLegalHold", "auditor-oslo",
                  "Bergen person", kNotFound});
  // Erasing: administrators only (the matrix erases nobody: its persons
  // have no approval by a second principal, see erasure_test).
  rows.push_back({"AdminService.Erase", "admin", "missing person", kNotFound});
  // No personal data: any auditor.
  for (const char* rpc :
       {"AuditService.Verify", "AuditService.Statistics",
        "AuditService.Checkpoints", "AuditService.SigningKey"}) {
    rows.push_back({rpc, "auditor-national", "-", kOk});
    rows.push_back({rpc, "auditor-oslo", "-", kOk});
  }
  // Everyone may ask the time (clients date their events with it).
  for (const ScopedPrincipal& principal : MatrixPrincipals())
    rows.push_back({"AdminService.Now", principal.name, "-", kOk});
  // Backups: administrators only; the matrix's daemon has no --backup_dir
  // (backup_restore_test takes them).
  rows.push_back(
      {"AdminService.Backup", "admin", "-", StatusCode::FAILED_PRECONDITION});
  // Importing persons' backlogs: administrators only.
  rows.push_back({"AdminService.Import", "admin", "-", kOk});
  // Principals: administrators only, in this order (add, then rotate and
  // revoke what was added).
  for (const Row& row : std::vector<Row>{
           {"AdminService.AddPrincipal", "admin", "added principal", kOk},
           {"AdminService.ListPrincipals", "admin", "-", kOk},
           {"AdminService.RotateToken", "admin", "added principal", kOk},
           {"AdminService.RotateToken", "admin", "missing principal",
            kNotFound},
           {"AdminService.RevokePrincipal", "admin", "added principal", kOk},
           {"AdminService.RevokePrincipal", "admin", "missing principal",
            kNotFound},
       }) {
    rows.push_back(row);
  }
  return rows;
}

std::vector<Row> ExpandRows(const std::vector<BadCredentials>& bad) {
  std::vector<Row> rows = AllowedRoleRows();
  std::map<std::string, std::set<std::string>> allowed;
  std::map<std::string, std::string> first_target;
  for (const Row& row : rows) {
    allowed[row.rpc].insert(row.caller);
    first_target.emplace(row.rpc, row.target);
  }
  for (const auto& [rpc, callers] : allowed) {
    for (const ScopedPrincipal& principal : MatrixPrincipals()) {
      if (!callers.contains(principal.name))
        rows.push_back({rpc, principal.name, first_target[rpc], kDenied});
    }
    for (const BadCredentials& credentials : bad)
      rows.push_back(
          {rpc, credentials.name, first_target[rpc], credentials.code});
  }
  return rows;
}

}  // namespace returnpath::integration
