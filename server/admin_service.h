#ifndef RETURNPATH_SERVER_ADMIN_SERVICE_H_
#define RETURNPATH_SERVER_ADMIN_SERVICE_H_

#include <cstdint>
#include <string>
#include <utility>

#include "engine/clock.h"
#include "engine/rpc/request_decoding.h"
#include "returnpath/v1/services.grpc.pb.h"
#include "server/principal_registry.h"
#include "server/service_deps.h"

namespace returnpath::engine {

// The administrator's service: the clock, the principals, backups and the
// import of persons' backlogs (server/backlog_import.h); no personal data is
// served. AdvanceClock works only when the daemon was started
// in test clock mode
// (`manual_clock` non-null); it is refused otherwise. Thread-safe; what it
// points to must outlive it.
class AdminService final : public v1::AdminService::CallbackService {
 public:
  // `backup_dir` (empty: none) is where Backup writes, `backup_keep` how
  // many backups it keeps in a directory (0: all).
  AdminService(ServiceDeps deps, ManualClock* manual_clock,
               PrincipalRegistry* principals, std::string backup_dir = "",
               uint32_t backup_keep = 0)
      : deps_(deps),
        manual_clock_(manual_clock),
        principals_(principals),
        backup_dir_(std::move(backup_dir)),
        backup_keep_(backup_keep) {
    DecodeGuards(this, "returnpath.v1.AdminService")
        .Method("AdvanceClock", &AdminService::AdvanceClock)
        .Method("Now", &AdminService::Now)
        .Method("Backup", &AdminService::Backup)
        .Method("Import", &AdminService::Import)
        .Method("Erase", &AdminService::Erase)
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
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* ctx,
                                   const v1::BackupRequest* request,
                                   v1::BackupResponse* response) override;
  grpc::ServerUnaryReactor* Import(grpc::CallbackServerContext* ctx,
                                   const v1::ImportRequest* request,
                                   v1::ImportResponse* response) override;
  // erasure_calls.cc
  grpc::ServerUnaryReactor* Erase(grpc::CallbackServerContext* ctx,
                                  const v1::EraseRequest* request,
                                  v1::EraseResponse* response) override;
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
  // Where a backup `request` goes: inside backup_dir_, or INVALID_ARGUMENT.
  absl::StatusOr<std::string> BackupDirectory(
      const v1::BackupRequest& request) const;

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
  const std::string backup_dir_;
  const uint32_t backup_keep_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_ADMIN_SERVICE_H_
