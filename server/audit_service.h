#ifndef RETURNPATH_SERVER_AUDIT_SERVICE_H_
#define RETURNPATH_SERVER_AUDIT_SERVICE_H_

#include "engine/rpc/request_decoding.h"
#include "engine/rpc/wake_signal.h"
#include "returnpath/v1/services.grpc.pb.h"
#include "server/service_deps.h"

namespace returnpath::engine {

// The auditors' read-only service: histories, the global log, as-of views,
// chain verification, replay check, live subscription, statistics, the
// access log and what-if under another policy. Thread-safe; `deps` and
// `commits` (notified after every durable commit) must outlive it.
class AuditService final : public v1::AuditService::CallbackService {
 public:
  AuditService(ServiceDeps deps, WakeSignal* commits)
      : deps_(deps), commits_(commits) {
    DecodeGuards(this, "returnpath.v1.AuditService")
        .Method("History", &AuditService::History)
        .Method("Log", &AuditService::Log)
        .Method("PathwayAsOf", &AuditService::PathwayAsOf)
        .Method("Verify", &AuditService::Verify)
        .Method("ReplayCheck", &AuditService::ReplayCheck)
        .Method("SubscribeEvents", &AuditService::SubscribeEvents)
        .Method("Statistics", &AuditService::Statistics)
        .Method("AccessLog", &AuditService::AccessLog)
        .Method("WhatIf", &AuditService::WhatIf);
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
  // In audit_what_if.cc.
  grpc::ServerWriteReactor<v1::WhatIfResponse>* WhatIf(
      grpc::CallbackServerContext* ctx,
      const v1::WhatIfRequest* request) override;

 private:
  // What PathwayAsOf reads, checked; served once logged.
  absl::StatusOr<v1::PathwayView> ReadAsOf(const Principal& principal,
                                           const v1::AsOfRequest& request) const;
  // One page of the access log, checked; served once its own read is logged.
  absl::StatusOr<v1::AccessLogResponse> AccessLogPage(
      const Principal& principal, const v1::AccessLogRequest& request) const;

  const ServiceDeps deps_;
  WakeSignal* const commits_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_AUDIT_SERVICE_H_
