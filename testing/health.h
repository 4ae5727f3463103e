#ifndef RETURNPATH_TESTING_HEALTH_H_
#define RETURNPATH_TESTING_HEALTH_H_

#include <memory>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace returnpath::process {

// True once grpc.health.v1.Health/Check for the whole server answers SERVING
// on `channel`, asking again until `timeout` has passed.
bool WaitForServing(const std::shared_ptr<grpc::Channel>& channel,
                    absl::Duration timeout);

}  // namespace returnpath::process

#endif  // RETURNPATH_TESTING_HEALTH_H_
