// Erasing a person with four eyes: an auditor approves
// (AuditService.ApproveErasure), an administrator other than them erases
// (AdminService.Erase). The engine keeps the approval and checks that the
// two are different principals (EventStore::ApproveErasure, Erase).

#include "absl/strings/str_cat.h"
#include "engine/proto_time.h"
#include "engine/replay.h"
#include "engine/rpc/log.h"
#include "engine/rpc/unary_call.h"
#include "engine/status_macros.h"
#include "server/admin_service.h"
#include "server/audit_service.h"
#include "server/auditor_calls.h"
#include "server/input_bounds.h"
#include "server/person_scope.h"

namespace returnpath::engine {
namespace {

// How long an approval waits for the administrator.
constexpr absl::Duration kApprovalValidFor = absl::Hours(24 * 7);

absl::Status RequirePersonAndReason(absl::string_view person_id,
                                    absl::string_view reason) {
  if (person_id.empty()) {
    return absl::InvalidArgumentError("person_id is required");
  }
  if (reason.empty()) {
    return absl::InvalidArgumentError(
        "reason is required: why this person's data may be erased (name no "
        "personal data in it: it stays in the log)");
  }
  return absl::OkStatus();
}

// The engine's refusal, said of the person.
absl::Status Refused(absl::string_view what, absl::string_view person_id,
                     const absl::Status& status) {
  if (absl::IsNotFound(status)) return NoSuchPerson(person_id);
  return absl::Status(
      status.code(),
      absl::StrCat("cannot ", what, " ", person_id, ": ", status.message()));
}

}  // namespace

grpc::ServerUnaryReactor* AuditService::ApproveErasure(
    grpc::CallbackServerContext* ctx, const v1::ApproveErasureRequest* request,
    v1::ApproveErasureResponse* response) {
  return RunUnarySync(
      deps_, ctx, [this, request, response](const Principal& principal) {
        RP_RETURN_IF_ERROR(
            RequireAuditor(principal, "approve the erasure of a person"));
        RP_RETURN_IF_ERROR(CheckBounds(*request));
        const std::string& person = request->person_id();
        RP_RETURN_IF_ERROR(RequirePersonAndReason(person, request->reason()));
        RP_RETURN_IF_ERROR(
            ReadablePerson(*deps_.store, principal, person).status());
        v1::ErasureApproval approval;
        approval.set_stream_id(person);
        approval.set_approved_by(principal.name);
        approval.set_reason(request->reason());
        const absl::Time now = deps_.clock->Now();
        const absl::Status approved = deps_.store->ApproveErasure(approval);
        if (!approved.ok()) {
          return Refused("approve the erasure of", person, approved);
        }
        *response->mutable_approved_at() = ToTimestamp(now);
        *response->mutable_expires_at() = ToTimestamp(now + kApprovalValidFor);
        LogLine("info", "erasure approved", {{"by", principal.name}});
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AuditService::PlaceLegalHold(
    grpc::CallbackServerContext* ctx, const v1::LegalHoldRequest* request,
    v1::LegalHoldResponse* response) {
  return RunUnarySync(
      deps_, ctx, [this, request, response](const Principal& principal) {
        RP_RETURN_IF_ERROR(
            RequireAuditor(principal, "place a legal hold on a person"));
        RP_RETURN_IF_ERROR(CheckBounds(*request));
        const std::string& person = request->person_id();
        if (request->reason().empty()) {
          return absl::InvalidArgumentError(
              "reason is required: why the person's data must be kept (name "
              "no personal data in it)");
        }
        if (person.empty()) {
          return absl::InvalidArgumentError("person_id is required");
        }
        RP_RETURN_IF_ERROR(
            ReadablePerson(*deps_.store, principal, person).status());
        v1::LegalHold hold;
        hold.set_stream_id(person);
        hold.set_placed_by(principal.name);
        hold.set_reason(request->reason());
        const absl::Status placed = deps_.store->PlaceLegalHold(hold);
        if (!placed.ok()) {
          return Refused("place a legal hold on", person, placed);
        }
        *hold.mutable_placed_at() = ToTimestamp(deps_.clock->Now());
        *response->mutable_hold() = std::move(hold);
        LogLine("info", "legal hold placed", {{"by", principal.name}});
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AuditService::LiftLegalHold(
    grpc::CallbackServerContext* ctx, const v1::LegalHoldRequest* request,
    v1::LegalHoldResponse* response) {
  return RunUnarySync(
      deps_, ctx, [this, request, response](const Principal& principal) {
        RP_RETURN_IF_ERROR(
            RequireAuditor(principal, "lift a legal hold on a person"));
        RP_RETURN_IF_ERROR(CheckBounds(*request));
        const std::string& person = request->person_id();
        if (person.empty()) {
          return absl::InvalidArgumentError("person_id is required");
        }
        RP_RETURN_IF_ERROR(
            ReadablePerson(*deps_.store, principal, person).status());
        absl::StatusOr<v1::LegalHold> lifted =
            deps_.store->LiftLegalHold(person);
        if (absl::IsNotFound(lifted.status())) {
          return absl::NotFoundError(
              absl::StrCat(person, " has no legal hold to lift"));
        }
        if (!lifted.ok()) return lifted.status();
        *response->mutable_hold() = *std::move(lifted);
        LogLine("info", "legal hold lifted", {{"by", principal.name}});
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AdminService::Erase(grpc::CallbackServerContext* ctx,
                                              const v1::EraseRequest* request,
                                              v1::EraseResponse* response) {
  return RunUnarySync(
      deps_, ctx, [this, request, response](const Principal& principal) {
        RP_RETURN_IF_ERROR(
            RequireRole(principal, {v1::ROLE_ADMIN}, "erase a person"));
        RP_RETURN_IF_ERROR(CheckBounds(*request));
        const std::string& person = request->person_id();
        RP_RETURN_IF_ERROR(RequirePersonAndReason(person, request->reason()));
        EraseRequest erase;
        erase.stream_id = person;
        erase.principal = principal.name;
        erase.reason = request->reason();
        erase.approval_valid_for = kApprovalValidFor;
        absl::StatusOr<EraseResult> erased =
            EraseStream(*deps_.store, *deps_.workflow, std::move(erase));
        if (!erased.ok()) return Refused("erase", person, erased.status());
        response->set_position(erased->position);
        response->set_events_erased(erased->events_erased);
        response->set_approved_by(erased->approval.approved_by());
        // The log names no person: the erasure event in the store does.
        LogLine("info", "erased",
                {{"by", principal.name},
                 {"approved_by", erased->approval.approved_by()},
                 {"position", absl::StrCat(erased->position)}});
        return absl::OkStatus();
      });
}

}  // namespace returnpath::engine
