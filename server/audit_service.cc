#include "server/audit_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/proto_time.h"
#include "engine/replay.h"
#include "engine/rpc/job_channel.h"
#include "engine/rpc/pull_writer.h"
#include "engine/rpc/unary_call.h"
#include "engine/status_macros.h"
#include "server/auditor_calls.h"
#include "server/input_bounds.h"
#include "server/page_token.h"
#include "server/pathway_view.h"
#include "server/person_scope.h"

namespace returnpath::engine {
namespace {

constexpr size_t kPage = 256;
constexpr uint64_t kVerifyChunk = 10000;
// Records in an access log page when the caller names no size.
constexpr uint64_t kDefaultAccessPage = 100;

}  // namespace

grpc::ServerWriteReactor<v1::EventEnvelope>* AuditService::History(
    grpc::CallbackServerContext* ctx, const v1::HistoryRequest* request) {
  using Source = PullWriter<v1::EventEnvelope>::Source;
  EventStore* store = deps_.store;
  engine::AccessLog* access_log = deps_.access_log;
  return AuditorStream<v1::EventEnvelope>(
      deps_, ctx, nullptr, Reach::kPersonsInScope, "read a person's history",
      [store, access_log,
       request](const Principal& principal) -> absl::StatusOr<Source> {
        if (request->person_id().empty())
          return absl::InvalidArgumentError("person_id is required");
        RP_RETURN_IF_ERROR(CheckBounds(*request));
        std::string person = request->person_id();
        uint64_t next = std::max<uint64_t>(1, request->from_version());
        bool checked = false;
        return [store, access_log, principal, person, next, checked](
                   std::vector<v1::EventEnvelope>* out,
                   Gate* gate) mutable -> absl::StatusOr<Pulled> {
          if (!checked) {
            RP_RETURN_IF_ERROR(
                ReadablePerson(*store, principal, person).status());
            *gate =
                LogBeforeServing(access_log, principal, "History", {person});
            checked = true;
          }
          absl::StatusOr<std::vector<v1::EventEnvelope>> events =
              store->ReadStream(person, next, kPage);
          if (absl::IsNotFound(events.status())) return NoSuchPerson(person);
          if (!events.ok()) return events.status();
          next += events->size();
          const bool more = events->size() == kPage;
          *out = *std::move(events);
          return more ? Pulled::kMore : Pulled::kDone;
        };
      },
      Readers::kAuditorsAndStaff);
}

grpc::ServerWriteReactor<v1::EventEnvelope>* AuditService::Log(
    grpc::CallbackServerContext* ctx, const v1::LogRequest* request) {
  using Source = PullWriter<v1::EventEnvelope>::Source;
  EventStore* store = deps_.store;
  engine::AccessLog* access_log = deps_.access_log;
  uint64_t next = std::max<uint64_t>(1, request->from_position());
  uint64_t left = request->limit() == 0 ? UINT64_MAX : request->limit();
  return AuditorStream<v1::EventEnvelope>(
      deps_, ctx, nullptr, Reach::kWholeLog, "read the event log",
      [store, access_log, next,
       left](const Principal& principal) -> absl::StatusOr<Source> {
        return [store, access_log, principal, next, left](
                   std::vector<v1::EventEnvelope>* out,
                   Gate* gate) mutable -> absl::StatusOr<Pulled> {
          absl::StatusOr<EventPage> page =
              store->ReadAll(next, std::min<uint64_t>(kPage, left));
          if (!page.ok()) return page.status();
          *gate = LogBeforeServing(access_log, principal, "Log",
                                   PersonsNamedIn(page->events));
          next = page->next_position;
          left -= page->events.size();
          const bool more = !page->events.empty() && left > 0;
          *out = std::move(page->events);
          return more ? Pulled::kMore : Pulled::kDone;
        };
      });
}

grpc::ServerWriteReactor<v1::VerifyResponse>* AuditService::Verify(
    grpc::CallbackServerContext* ctx, const v1::VerifyRequest* request) {
  EventStore* store = deps_.store;
  const uint64_t last = store->LastPosition();
  const uint64_t from = std::max<uint64_t>(1, request->from_position());
  const uint64_t to =
      request->to_position() == 0 ? last : request->to_position();
  // Checked on the first pull, after the caller is authenticated.
  absl::Status range;
  if (to > last) {
    range = absl::InvalidArgumentError(
        absl::StrCat("to_position ", to,
                     " is past the end of the log (last position ", last, ")"));
  } else if (from > to && last > 0) {
    range = absl::InvalidArgumentError(
        absl::StrCat("from_position ", from, " is after to_position ", to));
  }
  uint64_t next = from;
  const bool to_the_end = request->to_position() == 0;
  PullWriter<v1::VerifyResponse>::Source source =
      [store, range, next, from, to, to_the_end](
          std::vector<v1::VerifyResponse>* out,
          Gate*) mutable -> absl::StatusOr<Pulled> {
    RP_RETURN_IF_ERROR(range);
    v1::VerifyOutcome outcome;
    outcome.set_checked(next - from);
    if (next <= to) {
      const uint64_t chunk_end = std::min(to, next + kVerifyChunk - 1);
      absl::Status status = store->Verify(next, chunk_end, nullptr);
      if (absl::IsDataLoss(status)) {
        outcome.set_ok(false);
        outcome.set_first_bad_position(BadPositionOf(status).value_or(next));
        outcome.set_message(std::string(status.message()));
        *out->emplace_back().mutable_outcome() = outcome;
        return Pulled::kDone;
      }
      if (!status.ok()) return status;
      next = chunk_end + 1;
      v1::Progress* progress = out->emplace_back().mutable_progress();
      progress->set_done(next - from);
      progress->set_total(to - from + 1);
      return Pulled::kMore;
    }
    std::string access;
    if (to_the_end) {
      absl::StatusOr<uint64_t> records = store->VerifyAccessLog(nullptr);
      if (absl::IsDataLoss(records.status())) {
        outcome.set_ok(false);
        outcome.set_access_log_checked(true);
        outcome.set_message(
            absl::StrCat("positions ", from, "..", to,
                         " verified; the access log is not intact: ",
                         records.status().message()));
        *out->emplace_back().mutable_outcome() = outcome;
        return Pulled::kDone;
      }
      if (!records.ok()) return records.status();
      outcome.set_access_log_checked(true);
      outcome.set_access_records(*records);
      access = absl::StrCat("; access log: ", *records,
                            " records, chain and indexes intact");
    }
    outcome.set_ok(true);
    if (to > 0) {
      absl::StatusOr<EventPage> head = store->ReadAll(to, 1);
      if (!head.ok()) return head.status();
      if (!head->events.empty()) {
        outcome.set_chain_head(head->events.front().hash());
      }
    }
    outcome.set_message(absl::StrCat(
        to == 0 ? "the log is empty"
                : absl::StrCat("positions ", from, "..", to,
                               " verified: hashes and chain intact"),
        access));
    *out->emplace_back().mutable_outcome() = outcome;
    return Pulled::kDone;
  };
  // The chain carries no personal data: any auditor may verify it.
  return AuditorStream<v1::VerifyResponse>(
      deps_, ctx, nullptr, Reach::kPersonsInScope, "verify the log",
      [source = std::move(source)](const Principal&) mutable {
        return std::move(source);
      });
}

grpc::ServerWriteReactor<v1::EventEnvelope>* AuditService::SubscribeEvents(
    grpc::CallbackServerContext* ctx,
    const v1::SubscribeEventsRequest* request) {
  using Source = PullWriter<v1::EventEnvelope>::Source;
  EventStore* store = deps_.store;
  engine::AccessLog* access_log = deps_.access_log;
  uint64_t next = std::max<uint64_t>(1, request->from_position());
  return AuditorStream<v1::EventEnvelope>(
      deps_, ctx, commits_, Reach::kWholeLog, "subscribe to the event log",
      [store, access_log,
       next](const Principal& principal) -> absl::StatusOr<Source> {
        return [store, access_log, principal, next](
                   std::vector<v1::EventEnvelope>* out,
                   Gate* gate) mutable -> absl::StatusOr<Pulled> {
          absl::StatusOr<EventPage> page = store->ReadAll(next, kPage);
          if (!page.ok()) return page.status();
          if (page->events.empty()) return Pulled::kWait;  // caught up: live
          *gate = LogBeforeServing(access_log, principal, "SubscribeEvents",
                                   PersonsNamedIn(page->events));
          next = page->next_position;
          *out = std::move(page->events);
          return Pulled::kMore;
        };
      });
}

grpc::ServerUnaryReactor* AuditService::PathwayAsOf(
    grpc::CallbackServerContext* ctx, const v1::AsOfRequest* request,
    v1::PathwayView* response) {
  return RunUnary(
      deps_, ctx,
      [this, request, response](const Principal& principal, Finish finish) {
        absl::StatusOr<v1::PathwayView> view = ReadAsOf(principal, *request);
        if (!view.ok()) return finish(view.status());
        LogThenServe(
            deps_, principal, "PathwayAsOf", {request->person_id()},
            [response, view = *std::move(view)]() mutable {
              *response = std::move(view);
              return absl::OkStatus();
            },
            std::move(finish));
      });
}

absl::StatusOr<v1::PathwayView> AuditService::ReadAsOf(
    const Principal& principal, const v1::AsOfRequest& request) const {
  RP_RETURN_IF_ERROR(RequireAuditor(principal, "see a pathway as of a time"));
  const std::string& person = request.person_id();
  if (person.empty())
    return absl::InvalidArgumentError("person_id is required");
  RP_RETURN_IF_ERROR(CheckBounds(request));
  RP_RETURN_IF_ERROR(ReadablePerson(*deps_.store, principal, person).status());
  absl::StatusOr<StreamView> view = absl::InvalidArgumentError(
      "give one of effective_time, position or recorded_time");
  switch (request.at_case()) {
    case v1::AsOfRequest::kEffectiveTime:
      view = StreamAsOfEffectiveTime(*deps_.store, *deps_.workflow, person,
                                     FromTimestamp(request.effective_time()));
      break;
    case v1::AsOfRequest::kPosition:
      view = StreamAsOfPosition(*deps_.store, *deps_.workflow, person,
                                request.position());
      break;
    case v1::AsOfRequest::kRecordedTime:
      view = StreamAsOfRecordedTime(*deps_.store, *deps_.workflow, person,
                                    FromTimestamp(request.recorded_time()));
      break;
    default:
      break;
  }
  RP_RETURN_IF_ERROR(view.status());
  v1::PathwayView response;
  response.set_person_id(person);
  response.set_version(view->version);
  response.set_last_position(view->last_position);
  PackState(*deps_.workflow, std::move(view->state), response.mutable_state());
  for (const std::string& key : view->index_keys) response.add_index_keys(key);
  for (v1::Task& task : view->tasks) {
    if (task.state() == v1::TASK_STATE_OPEN ||
        task.state() == v1::TASK_STATE_PAUSED) {
      *response.add_open_tasks() = std::move(task);
    }
  }
  for (v1::Timer& timer : view->timers)
    *response.add_timers() = std::move(timer);
  return response;
}

grpc::ServerWriteReactor<v1::ReplayCheckResponse>* AuditService::ReplayCheck(
    grpc::CallbackServerContext* ctx, const v1::ReplayCheckRequest* request) {
  EventStore* store = deps_.store;
  const Workflow* workflow = deps_.workflow;
  engine::AccessLog* access_log = deps_.access_log;
  return AuditorJob<v1::ReplayCheckResponse>(
      deps_, ctx, Reach::kWholeLog, "run a replay check",
      [store, workflow, access_log, clock = deps_.clock](
          const Principal& principal,
          const std::shared_ptr<JobChannel<v1::ReplayCheckResponse>>& channel)
          -> absl::StatusOr<v1::ReplayCheckResponse> {
        ReplayCheckOptions options;
        options.now = clock->Now();
        options.progress = [&channel](uint64_t done, uint64_t total) {
          v1::ReplayCheckResponse message;
          message.mutable_progress()->set_done(done);
          message.mutable_progress()->set_total(total);
          channel->Push(std::move(message));
        };
        // A difference names a person and what was found in their data: it
        // is sent once its access record is durable, without waiting here.
        options.on_difference = [&channel, &principal, access_log](
                                    const ReplayDifference& difference) {
          v1::ReplayCheckResponse message;
          message.mutable_difference()->set_person_id(difference.stream_id);
          message.mutable_difference()->set_what(difference.what);
          message.mutable_difference()->set_detail(difference.detail);
          channel->Hold();
          access_log->RecordAsync(
              principal, "ReplayCheck", {difference.stream_id},
              [channel,
               message = std::move(message)](absl::Status logged) mutable {
                channel->Release(std::move(logged), std::move(message));
              });
        };
        RP_ASSIGN_OR_RETURN(ReplayReport report,
                            engine::ReplayCheck(*store, *workflow, options));
        v1::ReplayCheckResponse outcome;
        outcome.mutable_outcome()->set_streams(report.streams);
        outcome.mutable_outcome()->set_events(report.events);
        outcome.mutable_outcome()->set_differences(report.difference_count);
        return outcome;
      });
}

grpc::ServerUnaryReactor* AuditService::Statistics(
    grpc::CallbackServerContext* ctx, const v1::StatisticsRequest* request,
    v1::StatisticsResponse* response) {
  return RunUnarySync(
      deps_, ctx, [this, request, response](const Principal& principal) {
        // Counts by month and group carry no personal data: any auditor.
        RP_RETURN_IF_ERROR(RequireAuditor(principal, "compute statistics"));
        RP_RETURN_IF_ERROR(CheckBounds(*request));
        const absl::Time from = request->has_from()
                                    ? FromTimestamp(request->from())
                                    : absl::InfinitePast();
        const absl::Time to = request->has_to() ? FromTimestamp(request->to())
                                                : absl::InfiniteFuture();
        if (from >= to)
          return absl::InvalidArgumentError("from must be before to");
        RP_ASSIGN_OR_RETURN(StatisticsReport report,
                            engine::Statistics(*deps_.store, *deps_.workflow,
                                               from, to, nullptr));
        for (const StatisticsRow& row : report.rows) {
          v1::StatisticsRow* out = response->add_rows();
          out->set_category(row.category);
          out->set_month(row.month);
          out->set_group(row.group);
          out->set_count(row.count);
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AuditService::AccessLog(
    grpc::CallbackServerContext* ctx, const v1::AccessLogRequest* request,
    v1::AccessLogResponse* response) {
  return RunUnary(
      deps_, ctx,
      [this, request, response](const Principal& principal, Finish finish) {
        absl::StatusOr<v1::AccessLogResponse> page =
            AccessLogPage(principal, *request);
        if (!page.ok()) return finish(page.status());
        // Reading the access log reads of the persons it names.
        std::vector<std::string> persons;
        for (const v1::AccessRecord& record : page->records()) {
          persons.push_back(record.person_id());
        }
        std::sort(persons.begin(), persons.end());
        persons.erase(std::unique(persons.begin(), persons.end()),
                      persons.end());
        LogThenServe(
            deps_, principal, "AccessLog", std::move(persons),
            [response, page = *std::move(page)]() mutable {
              *response = std::move(page);
              return absl::OkStatus();
            },
            std::move(finish));
      });
}

absl::StatusOr<v1::AccessLogResponse> AuditService::AccessLogPage(
    const Principal& principal, const v1::AccessLogRequest& request) const {
  RP_RETURN_IF_ERROR(RequireAuditor(principal, "read the access log"));
  RP_RETURN_IF_ERROR(CheckBounds(request));
  if (!request.person_id().empty()) {
    RP_RETURN_IF_ERROR(
        ReadablePerson(*deps_.store, principal, request.person_id()).status());
  }
  AccessQuery query;
  query.stream_id = request.person_id();
  query.actor = request.principal();
  if (request.has_from()) query.from = FromTimestamp(request.from());
  if (request.has_to()) query.to = FromTimestamp(request.to());
  const std::string binding = PageTokenBinding(
      {"AccessLog", principal.name, request.person_id(), request.principal(),
       request.from().SerializeAsString(), request.to().SerializeAsString()});
  const PageTokens& tokens = PageTokens::ForProcess();
  RP_ASSIGN_OR_RETURN(query.after, tokens.Open(request.page_token(), binding));
  ScopeFilter scope(*deps_.store, principal);
  RP_ASSIGN_OR_RETURN(
      engine::AccessLog::Page page,
      deps_.access_log->Read(
          query, request.limit() == 0 ? kDefaultAccessPage : request.limit(),
          [&scope](const std::string& id) { return scope.Covers(id); }));
  v1::AccessLogResponse response;
  for (v1::AccessRecord& record : page.records) {
    *response.add_records() = std::move(record);
  }
  response.set_next_page_token(tokens.Seal(page.next, binding));
  return response;
}

}  // namespace returnpath::engine
