#include "tests/integration/rpc_calls.h"

#include "absl/time/time.h"
#include "clients/lib/event_kinds.h"
#include "clients/lib/time_text.h"
#include "returnpath/v1/services.grpc.pb.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using v1::AdminService;
using v1::AuditService;
using v1::PathwayService;
using v1::TaskService;

// When recorded events happened: before the matrix's clock (2026-03-24).
constexpr char kEffectiveTime[] = "2026-03-20T12:00:00Z";
constexpr absl::Duration kDeadline = absl::Seconds(10);

std::unique_ptr<grpc::ClientContext> NewContext(const Caller& caller) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!caller.authorization.empty())
    ctx->AddMetadata("authorization", caller.authorization);
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + kDeadline));
  return ctx;
}

template <typename Service>
std::unique_ptr<typename Service::Stub> StubOf(const Caller& caller) {
  return Service::NewStub(caller.channel);
}

// `method` of `Service` as a unary call; the response is dropped.
template <typename Service, typename Request, typename Response>
grpc::Status Unary(const Caller& caller,
                   grpc::Status (Service::Stub::*method)(grpc::ClientContext*,
                                                         const Request&,
                                                         Response*),
                   const Request& request) {
  auto ctx = NewContext(caller);
  Response response;
  return (StubOf<Service>(caller).get()->*method)(ctx.get(), request,
                                                  &response);
}

// How far a server stream is read: to its first message (OK once it comes,
// the rest is cancelled), or to its end (its final status).
enum class ReadTo { kFirstMessage, kEnd };

template <typename Service, typename Request, typename Message>
grpc::Status Stream(const Caller& caller,
                    std::unique_ptr<grpc::ClientReader<Message>> (
                        Service::Stub::*method)(grpc::ClientContext*,
                                                const Request&),
                    const Request& request,
                    ReadTo read_to = ReadTo::kFirstMessage) {
  auto ctx = NewContext(caller);
  auto stub = StubOf<Service>(caller);
  auto reader = (stub.get()->*method)(ctx.get(), request);
  Message message;
  if (!reader->Read(&message)) return reader->Finish();
  if (read_to == ReadTo::kFirstMessage) ctx->TryCancel();
  while (reader->Read(&message)) {
  }
  grpc::Status status = reader->Finish();
  // After TryCancel the status is CANCELLED: we stopped it.
  return read_to == ReadTo::kEnd ? status : grpc::Status::OK;
}

grpc::Status RecordEvent(const Caller& caller, const Target& target,
                         const absl::StatusOr<client::BuiltEvent>& built) {
  if (!built.ok()) {
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        "the test cannot build its event: " +
                            std::string(built.status().message()));
  }
  v1::RecordEventRequest request;
  request.set_person_id(target.person);
  *request.mutable_event() = built->event;
  *request.mutable_effective_time() = client::ToTimestamp(Utc(kEffectiveTime));
  return Unary<PathwayService>(caller, &PathwayService::Stub::RecordEvent,
                               request);
}

v1::TaskRef TaskRefOf(const Target& target) {
  v1::TaskRef ref;
  ref.set_person_id(target.person);
  ref.set_task_id(target.task);
  ref.set_worker("matrix");
  return ref;
}

std::map<std::string, RpcCall> PathwayCalls() {
  return {
      {"PathwayService.RecordEvent register",
       [](const Caller& caller, const Target& target) {
         PersonSpec person;
         person.id = target.person;
         person.centre = target.centre;
         person.region = target.region;
         return RecordEvent(caller, target, RegistrationEvent(person));
       }},
      {"PathwayService.RecordEvent course-enrolled",
       [](const Caller& caller, const Target& target) {
         return RecordEvent(
             caller, target,
             client::BuildEvent("course-enrolled", {{"course", "NO-1"}}));
       }},
      {"PathwayService.RecordEvent travel-document",
       [](const Caller& caller, const Target& target) {
         return RecordEvent(
             caller, target,
             client::BuildEvent("travel-document", {{"country", "AF"}}));
       }},
      {"PathwayService.GetPathway",
       [](const Caller& caller, const Target& target) {
         v1::GetPathwayRequest request;
         request.set_person_id(target.person);
         return Unary<PathwayService>(caller, &PathwayService::Stub::GetPathway,
                                      request);
       }},
      {"PathwayService.ListPathways",
       [](const Caller& caller, const Target& target) {
         v1::ListPathwaysRequest request;
         request.set_index_prefix(target.index_prefix);
         return Unary<PathwayService>(
             caller, &PathwayService::Stub::ListPathways, request);
       }},
  };
}

std::map<std::string, RpcCall> TaskCalls() {
  return {
      {"TaskService.Poll",
       [](const Caller& caller, const Target& target) {
         v1::PollTasksRequest request;
         request.set_queue(target.queue);
         request.set_worker("matrix-poll");
         return Unary<TaskService>(caller, &TaskService::Stub::Poll, request);
       }},
      {"TaskService.Subscribe",
       [](const Caller& caller, const Target& target) {
         v1::SubscribeTasksRequest request;
         request.set_queue(target.queue);
         request.set_worker("matrix-subscribe");
         // One task, and the stream ends: a subscription the test cancelled
         // could still be leasing and logging a second one while the next
         // row counts what was written.
         request.set_max_tasks(1);
         return Stream<TaskService>(caller, &TaskService::Stub::Subscribe,
                                    request, ReadTo::kEnd);
       }},
      {"TaskService.Complete",
       [](const Caller& caller, const Target& target) {
         v1::CompleteTaskRequest request;
         *request.mutable_task() = TaskRefOf(target);
         request.set_outcome("held");
         return Unary<TaskService>(caller, &TaskService::Stub::Complete,
                                   request);
       }},
      {"TaskService.Fail",
       [](const Caller& caller, const Target& target) {
         v1::FailTaskRequest request;
         *request.mutable_task() = TaskRefOf(target);
         request.set_error("no interpreter");
         return Unary<TaskService>(caller, &TaskService::Stub::Fail, request);
       }},
      {"TaskService.Release",
       [](const Caller& caller, const Target& target) {
         v1::ReleaseTaskRequest request;
         *request.mutable_task() = TaskRefOf(target);
         return Unary<TaskService>(caller, &TaskService::Stub::Release,
                                   request);
       }},
      {"TaskService.ExtendLease",
       [](const Caller& caller, const Target& target) {
         v1::ExtendLeaseRequest request;
         *request.mutable_task() = TaskRefOf(target);
         *request.mutable_lease() = client::ToDurationProto(absl::Minutes(5));
         return Unary<TaskService>(caller, &TaskService::Stub::ExtendLease,
                                   request);
       }},
      {"TaskService.Claim",
       [](const Caller& caller, const Target& target) {
         // The worker Poll leased with: a claim renews that lease rather
         // than meet it, so the row's answer does not depend on row order.
         v1::ClaimTaskRequest request;
         *request.mutable_task() = TaskRefOf(target);
         request.mutable_task()->set_worker("matrix-poll");
         return Unary<TaskService>(caller, &TaskService::Stub::Claim, request);
       }},
      {"TaskService.ListMine",
       [](const Caller& caller, const Target&) {
         return Unary<TaskService>(caller, &TaskService::Stub::ListMine,
                                   v1::ListMineRequest());
       }},
      {"TaskService.Reassign",
       [](const Caller& caller, const Target& target) {
         // To the registrar, whose scope covers every queue and person.
         v1::ReassignTaskRequest request;
         *request.mutable_task() = TaskRefOf(target);
         request.set_to_principal("registrar");
         return Unary<TaskService>(caller, &TaskService::Stub::Reassign,
                                   request);
       }},
      {"TaskService.Requeue",
       [](const Caller& caller, const Target& target) {
         v1::RequeueTaskRequest request;
         *request.mutable_task() = TaskRefOf(target);
         request.set_reason("interpreter booked");
         return Unary<TaskService>(caller, &TaskService::Stub::Requeue,
                                   request);
       }},
      {"TaskService.ListTasks",
       [](const Caller& caller, const Target& target) {
         v1::ListTasksRequest request;
         request.set_queue(target.queue);
         return Unary<TaskService>(caller, &TaskService::Stub::ListTasks,
                                   request);
       }},
      {"TaskService.QueueSummary",
       [](const Caller& caller, const Target& target) {
         v1::QueueSummaryRequest request;
         request.set_queue(target.queue);
         return Unary<TaskService>(caller, &TaskService::Stub::QueueSummary,
                                   request);
       }},
      {"TaskService.ListDeadLetters",
       [](const Caller& caller, const Target& target) {
         v1::ListTasksRequest request;
         request.set_queue(target.queue);
         return Unary<TaskService>(caller, &TaskService::Stub::ListDeadLetters,
                                   request);
       }},
  };
}

std::map<std::string, RpcCall> AuditCalls() {
  return {
      {"AuditService.History",
       [](const Caller& caller, const Target& target) {
         v1::HistoryRequest request;
         request.set_person_id(target.person);
         return Stream<AuditService>(caller, &AuditService::Stub::History,
                                     request);
       }},
      {"AuditService.Log",
       [](const Caller& caller, const Target&) {
         return Stream<AuditService>(caller, &AuditService::Stub::Log,
                                     v1::LogRequest());
       }},
      {"AuditService.PathwayAsOf",
       [](const Caller& caller, const Target& target) {
         v1::AsOfRequest request;
         request.set_person_id(target.person);
         request.set_position(1'000'000);  // everything so far
         return Unary<AuditService>(caller, &AuditService::Stub::PathwayAsOf,
                                    request);
       }},
      {"AuditService.Verify",
       [](const Caller& caller, const Target&) {
         return Stream<AuditService>(caller, &AuditService::Stub::Verify,
                                     v1::VerifyRequest());
       }},
      {"AuditService.ReplayCheck",
       [](const Caller& caller, const Target&) {
         return Stream<AuditService>(caller, &AuditService::Stub::ReplayCheck,
                                     v1::ReplayCheckRequest());
       }},
      {"AuditService.SubscribeEvents",
       [](const Caller& caller, const Target&) {
         return Stream<AuditService>(caller,
                                     &AuditService::Stub::SubscribeEvents,
                                     v1::SubscribeEventsRequest());
       }},
      {"AuditService.Statistics",
       [](const Caller& caller, const Target&) {
         return Unary<AuditService>(caller, &AuditService::Stub::Statistics,
                                    v1::StatisticsRequest());
       }},
      {"AuditService.AccessLog",
       [](const Caller& caller, const Target& target) {
         v1::AccessLogRequest request;
         request.set_person_id(target.person);
         return Unary<AuditService>(caller, &AuditService::Stub::AccessLog,
                                    request);
       }},
      {"AuditService.Compliance",
       [](const Caller& caller, const Target& target) {
         v1::ComplianceRequest request;
         request.set_person_id(target.person);
         // To the end: over everyone, the persons found are logged as the
         // report goes on.
         return Stream<AuditService>(caller, &AuditService::Stub::Compliance,
                                     request, ReadTo::kEnd);
       }},
      {"AuditService.Export",
       [](const Caller& caller, const Target& target) {
         v1::ExportRequest request;  // no person: the log from position 1
         request.set_person_id(target.person);
         if (target.person.empty()) request.set_from_position(1);
         return Stream<AuditService>(caller, &AuditService::Stub::Export,
                                     request);
       }},
      {"AuditService.Checkpoints",
       [](const Caller& caller, const Target&) {
         return Unary<AuditService>(caller, &AuditService::Stub::Checkpoints,
                                    v1::CheckpointsRequest());
       }},
      {"AuditService.SigningKey",
       [](const Caller& caller, const Target&) {
         return Unary<AuditService>(caller, &AuditService::Stub::SigningKey,
                                    v1::SigningKeyRequest());
       }},
      {"AuditService.PlaceLegalHold",
       [](const Caller& caller, const Target& target) {
         v1::LegalHoldRequest request;
         request.set_person_id(target.person);
         request.set_reason("court case 21-044");
         return Unary<AuditService>(caller, &AuditService::Stub::PlaceLegalHold,
                                    request);
       }},
      {"AuditService.LiftLegalHold",
       [](const Caller& caller, const Target& target) {
         v1::LegalHoldRequest request;
         request.set_person_id(target.person);
         return Unary<AuditService>(caller, &AuditService::Stub::LiftLegalHold,
                                    request);
       }},
      {"AuditService.ApproveErasure",
       [](const Caller& caller, const Target& target) {
         v1::ApproveErasureRequest request;
         request.set_person_id(target.person);
         request.set_reason("residence permit granted");
         return Unary<AuditService>(caller, &AuditService::Stub::ApproveErasure,
                                    request);
       }},
      {"AuditService.WhatIf",
       [](const Caller& caller, const Target& target) {
         v1::WhatIfRequest request;  // "" names everyone
         request.set_person_id(target.person);
         request.set_all(target.person.empty());
         request.set_policy_version("2012-01-01");
         return Stream<AuditService>(caller, &AuditService::Stub::WhatIf,
                                     request);
       }},
  };
}

std::map<std::string, RpcCall> AdminCalls() {
  return {
      {"AdminService.AdvanceClock",
       [](const Caller& caller, const Target&) {
         v1::AdvanceClockRequest request;  // by zero: the clock stays
         *request.mutable_by() = client::ToDurationProto(absl::ZeroDuration());
         return Unary<AdminService>(caller, &AdminService::Stub::AdvanceClock,
                                    request);
       }},
      {"AdminService.Now",
       [](const Caller& caller, const Target&) {
         return Unary<AdminService>(caller, &AdminService::Stub::Now,
                                    v1::NowRequest());
       }},
      {"AdminService.Erase",
       [](const Caller& caller, const Target& target) {
         v1::EraseRequest request;
         request.set_person_id(target.person);
         request.set_reason("residence permit granted");
         return Unary<AdminService>(caller, &AdminService::Stub::Erase,
                                    request);
       }},
      {"AdminService.Backup",
       [](const Caller& caller, const Target&) {
         return Unary<AdminService>(caller, &AdminService::Stub::Backup,
                                    v1::BackupRequest());
       }},
      {"AdminService.Import",
       [](const Caller& caller, const Target&) {
         // Checked only: the same call answers alike every time.
         v1::ImportRequest request;
         request.set_check_only(true);
         v1::PersonBacklog* person = request.add_persons();
         person->set_person_id("MATRIX-IMPORTED");
         PersonSpec spec;
         spec.id = person->person_id();
         absl::StatusOr<client::BuiltEvent> registration =
             RegistrationEvent(spec);
         if (!registration.ok()) {
           return grpc::Status(grpc::StatusCode::INTERNAL,
                               std::string(registration.status().message()));
         }
         v1::BacklogEvent* event = person->add_events();
         *event->mutable_event() = registration->event;
         *event->mutable_effective_time() =
             client::ToTimestamp(Utc(kEffectiveTime));
         event->set_line(1);
         return Unary<AdminService>(caller, &AdminService::Stub::Import,
                                    request);
       }},
  };
}

std::map<std::string, RpcCall> PrincipalAdminCalls() {
  return {
      {"AdminService.AddPrincipal",
       [](const Caller& caller, const Target& target) {
         v1::AddPrincipalRequest request;  // a reception desk with a token
         request.set_name(target.principal);
         request.set_role(v1::ROLE_RECEPTION);
         request.add_scopes("centre/Oslo-1");
         return Unary<AdminService>(caller, &AdminService::Stub::AddPrincipal,
                                    request);
       }},
      {"AdminService.ListPrincipals",
       [](const Caller& caller, const Target&) {
         return Unary<AdminService>(caller, &AdminService::Stub::ListPrincipals,
                                    v1::ListPrincipalsRequest());
       }},
      {"AdminService.RotateToken",
       [](const Caller& caller, const Target& target) {
         v1::RotateTokenRequest request;
         request.set_name(target.principal);
         return Unary<AdminService>(caller, &AdminService::Stub::RotateToken,
                                    request);
       }},
      {"AdminService.RevokePrincipal",
       [](const Caller& caller, const Target& target) {
         v1::RevokePrincipalRequest request;
         request.set_name(target.principal);
         return Unary<AdminService>(
             caller, &AdminService::Stub::RevokePrincipal, request);
       }},
  };
}

}  // namespace

const std::map<std::string, RpcCall>& RpcCalls() {
  static const auto* calls = [] {
    auto* all = new std::map<std::string, RpcCall>();
    for (auto part : {PathwayCalls(), TaskCalls(), AuditCalls(), AdminCalls()})
      all->merge(part);
    all->merge(PrincipalAdminCalls());
    return all;
  }();
  return *calls;
}

}  // namespace returnpath::integration
