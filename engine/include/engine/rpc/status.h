#ifndef RETURNPATH_ENGINE_RPC_STATUS_H_
#define RETURNPATH_ENGINE_RPC_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"

namespace returnpath::engine {

// absl and gRPC share code numbers; this keeps the message and the code.
inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_RPC_STATUS_H_
