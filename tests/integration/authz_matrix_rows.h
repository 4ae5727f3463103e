#ifndef RETURNPATH_TESTS_INTEGRATION_AUTHZ_MATRIX_ROWS_H_
#define RETURNPATH_TESTS_INTEGRATION_AUTHZ_MATRIX_ROWS_H_

// The authorization matrix's who and what: one scoped principal per role, and
// the rows (RPC x caller x target, with the exact code the security contract
// of issue 10 gives).

#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "returnpath/v1/auth.pb.h"
#include "tests/integration/rpc_calls.h"

namespace returnpath::integration {

struct ScopedPrincipal {
  std::string name;  // also its certificate's CN
  v1::Role role;
  std::vector<std::string> scopes;
  std::vector<std::string> allowed_event_types;
};

// The principals that are rows of the matrix, one per role.
const std::vector<ScopedPrincipal>& MatrixPrincipals();
// Not rows of the matrix: the registrar sets the scene, the witness checks
// that refused calls wrote nothing.
const std::vector<ScopedPrincipal>& StagePrincipals();
std::string TokenOf(const std::string& principal);
// Each principal answers to its token and to a client certificate whose CN
// is its name.
std::vector<v1::PrincipalEntry> PrincipalEntries();

struct Row {
  std::string rpc;     // a label of RpcCalls()
  std::string caller;  // a principal, or a kind of bad credentials
  std::string target;  // a name in World::targets
  grpc::StatusCode code;
};

std::string RowName(const Row& row);
std::string CodeName(grpc::StatusCode code);

// The rows of the roles that may call each RPC. Every other role gets
// PERMISSION_DENIED on the RPC's first target (ExpandRows).
std::vector<Row> AllowedRoleRows();

// Credentials the daemon must refuse, and the code it refuses them with.
struct BadCredentials {
  std::string name;
  Caller caller;
  grpc::StatusCode code;
};

// The allowed-role rows, then for each RPC: every other role refused
// (PERMISSION_DENIED) and every bad credential refused, on the RPC's first
// target.
std::vector<Row> ExpandRows(const std::vector<BadCredentials>& bad);

}  // namespace returnpath::integration

#endif  // RETURNPATH_TESTS_INTEGRATION_AUTHZ_MATRIX_ROWS_H_
