#ifndef RETURNPATH_CLIENTS_LIB_CONNECTION_H_
#define RETURNPATH_CLIENTS_LIB_CONNECTION_H_

// How a client reaches returnpathd and proves who it is.
//
// The bearer token comes from the first of: `token`, `token_file`,
// `as_role` (the dev token a fresh daemon writes to
// <data_dir>/tokens/<role>.token), the RETURNPATH_TOKEN environment variable.
// Explicit options win over the environment; giving two explicit sources is
// an error. Under mutual TLS the client certificate may stand in for a token.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace returnpath::client {

struct ConnectionOptions {
  // host:port. Clear text is allowed only to a loopback address.
  std::string server = "127.0.0.1:7443";
  // PEM files. Any of them (or `tls`) switches to TLS; cert and key together
  // present a client certificate (mutual TLS).
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool tls = false;  // TLS with the system's roots when no ca_file is given
  std::string token;
  std::string token_file;
  std::string as_role;  // reception, adviser, police, auditor, admin
  std::string data_dir = "data";
  // Why the calls read (sent as `purpose` metadata, shown in the access log);
  // empty: none given.
  std::string purpose;
  bool use_env_token =
      true;  // read RETURNPATH_TOKEN when nothing else is given
  // Deadline of each unary call (a long poll adds its wait). Streams such as
  // verify and subscribe run without a deadline.
  absl::Duration timeout = absl::Seconds(10);
};

struct ResolvedToken {
  std::string token;  // empty: none found
  std::string
      source;  // "--token", "data/tokens/admin.token", "$RETURNPATH_TOKEN", ...
};

// INVALID_ARGUMENT for conflicting sources, NOT_FOUND for an unreadable file
// (naming it). No source at all gives an empty token, not an error.
absl::StatusOr<ResolvedToken> ResolveToken(const ConnectionOptions& options);

// A channel with the right credentials (reads the PEM files).
// FAILED_PRECONDITION for clear text off loopback; NOT_FOUND for unreadable
// files.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const ConnectionOptions& options);

bool IsLoopbackAddress(const std::string& server);

}  // namespace returnpath::client

#endif  // RETURNPATH_CLIENTS_LIB_CONNECTION_H_
