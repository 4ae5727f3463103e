#include "clients/lib/client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/lib/time_text.h"
#include "engine/status_macros.h"

namespace returnpath::client {
namespace {

// Runs a unary call `(stub->*method)(ctx, request, &response)`.
template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> Unary(
    Stub* stub,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                 Response*),
    std::unique_ptr<grpc::ClientContext> ctx, const Request& request) {
  Response response;
  grpc::Status status = (stub->*method)(ctx.get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

// Reads a server stream to its end, or until `on_message` returns false.
template <typename T>
absl::Status Drain(grpc::ClientContext* ctx, grpc::ClientReader<T>* reader,
                   OnMessage<T> on_message) {
  T message;
  bool stopped = false;
  while (reader->Read(&message)) {
    if (!on_message(message)) {
      stopped = true;
      ctx->TryCancel();
      break;
    }
  }
  if (stopped) {
    while (reader->Read(&message)) {
    }
  }
  grpc::Status status = reader->Finish();
  if (stopped && status.error_code() == grpc::StatusCode::CANCELLED)
    return absl::OkStatus();
  return FromGrpcStatus(status);
}

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

absl::StatusOr<std::unique_ptr<Client>> Client::Connect(
    const ConnectionOptions& options) {
  RP_ASSIGN_OR_RETURN(ResolvedToken token, ResolveToken(options));
  RP_ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                      MakeChannel(options));
  LinkDomainMessages();
  auto client = std::make_unique<Client>(
      std::move(channel), std::move(token.token), options.timeout);
  client->set_purpose(options.purpose);
  return client;
}

Client::Client(std::shared_ptr<grpc::Channel> channel, std::string token,
               absl::Duration timeout)
    : channel_(std::move(channel)),
      token_(std::move(token)),
      timeout_(timeout),
      pathways_(v1::PathwayService::NewStub(channel_)),
      tasks_(v1::TaskService::NewStub(channel_)),
      audit_(v1::AuditService::NewStub(channel_)),
      admin_(v1::AdminService::NewStub(channel_)) {}

std::unique_ptr<grpc::ClientContext> Client::NewContext(
    absl::Duration deadline) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token_.empty())
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  if (!purpose_.empty()) ctx->AddMetadata("purpose", purpose_);
  if (deadline != absl::InfiniteDuration()) {
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  }
  return ctx;
}

// ---- PathwayService ---------------------------------------------------------

absl::StatusOr<v1::RecordEventResponse> Client::RecordEvent(
    const v1::RecordEventRequest& request) {
  return Unary(pathways_.get(), &v1::PathwayService::Stub::RecordEvent,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::RecordEventResponse> Client::Record(
    const std::string& person_id, const BuiltEvent& event,
    const RecordOptions& options) {
  absl::Time now = absl::InfinitePast();
  if (!options.effective_time.has_value() && !event.legal_date.has_value()) {
    RP_ASSIGN_OR_RETURN(now, Now());
  }
  RP_ASSIGN_OR_RETURN(absl::Time effective,
                      ResolveEffectiveTime(event, options.effective_time, now));
  v1::RecordEventRequest request;
  request.set_person_id(person_id);
  *request.mutable_event() = event.event;
  *request.mutable_effective_time() = ToTimestamp(effective);
  if (options.expected_version.has_value()) {
    request.set_expected_version(*options.expected_version);
  }
  request.set_idempotency_key(options.idempotency_key);
  request.set_correlation_id(options.correlation_id);
  return RecordEvent(request);
}

absl::StatusOr<v1::PathwayView> Client::GetPathway(
    const std::string& person_id) {
  v1::GetPathwayRequest request;
  request.set_person_id(person_id);
  return Unary(pathways_.get(), &v1::PathwayService::Stub::GetPathway,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::ListPathwaysResponse> Client::ListPathways(
    const v1::ListPathwaysRequest& request) {
  return Unary(pathways_.get(), &v1::PathwayService::Stub::ListPathways,
               NewContext(timeout_), request);
}

// ---- TaskService ------------------------------------------------------------

absl::StatusOr<v1::PollTasksResponse> Client::Poll(
    const v1::PollTasksRequest& request) {
  return Unary(tasks_.get(), &v1::TaskService::Stub::Poll,
               NewContext(timeout_ + FromDurationProto(request.wait())),
               request);
}

absl::Status Client::SubscribeTasks(const v1::SubscribeTasksRequest& request,
                                    OnMessage<v1::Task> on_task) {
  auto ctx = NewContext(absl::InfiniteDuration());
  auto reader = tasks_->Subscribe(ctx.get(), request);
  return Drain<v1::Task>(ctx.get(), reader.get(), on_task);
}

absl::StatusOr<v1::CompleteTaskResponse> Client::Complete(
    const v1::CompleteTaskRequest& request) {
  return Unary(tasks_.get(), &v1::TaskService::Stub::Complete,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::Task> Client::Fail(const v1::FailTaskRequest& request) {
  return Unary(tasks_.get(), &v1::TaskService::Stub::Fail, NewContext(timeout_),
               request);
}

absl::StatusOr<v1::Task> Client::Release(
    const v1::ReleaseTaskRequest& request) {
  return Unary(tasks_.get(), &v1::TaskService::Stub::Release,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::Task> Client::ExtendLease(
    const v1::ExtendLeaseRequest& request) {
  return Unary(tasks_.get(), &v1::TaskService::Stub::ExtendLease,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::Task> Client::Claim(const v1::ClaimTaskRequest& request) {
  return Unary(tasks_.get(), &v1::TaskService::Stub::Claim,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::ListMineResponse> Client::ListMine(
    const v1::ListMineRequest& request) {
  return Unary(tasks_.get(), &v1::TaskService::Stub::ListMine,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::QueueSummaryResponse> Client::QueueSummary(
    const v1::QueueSummaryRequest& request) {
  return Unary(tasks_.get(), &v1::TaskService::Stub::QueueSummary,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::Task> Client::Reassign(
    const v1::ReassignTaskRequest& request) {
  return Unary(tasks_.get(), &v1::TaskService::Stub::Reassign,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::Task> Client::Requeue(
    const v1::RequeueTaskRequest& request) {
  return Unary(tasks_.get(), &v1::TaskService::Stub::Requeue,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::ListTasksResponse> Client::ListTasks(
    const v1::ListTasksRequest& request) {
  return Unary(tasks_.get(), &v1::TaskService::Stub::ListTasks,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::ListTasksResponse> Client::ListDeadLetters(
    const v1::ListTasksRequest& request) {
  return Unary(tasks_.get(), &v1::TaskService::Stub::ListDeadLetters,
               NewContext(timeout_), request);
}

// ---- AuditService -----------------------------------------------------------

absl::Status Client::History(const v1::HistoryRequest& request,
                             OnMessage<v1::EventEnvelope> on_event) {
  auto ctx = NewContext(absl::InfiniteDuration());
  auto reader = audit_->History(ctx.get(), request);
  return Drain<v1::EventEnvelope>(ctx.get(), reader.get(), on_event);
}

absl::Status Client::Log(const v1::LogRequest& request,
                         OnMessage<v1::EventEnvelope> on_event) {
  auto ctx = NewContext(absl::InfiniteDuration());
  auto reader = audit_->Log(ctx.get(), request);
  return Drain<v1::EventEnvelope>(ctx.get(), reader.get(), on_event);
}

absl::StatusOr<v1::PathwayView> Client::PathwayAsOf(
    const v1::AsOfRequest& request) {
  return Unary(audit_.get(), &v1::AuditService::Stub::PathwayAsOf,
               NewContext(timeout_), request);
}

absl::Status Client::Verify(const v1::VerifyRequest& request,
                            OnMessage<v1::VerifyResponse> on_message) {
  auto ctx = NewContext(absl::InfiniteDuration());
  auto reader = audit_->Verify(ctx.get(), request);
  return Drain<v1::VerifyResponse>(ctx.get(), reader.get(), on_message);
}

absl::Status Client::ReplayCheck(
    const v1::ReplayCheckRequest& request,
    OnMessage<v1::ReplayCheckResponse> on_message) {
  auto ctx = NewContext(absl::InfiniteDuration());
  auto reader = audit_->ReplayCheck(ctx.get(), request);
  return Drain<v1::ReplayCheckResponse>(ctx.get(), reader.get(), on_message);
}

absl::Status Client::Compliance(const v1::ComplianceRequest& request,
                                OnMessage<v1::ComplianceResponse> on_message) {
  auto ctx = NewContext(absl::InfiniteDuration());
  auto reader = audit_->Compliance(ctx.get(), request);
  return Drain<v1::ComplianceResponse>(ctx.get(), reader.get(), on_message);
}

absl::Status Client::SubscribeEvents(const v1::SubscribeEventsRequest& request,
                                     OnMessage<v1::EventEnvelope> on_event) {
  auto ctx = NewContext(absl::InfiniteDuration());
  auto reader = audit_->SubscribeEvents(ctx.get(), request);
  return Drain<v1::EventEnvelope>(ctx.get(), reader.get(), on_event);
}

absl::StatusOr<v1::StatisticsResponse> Client::Statistics(
    const v1::StatisticsRequest& request) {
  return Unary(audit_.get(), &v1::AuditService::Stub::Statistics,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::AccessLogResponse> Client::AccessLog(
    const v1::AccessLogRequest& request) {
  return Unary(audit_.get(), &v1::AuditService::Stub::AccessLog,
               NewContext(timeout_), request);
}

absl::Status Client::Export(const v1::ExportRequest& request,
                            OnMessage<v1::ExportChunk> on_chunk) {
  auto ctx = NewContext(absl::InfiniteDuration());
  auto reader = audit_->Export(ctx.get(), request);
  return Drain<v1::ExportChunk>(ctx.get(), reader.get(), on_chunk);
}

absl::StatusOr<v1::CheckpointsResponse> Client::Checkpoints(
    const v1::CheckpointsRequest& request) {
  return Unary(audit_.get(), &v1::AuditService::Stub::Checkpoints,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::SigningKeyResponse> Client::SigningKey() {
  return Unary(audit_.get(), &v1::AuditService::Stub::SigningKey,
               NewContext(timeout_), v1::SigningKeyRequest());
}

absl::Status Client::WhatIf(const v1::WhatIfRequest& request,
                            OnMessage<v1::WhatIfResponse> on_message) {
  auto ctx = NewContext(absl::InfiniteDuration());
  auto reader = audit_->WhatIf(ctx.get(), request);
  return Drain<v1::WhatIfResponse>(ctx.get(), reader.get(), on_message);
}

// ---- AdminService -----------------------------------------------------------

absl::StatusOr<v1::ClockResponse> Client::AdvanceClock(
    const v1::AdvanceClockRequest& request) {
  return Unary(admin_.get(), &v1::AdminService::Stub::AdvanceClock,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::BackupResponse> Client::Backup(
    const v1::BackupRequest& request) {
  return Unary(admin_.get(), &v1::AdminService::Stub::Backup,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::EraseResponse> Client::Erase(
    const v1::EraseRequest& request) {
  return Unary(admin_.get(), &v1::AdminService::Stub::Erase,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::ApproveErasureResponse> Client::ApproveErasure(
    const v1::ApproveErasureRequest& request) {
  return Unary(audit_.get(), &v1::AuditService::Stub::ApproveErasure,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::LegalHoldResponse> Client::PlaceLegalHold(
    const v1::LegalHoldRequest& request) {
  return Unary(audit_.get(), &v1::AuditService::Stub::PlaceLegalHold,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::LegalHoldResponse> Client::LiftLegalHold(
    const v1::LegalHoldRequest& request) {
  return Unary(audit_.get(), &v1::AuditService::Stub::LiftLegalHold,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::ImportResponse> Client::Import(
    const v1::ImportRequest& request) {
  return Unary(admin_.get(), &v1::AdminService::Stub::Import,
               NewContext(timeout_), request);
}

absl::StatusOr<absl::Time> Client::Now() {
  RP_ASSIGN_OR_RETURN(v1::ClockResponse response,
                      Unary(admin_.get(), &v1::AdminService::Stub::Now,
                            NewContext(timeout_), v1::NowRequest()));
  return FromTimestamp(response.now());
}

absl::StatusOr<v1::PrincipalResponse> Client::AddPrincipal(
    const v1::AddPrincipalRequest& request) {
  return Unary(admin_.get(), &v1::AdminService::Stub::AddPrincipal,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::ListPrincipalsResponse> Client::ListPrincipals() {
  return Unary(admin_.get(), &v1::AdminService::Stub::ListPrincipals,
               NewContext(timeout_), v1::ListPrincipalsRequest());
}

absl::StatusOr<v1::PrincipalResponse> Client::RevokePrincipal(
    const std::string& name) {
  v1::RevokePrincipalRequest request;
  request.set_name(name);
  return Unary(admin_.get(), &v1::AdminService::Stub::RevokePrincipal,
               NewContext(timeout_), request);
}

absl::StatusOr<v1::PrincipalResponse> Client::RotateToken(
    const std::string& name) {
  v1::RotateTokenRequest request;
  request.set_name(name);
  return Unary(admin_.get(), &v1::AdminService::Stub::RotateToken,
               NewContext(timeout_), request);
}

}  // namespace returnpath::client
