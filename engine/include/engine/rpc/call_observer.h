#ifndef RETURNPATH_ENGINE_RPC_CALL_OBSERVER_H_
#define RETURNPATH_ENGINE_RPC_CALL_OBSERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/server_interceptor.h"

namespace returnpath::engine {

// One finished call, as a request log or metrics see it.
struct CallRecord {
  std::string method;  // "/package.Service/Method"
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string reason;      // the status message; empty when OK
  absl::Duration latency;  // from the call's start to its status
  std::string principal;   // CallHooks::principal's answer
  // What CallHooks::subjects found in the requests, each once, in order.
  std::vector<std::string> subjects;
};

// What a server asks of each call it serves. Every hook may be null.
struct CallHooks {
  // Who makes the call, once its metadata has arrived ("" if nobody).
  std::function<std::string(const grpc::ServerContextBase&)> principal;
  // Adds the ids a request names to `out`. Asked for every message received
  // on a method whose name starts with `message_prefix`; those methods'
  // messages must be protobuf messages (generated services' are).
  std::string message_prefix;
  std::function<void(const google::protobuf::Message& request,
                     std::vector<std::string>* out)>
      subjects;
  // Told of each call when its status is sent, on a gRPC thread: must not
  // block.
  std::function<void(const CallRecord&)> finished;
};

// A gRPC server interceptor factory that reports every call to `hooks`
// (GrpcServerOptions::call_hooks installs it).
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewCallObserver(CallHooks hooks);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_RPC_CALL_OBSERVER_H_
