#ifndef RETURNPATH_ENGINE_RPC_GRPC_SERVER_H_
#define RETURNPATH_ENGINE_RPC_GRPC_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/rpc/call_observer.h"
#include "grpcpp/grpcpp.h"

namespace returnpath::engine {

struct GrpcServerOptions {
  // Loopback by default: an insecure listener on another address is refused.
  std::string listen = "127.0.0.1:7443";
  // PEM files. With cert and key the server speaks TLS; with a client CA too,
  // it requires and verifies client certificates (mutual TLS).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  // Bounds that keep one client from starving the rest.
  int max_message_bytes = 4 << 20;
  int max_concurrent_streams = 256;
  // Each call is reported to these (a request log, metrics); none set: not
  // observed.
  CallHooks call_hooks;
};

// A started gRPC server with the standard health and reflection services.
// Thread-safe; the services passed in must outlive it.
class GrpcServer {
 public:
  // Binds (port 0 picks a free port) and starts serving; health reports
  // SERVING.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const GrpcServerOptions& options,
      const std::vector<grpc::Service*>& services);
  ~GrpcServer();

  int port() const { return port_; }
  // Health to NOT_SERVING, stop accepting, let calls in flight finish until
  // `grace` has passed, then cancel the rest.
  void Shutdown(absl::Duration grace);

 private:
  GrpcServer(std::unique_ptr<grpc::Server> server, int port)
      : server_(std::move(server)), port_(port) {}
  std::unique_ptr<grpc::Server> server_;
  int port_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_RPC_GRPC_SERVER_H_
