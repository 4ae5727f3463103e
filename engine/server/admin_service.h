#ifndef RETURNPATH_ENGINE_SERVER_ADMIN_SERVICE_H_
#define RETURNPATH_ENGINE_SERVER_ADMIN_SERVICE_H_

#include "engine/clock.h"
#include "engine/server/service_deps.h"
#include "returnpath/v1/services.grpc.pb.h"

namespace returnpath::engine {

// The administrator's service. AdvanceClock works only when the daemon was
// started in test clock mode (`manual_clock` non-null); it is refused
// otherwise. Thread-safe; what it points to must outlive it.
class AdminService final : public v1::AdminService::CallbackService {
 public:
  AdminService(ServiceDeps deps, ManualClock* manual_clock)
      : deps_(deps), manual_clock_(manual_clock) {}

  grpc::ServerUnaryReactor* AdvanceClock(grpc::CallbackServerContext* ctx,
                                         const v1::AdvanceClockRequest* request,
                                         v1::ClockResponse* response) override;
  grpc::ServerUnaryReactor* Now(grpc::CallbackServerContext* ctx,
                                const v1::NowRequest* request,
                                v1::ClockResponse* response) override;

 private:
  const ServiceDeps deps_;
  ManualClock* const manual_clock_;  // null unless in test clock mode
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_SERVER_ADMIN_SERVICE_H_
