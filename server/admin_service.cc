#include "server/admin_service.h"

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/proto_time.h"
#include "engine/rpc/log.h"
#include "engine/rpc/unary_call.h"
#include "engine/status_macros.h"
#include "server/backlog_import.h"
#include "server/backup_schedule.h"

namespace returnpath::engine {
namespace {

// Counts only: the log names no person.
void LogImport(const v1::ImportResponse& response, const std::string& by) {
  int counts[v1::ImportResult_ARRAYSIZE] = {};
  for (const v1::PersonImportOutcome& outcome : response.outcomes())
    ++counts[outcome.result()];
  LogLine("info", "imported",
          {{"imported", absl::StrCat(counts[v1::IMPORT_RESULT_IMPORTED])},
           {"already_present",
            absl::StrCat(counts[v1::IMPORT_RESULT_ALREADY_PRESENT])},
           {"refused", absl::StrCat(counts[v1::IMPORT_RESULT_REFUSED])},
           {"by", by}});
}

}  // namespace

grpc::ServerUnaryReactor* AdminService::AdvanceClock(
    grpc::CallbackServerContext* ctx, const v1::AdvanceClockRequest* request,
    v1::ClockResponse* response) {
  return RunUnarySync(
      deps_, ctx, [this, request, response](const Principal& principal) {
        RP_RETURN_IF_ERROR(
            RequireRole(principal, {v1::ROLE_ADMIN}, "move the clock"));
        if (manual_clock_ == nullptr) {
          return absl::FailedPreconditionError(
              "the clock can be moved only when returnpathd runs with "
              "--clock=manual (tests)");
        }
        switch (request->to_case()) {
          case v1::AdvanceClockRequest::kBy: {
            const absl::Duration by = absl::Seconds(request->by().seconds()) +
                                      absl::Nanoseconds(request->by().nanos());
            if (by < absl::ZeroDuration()) {
              return absl::InvalidArgumentError(
                  "by must not be negative: time never goes back");
            }
            manual_clock_->Advance(by);
            break;
          }
          case v1::AdvanceClockRequest::kUntil: {
            const absl::Time until = FromTimestamp(request->until());
            if (until < manual_clock_->Now()) {
              return absl::InvalidArgumentError(absl::StrCat(
                  "until ", absl::FormatTime(until), " is before now (",
                  absl::FormatTime(manual_clock_->Now()),
                  "): time never goes back"));
            }
            manual_clock_->SetTime(until);
            break;
          }
          default:
            return absl::InvalidArgumentError("give `by` or `until`");
        }
        *response->mutable_now() = ToTimestamp(manual_clock_->Now());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AdminService::Now(grpc::CallbackServerContext* ctx,
                                            const v1::NowRequest* request,
                                            v1::ClockResponse* response) {
  return RunUnarySync(deps_, ctx, [this, response](const Principal& principal) {
    *response->mutable_now() = ToTimestamp(deps_.clock->Now());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminService::Backup(grpc::CallbackServerContext* ctx,
                                               const v1::BackupRequest* request,
                                               v1::BackupResponse* response) {
  return RunUnarySync(
      deps_, ctx, [this, request, response](const Principal& principal) {
        RP_RETURN_IF_ERROR(
            RequireRole(principal, {v1::ROLE_ADMIN}, "back the store up"));
        if (backup_dir_.empty()) {
          return absl::FailedPreconditionError(
              "cannot back up: returnpathd runs without --backup_dir");
        }
        RP_ASSIGN_OR_RETURN(const std::string dir, BackupDirectory(*request));
        RP_ASSIGN_OR_RETURN(
            const TakenBackup taken,
            BackUpAndLog(*deps_.store, dir, backup_keep_, principal.name));
        const StoreBackup& backup = taken.backup;
        response->set_backup_id(backup.id);
        response->set_covers_position(backup.covers_position);
        response->set_chain_head(backup.chain_head);
        response->set_bytes(backup.bytes);
        response->set_files(backup.files);
        response->mutable_took()->set_seconds(absl::ToInt64Seconds(taken.took));
        response->mutable_took()->set_nanos(static_cast<int32_t>(
            absl::ToInt64Nanoseconds(taken.took % absl::Seconds(1))));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AdminService::Import(grpc::CallbackServerContext* ctx,
                                               const v1::ImportRequest* request,
                                               v1::ImportResponse* response) {
  return RunUnary(
      deps_, ctx,
      [this, request, response](const Principal& principal, Finish finish) {
        absl::Status allowed = RequireRole(principal, {v1::ROLE_ADMIN},
                                           "import persons' backlogs");
        if (allowed.ok() && request->check_only()) {
          absl::StatusOr<v1::ImportResponse> checked = CheckOnly(
              *request, *deps_.store, *deps_.workflow, deps_.clock->Now());
          if (checked.ok()) *response = *std::move(checked);
          return finish(checked.status());
        }
        if (allowed.ok()) {
          allowed = CheckImport(*request, *deps_.store, *deps_.workflow,
                                deps_.clock->Now());
        }
        if (!allowed.ok()) return finish(allowed);
        WriteImport(*request, *deps_.store, principal.name,
                    [response, finish = std::move(finish), by = principal.name](
                        absl::StatusOr<v1::ImportResponse> written) mutable {
                      if (!written.ok()) return finish(written.status());
                      *response = *std::move(written);
                      LogImport(*response, by);
                      finish(absl::OkStatus());
                    });
      });
}

absl::StatusOr<std::string> AdminService::BackupDirectory(
    const v1::BackupRequest& request) const {
  const std::string& to = request.to();
  if (to.empty()) return backup_dir_;
  const bool plain =
      to.size() <= 128 && to.front() != '.' && absl::c_all_of(to, [](char c) {
        return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.';
      });
  if (!plain) {
    return absl::InvalidArgumentError(
        "to: a directory name inside --backup_dir (letters, digits, '-', "
        "'_', '.'; not starting with '.'), not a path");
  }
  return absl::StrCat(backup_dir_, "/", to);
}

template <typename Change>
grpc::ServerUnaryReactor* AdminService::ManagePrincipals(
    grpc::CallbackServerContext* ctx, absl::string_view change_name,
    v1::PrincipalResponse* response, Change change) {
  return RunUnarySync(
      deps_, ctx,
      [response, change_name = std::string(change_name),
       change = std::move(change)](const Principal& principal) {
        RP_RETURN_IF_ERROR(
            RequireRole(principal, {v1::ROLE_ADMIN}, "manage principals"));
        RP_ASSIGN_OR_RETURN(*response, change());
        // Who may do what changed: the operator's log keeps who changed it.
        const v1::PrincipalSummary& changed = response->principal();
        LogLine("info", "principal changed",
                {{"change", change_name},
                 {"principal", changed.name()},
                 {"role", v1::Role_Name(changed.role())},
                 {"scopes", absl::StrJoin(changed.scopes(), " ")},
                 {"by", principal.name}});
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AdminService::AddPrincipal(
    grpc::CallbackServerContext* ctx, const v1::AddPrincipalRequest* request,
    v1::PrincipalResponse* response) {
  return ManagePrincipals(ctx, "added", response, [this, request] {
    return principals_->Add(*request);
  });
}

grpc::ServerUnaryReactor* AdminService::RevokePrincipal(
    grpc::CallbackServerContext* ctx, const v1::RevokePrincipalRequest* request,
    v1::PrincipalResponse* response) {
  return ManagePrincipals(ctx, "revoked", response, [this, request] {
    return principals_->Revoke(request->name());
  });
}

grpc::ServerUnaryReactor* AdminService::RotateToken(
    grpc::CallbackServerContext* ctx, const v1::RotateTokenRequest* request,
    v1::PrincipalResponse* response) {
  return ManagePrincipals(ctx, "token rotated", response, [this, request] {
    return principals_->Rotate(request->name());
  });
}

grpc::ServerUnaryReactor* AdminService::ListPrincipals(
    grpc::CallbackServerContext* ctx, const v1::ListPrincipalsRequest* request,
    v1::ListPrincipalsResponse* response) {
  return RunUnarySync(deps_, ctx, [this, response](const Principal& principal) {
    RP_RETURN_IF_ERROR(
        RequireRole(principal, {v1::ROLE_ADMIN}, "manage principals"));
    for (v1::PrincipalSummary& summary : principals_->List())
      *response->add_principals() = std::move(summary);
    return absl::OkStatus();
  });
}

}  // namespace returnpath::engine
