#ifndef RETURNPATH_CLIENTS_LIB_CLIENT_H_
#define RETURNPATH_CLIENTS_LIB_CLIENT_H_

// A blocking client for returnpathd: one method per RPC of
// proto/returnpath/v1/services.proto, each attaching the bearer token and a
// deadline and returning the server's status code and message unchanged as an
// absl::Status. Thread-safe (calls may run concurrently); it owns its channel.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/lib/connection.h"
#include "clients/lib/event_kinds.h"
#include "grpcpp/grpcpp.h"
#include "returnpath/v1/services.grpc.pb.h"

namespace returnpath::client {

struct RecordOptions {
  std::optional<uint64_t> expected_version;  // unset: any; 0: must be new
  std::string idempotency_key;
  std::string correlation_id;
  // Unset: 00:00 Europe/Oslo on the event's legal date if it has one, else
  // the daemon's clock (AdminService.Now).
  std::optional<absl::Time> effective_time;
};

// Reads one message of a stream; return false to stop (the call is cancelled
// and the read ends with OK).
template <typename T>
using OnMessage = absl::FunctionRef<bool(const T&)>;

class Client {
 public:
  // Resolves the token and builds the channel; connects lazily (the first call
  // fails with UNAVAILABLE if the daemon is not there).
  static absl::StatusOr<std::unique_ptr<Client>> Connect(
      const ConnectionOptions& options);
  Client(std::shared_ptr<grpc::Channel> channel, std::string token,
         absl::Duration timeout);

  const std::string& token() const { return token_; }
  // Sent with every later call as its `purpose` metadata (empty: none).
  void set_purpose(std::string purpose) { purpose_ = std::move(purpose); }

  // ---- PathwayService
  absl::StatusOr<v1::RecordEventResponse> RecordEvent(
      const v1::RecordEventRequest& request);
  // Sends a built domain event for `person_id` (see RecordOptions).
  absl::StatusOr<v1::RecordEventResponse> Record(
      const std::string& person_id, const BuiltEvent& event,
      const RecordOptions& options = {});
  absl::StatusOr<v1::PathwayView> GetPathway(const std::string& person_id);
  absl::StatusOr<v1::ListPathwaysResponse> ListPathways(
      const v1::ListPathwaysRequest& request);

  // ---- TaskService
  absl::StatusOr<v1::PollTasksResponse> Poll(
      const v1::PollTasksRequest& request);
  absl::Status SubscribeTasks(const v1::SubscribeTasksRequest& request,
                              OnMessage<v1::Task> on_task);
  absl::StatusOr<v1::CompleteTaskResponse> Complete(
      const v1::CompleteTaskRequest& request);
  absl::StatusOr<v1::Task> Fail(const v1::FailTaskRequest& request);
  absl::StatusOr<v1::Task> Release(const v1::ReleaseTaskRequest& request);
  absl::StatusOr<v1::Task> ExtendLease(const v1::ExtendLeaseRequest& request);
  absl::StatusOr<v1::ListTasksResponse> ListTasks(
      const v1::ListTasksRequest& request);
  absl::StatusOr<v1::ListTasksResponse> ListDeadLetters(
      const v1::ListTasksRequest& request);
  absl::StatusOr<v1::Task> Claim(const v1::ClaimTaskRequest& request);
  absl::StatusOr<v1::ListMineResponse> ListMine(
      const v1::ListMineRequest& request);
  absl::StatusOr<v1::Task> Reassign(const v1::ReassignTaskRequest& request);
  absl::StatusOr<v1::Task> Requeue(const v1::RequeueTaskRequest& request);
  absl::StatusOr<v1::QueueSummaryResponse> QueueSummary(
      const v1::QueueSummaryRequest& request);

  // ---- AuditService
  absl::Status History(const v1::HistoryRequest& request,
                       OnMessage<v1::EventEnvelope> on_event);
  absl::Status Log(const v1::LogRequest& request,
                   OnMessage<v1::EventEnvelope> on_event);
  absl::StatusOr<v1::PathwayView> PathwayAsOf(const v1::AsOfRequest& request);
  absl::Status Verify(const v1::VerifyRequest& request,
                      OnMessage<v1::VerifyResponse> on_message);
  absl::Status ReplayCheck(const v1::ReplayCheckRequest& request,
                           OnMessage<v1::ReplayCheckResponse> on_message);
  absl::Status Compliance(const v1::ComplianceRequest& request,
                          OnMessage<v1::ComplianceResponse> on_message);
  absl::Status SubscribeEvents(const v1::SubscribeEventsRequest& request,
                               OnMessage<v1::EventEnvelope> on_event);
  absl::StatusOr<v1::StatisticsResponse> Statistics(
      const v1::StatisticsRequest& request);
  absl::StatusOr<v1::AccessLogResponse> AccessLog(
      const v1::AccessLogRequest& request);
  absl::Status Export(const v1::ExportRequest& request,
                      OnMessage<v1::ExportChunk> on_chunk);
  absl::StatusOr<v1::CheckpointsResponse> Checkpoints(
      const v1::CheckpointsRequest& request);
  absl::StatusOr<v1::SigningKeyResponse> SigningKey();
  absl::Status WhatIf(const v1::WhatIfRequest& request,
                      OnMessage<v1::WhatIfResponse> on_message);
  absl::StatusOr<v1::ApproveErasureResponse> ApproveErasure(
      const v1::ApproveErasureRequest& request);
  absl::StatusOr<v1::LegalHoldResponse> PlaceLegalHold(
      const v1::LegalHoldRequest& request);
  absl::StatusOr<v1::LegalHoldResponse> LiftLegalHold(
      const v1::LegalHoldRequest& request);

  // ---- AdminService
  absl::StatusOr<v1::ClockResponse> AdvanceClock(
      const v1::AdvanceClockRequest& request);
  absl::StatusOr<v1::BackupResponse> Backup(const v1::BackupRequest& request);
  absl::StatusOr<v1::ImportResponse> Import(const v1::ImportRequest& request);
  absl::StatusOr<v1::EraseResponse> Erase(const v1::EraseRequest& request);
  absl::StatusOr<absl::Time> Now();
  absl::StatusOr<v1::PrincipalResponse> AddPrincipal(
      const v1::AddPrincipalRequest& request);
  absl::StatusOr<v1::ListPrincipalsResponse> ListPrincipals();
  absl::StatusOr<v1::PrincipalResponse> RevokePrincipal(
      const std::string& name);
  absl::StatusOr<v1::PrincipalResponse> RotateToken(const std::string& name);

 private:
  // A context with the token and, unless `deadline` is infinite, a deadline.
  std::unique_ptr<grpc::ClientContext> NewContext(
      absl::Duration deadline) const;

  const std::shared_ptr<grpc::Channel> channel_;
  const std::string token_;
  std::string purpose_;
  const absl::Duration timeout_;
  const std::unique_ptr<v1::PathwayService::Stub> pathways_;
  const std::unique_ptr<v1::TaskService::Stub> tasks_;
  const std::unique_ptr<v1::AuditService::Stub> audit_;
  const std::unique_ptr<v1::AdminService::Stub> admin_;
};

// absl and gRPC share code numbers; keeps the code and the message.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace returnpath::client

#endif  // RETURNPATH_CLIENTS_LIB_CLIENT_H_
