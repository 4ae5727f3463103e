#ifndef RETURNPATH_ENGINE_RPC_LISTEN_ADDRESS_H_
#define RETURNPATH_ENGINE_RPC_LISTEN_ADDRESS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace returnpath::engine {

// A gRPC listening address taken apart: "host:port", "[v6]:port" or
// "unix:path".
struct ListenAddress {
  bool unix_socket = false;
  std::string host;  // without brackets; the path for a unix socket
  int port = 0;
};

// INVALID_ARGUMENT naming `address` when it is none of the forms above.
absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view address);

// True only for a unix socket, an IPv4 address in 127.0.0.0/8, ::1, or the
// host name "localhost" exactly. Anything that does not parse is not loopback
// (a host named "127.x.example" is a network name).
bool IsLoopback(absl::string_view address);

// Why binding `address` fails right now, e.g. "address in use (another process
// listens on port 7443)"; empty when it can be bound. For the message after
// gRPC refused to listen without saying why.
std::string WhyCannotBind(const ListenAddress& address);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_RPC_LISTEN_ADDRESS_H_
