#ifndef RETURNPATH_ENGINE_SERVER_SERVICE_DEPS_H_
#define RETURNPATH_ENGINE_SERVER_SERVICE_DEPS_H_

#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/server/access_log.h"
#include "engine/server/auth.h"
#include "engine/server/executor.h"
#include "engine/workflow.h"

namespace returnpath::engine {

// What the gRPC services share. Nothing here is owned; all of it must outlive
// the services.
struct ServiceDeps {
  EventStore* store = nullptr;
  const Workflow* workflow = nullptr;
  const Authenticator* auth = nullptr;
  Executor* executor = nullptr;  // runs the blocking part of each call
  Clock* clock = nullptr;
  AccessLog* access_log = nullptr;  // every read of a person's data is logged
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_SERVER_SERVICE_DEPS_H_
