#ifndef RETURNPATH_SERVER_AUDIT_SERVICE_H_
#define RETURNPATH_SERVER_AUDIT_SERVICE_H_

#include "engine/rpc/request_decoding.h"
#include "engine/rpc/wake_signal.h"
#include "returnpath/v1/services.grpc.pb.h"
#include "server/service_deps.h"
#include "server/signing_key.h"

namespace returnpath::engine {

// The auditors' read-only service: histories, the global log, as-of views,
// chain verification, replay check, live subscription, statistics, the
// access log, the compliance report, what-if under another policy, signed
// exports and checkpoints. Thread-safe; `deps`, `commits` (notified after
// every durable commit) and `signing_key` (null: exports and the public key
// are refused) must outlive it.
class AuditService final : public v1::AuditService::CallbackService {
 public:
  AuditService(ServiceDeps deps, WakeSignal* commits,
               const engine::SigningKey* signing_key = nullptr)
      : deps_(deps), commits_(commits), signing_key_(signing_key) {
    DecodeGuards(this, "returnpath.v1.AuditService")
        .Method("History", &AuditService::History)
        .Method("Log", &AuditService::Log)
        .Method("PathwayAsOf", &AuditService::PathwayAsOf)
        .Method("Verify", &AuditService::Verify)
        .Method("ReplayCheck", &AuditService::ReplayCheck)
        .Method("SubscribeEvents", &AuditService::SubscribeEvents)
        .Method("Statistics", &AuditService::Statistics)
        .Method("AccessLog", &AuditService::AccessLog)
        .Method("Compliance", &AuditService::Compliance)
        .Method("Export", &AuditService::Export)
        .Method("Checkpoints", &AuditService::Checkpoints)
        .Method("SigningKey", &AuditService::SigningKey)
        .Method("WhatIf", &AuditService::WhatIf)
        .Method("ApproveErasure", &AuditService::ApproveErasure)
        .Method("PlaceLegalHold", &AuditService::PlaceLegalHold)
        .Method("LiftLegalHold", &AuditService::LiftLegalHold);
  }

  grpc::ServerWriteReactor<v1::EventEnvelope>* History(
      grpc::CallbackServerContext* ctx,
      const v1::HistoryRequest* request) override;
  grpc::ServerWriteReactor<v1::EventEnvelope>* Log(
      grpc::CallbackServerContext* ctx, const v1::LogRequest* request) override;
  grpc::ServerUnaryReactor* PathwayAsOf(grpc::CallbackServerContext* ctx,
                                        const v1::AsOfRequest* request,
                                        v1::PathwayView* response) override;
  grpc::ServerWriteReactor<v1::VerifyResponse>* Verify(
      grpc::CallbackServerContext* ctx,
      const v1::VerifyRequest* request) override;
  grpc::ServerWriteReactor<v1::ReplayCheckResponse>* ReplayCheck(
      grpc::CallbackServerContext* ctx,
      const v1::ReplayCheckRequest* request) override;
  grpc::ServerWriteReactor<v1::EventEnvelope>* SubscribeEvents(
      grpc::CallbackServerContext* ctx,
      const v1::SubscribeEventsRequest* request) override;
  grpc::ServerUnaryReactor* Statistics(
      grpc::CallbackServerContext* ctx, const v1::StatisticsRequest* request,
      v1::StatisticsResponse* response) override;
  grpc::ServerUnaryReactor* AccessLog(grpc::CallbackServerContext* ctx,
                                      const v1::AccessLogRequest* request,
                                      v1::AccessLogResponse* response) override;
  // audit_compliance.cc
  grpc::ServerWriteReactor<v1::ComplianceResponse>* Compliance(
      grpc::CallbackServerContext* ctx,
      const v1::ComplianceRequest* request) override;
  // audit_export.cc
  grpc::ServerWriteReactor<v1::ExportChunk>* Export(
      grpc::CallbackServerContext* ctx,
      const v1::ExportRequest* request) override;
  grpc::ServerUnaryReactor* Checkpoints(
      grpc::CallbackServerContext* ctx, const v1::CheckpointsRequest* request,
      v1::CheckpointsResponse* response) override;
  grpc::ServerUnaryReactor* SigningKey(
      grpc::CallbackServerContext* ctx, const v1::SigningKeyRequest* request,
      v1::SigningKeyResponse* response) override;
  // audit_what_if.cc
  grpc::ServerWriteReactor<v1::WhatIfResponse>* WhatIf(
      grpc::CallbackServerContext* ctx,
      const v1::WhatIfRequest* request) override;
  // erasure_calls.cc
  grpc::ServerUnaryReactor* ApproveErasure(
      grpc::CallbackServerContext* ctx,
      const v1::ApproveErasureRequest* request,
      v1::ApproveErasureResponse* response) override;
  grpc::ServerUnaryReactor* PlaceLegalHold(
      grpc::CallbackServerContext* ctx, const v1::LegalHoldRequest* request,
      v1::LegalHoldResponse* response) override;
  grpc::ServerUnaryReactor* LiftLegalHold(
      grpc::CallbackServerContext* ctx, const v1::LegalHoldRequest* request,
      v1::LegalHoldResponse* response) override;

 private:
  // What PathwayAsOf reads, checked; served once logged.
  absl::StatusOr<v1::PathwayView> ReadAsOf(const Principal& principal,
                                           const v1::AsOfRequest& request) const;
  // One page of the access log, checked; served once its own read is logged.
  absl::StatusOr<v1::AccessLogResponse> AccessLogPage(
      const Principal& principal, const v1::AccessLogRequest& request) const;

  const ServiceDeps deps_;
  WakeSignal* const commits_;
  const engine::SigningKey* const signing_key_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_AUDIT_SERVICE_H_
