#ifndef RETURNPATH_SERVER_ADMIN_SERVICE_H_
#define RETURNPATH_SERVER_ADMIN_SERVICE_H_

#include "engine/clock.h"
#include "engine/rpc/request_decoding.h"
#include "returnpath/v1/services.grpc.pb.h"
#include "server/principal_registry.h"
#include "server/service_deps.h"

namespace returnpath::engine {

// The administrator's service: the clock and the principals; no personal
// data. AdvanceClock works only when the daemon was started in test clock mode
// (`manual_clock` non-null); it is refused otherwise. Thread-safe; what it
// points to must outlive it.
class AdminService final : public v1::AdminService::CallbackService {
 public:
  AdminService(ServiceDeps deps, ManualClock* manual_clock,
               PrincipalRegistry* principals)
      : deps_(deps), manual_clock_(manual_clock), principals_(principals) {
    DecodeGuards(this, "returnpath.v1.AdminService")
        .Method("AdvanceClock", &AdminService::AdvanceClock)
        .Method("Now", &AdminService::Now)
        .Method("AddPrincipal", &AdminService::AddPrincipal)
        .Method("ListPrincipals", &AdminService::ListPrincipals)
        .Method("RevokePrincipal", &AdminService::RevokePrincipal)
        .Method("RotateToken", &AdminService::RotateToken);
  }

  grpc::ServerUnaryReactor* AdvanceClock(grpc::CallbackServerContext* ctx,
                                         const v1::AdvanceClockRequest* request,
                                         v1::ClockResponse* response) override;
  grpc::ServerUnaryReactor* Now(grpc::CallbackServerContext* ctx,
                                const v1::NowRequest* request,
                                v1::ClockResponse* response) override;
  grpc::ServerUnaryReactor* AddPrincipal(
      grpc::CallbackServerContext* ctx, const v1::AddPrincipalRequest* request,
      v1::PrincipalResponse* response) override;
  grpc::ServerUnaryReactor* ListPrincipals(
      grpc::CallbackServerContext* ctx,
      const v1::ListPrincipalsRequest* request,
      v1::ListPrincipalsResponse* response) override;
  grpc::ServerUnaryReactor* RevokePrincipal(
      grpc::CallbackServerContext* ctx,
      const v1::RevokePrincipalRequest* request,
      v1::PrincipalResponse* response) override;
  grpc::ServerUnaryReactor* RotateToken(
      grpc::CallbackServerContext* ctx, const v1::RotateTokenRequest* request,
      v1::PrincipalResponse* response) override;

 private:
  // Runs `change` for an administrator, answers with its result and logs who
  // changed which principal (`change_name`, e.g. "revoked").
  template <typename Change>
  grpc::ServerUnaryReactor* ManagePrincipals(grpc::CallbackServerContext* ctx,
                                             absl::string_view change_name,
                                             v1::PrincipalResponse* response,
                                             Change change);

  const ServiceDeps deps_;
  ManualClock* const manual_clock_;  // null unless in test clock mode
  PrincipalRegistry* const principals_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_ADMIN_SERVICE_H_
