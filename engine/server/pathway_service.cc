#include "engine/server/pathway_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/codec.h"
#include "engine/server/page_token.h"
#include "engine/server/pathway_view.h"
#include "engine/server/unary_call.h"
#include "engine/status_macros.h"

namespace returnpath::engine {
namespace {

constexpr size_t kMaxIdLength = 128;
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;

std::string TypeName(const google::protobuf::Any& any) {
  const std::string& url = any.type_url();
  return url.substr(url.rfind('/') + 1);
}

absl::Status ValidateRecord(const v1::RecordEventRequest& request) {
  if (request.person_id().empty()) {
    return absl::InvalidArgumentError("person_id is required");
  }
  if (request.person_id().size() > kMaxIdLength ||
      request.person_id().find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "person_id must be at most ", kMaxIdLength, " characters without NUL"));
  }
  if (!request.has_event() || request.event().type_url().empty()) {
    return absl::InvalidArgumentError(
        "event is required: a domain event packed as Any");
  }
  if (!request.has_effective_time()) {
    return absl::InvalidArgumentError(
        "effective_time is required: when the event happened legally");
  }
  const std::string type = TypeName(request.event());
  if (type == "returnpath.v1.TimerFired" ||
      type == "returnpath.v1.TaskCompleted") {
    return absl::InvalidArgumentError(absl::StrCat(
        "event: ", type,
        " is recorded by the engine only (complete the task instead)"));
  }
  return absl::OkStatus();
}

absl::Status CheckEventType(const Principal& principal,
                            const std::string& type) {
  if (principal.allowed_event_types.empty()) {
    if (principal.role == v1::ROLE_RECEPTION) return absl::OkStatus();
    return absl::PermissionDeniedError(
        absl::StrCat(principal.name, " may not record ", type,
                     ": no event types are allowed for them"));
  }
  const auto& allowed = principal.allowed_event_types;
  if (std::find(allowed.begin(), allowed.end(), type) != allowed.end()) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat(principal.name, " may not record ", type));
}

// The person's scope keys: stored ones, or for a new person the keys the
// workflow would give it (a pure dry run, nothing is written).
absl::StatusOr<std::vector<std::string>> ScopeKeys(
    const ServiceDeps& deps, const v1::RecordEventRequest& request) {
  absl::StatusOr<v1::StreamRecord> record =
      deps.store->GetStreamRecord(request.person_id());
  if (record.ok())
    return std::vector<std::string>(record->index_keys().begin(),
                                    record->index_keys().end());
  if (!absl::IsNotFound(record.status())) return record.status();
  if (request.has_expected_version() && request.expected_version() != 0) {
    return absl::NotFoundError(
        absl::StrCat("no person with id ", request.person_id()));
  }
  v1::EventEnvelope dry_run;
  dry_run.set_stream_id(request.person_id());
  dry_run.set_stream_version(1);
  dry_run.set_position(deps.store->LastPosition() + 1);
  dry_run.set_principal("dry-run");
  *dry_run.mutable_effective_time() = request.effective_time();
  *dry_run.mutable_recorded_time() = ToTimestamp(deps.clock->Now());
  *dry_run.mutable_payload() = request.event();
  RP_ASSIGN_OR_RETURN(
      std::string policy,
      deps.workflow->PolicyVersionAt(FromTimestamp(request.effective_time())));
  dry_run.set_policy_version(policy);
  RP_ASSIGN_OR_RETURN(Transition transition, deps.workflow->Apply("", dry_run));
  return transition.index_keys;
}

}  // namespace

grpc::ServerUnaryReactor* PathwayService::RecordEvent(
    grpc::CallbackServerContext* ctx, const v1::RecordEventRequest* request,
    v1::RecordEventResponse* response) {
  return RunUnary(
      deps_, ctx,
      [this, request, response](const Principal& principal, Finish finish) {
        absl::Status allowed =
            RequireRole(principal, {v1::ROLE_RECEPTION, v1::ROLE_POLICE},
                        "record an event");
        if (allowed.ok()) allowed = ValidateRecord(*request);
        if (allowed.ok())
          allowed = CheckEventType(principal, TypeName(request->event()));
        if (!allowed.ok()) return finish(allowed);
        absl::StatusOr<std::vector<std::string>> keys =
            ScopeKeys(deps_, *request);
        if (!keys.ok()) return finish(keys.status());
        allowed = RequireScope(
            principal, *keys,
            absl::StrCat("record events for ", request->person_id()));
        if (!allowed.ok()) return finish(allowed);

        AppendRequest append;
        append.stream_id = request->person_id();
        if (request->has_expected_version())
          append.expected_version = request->expected_version();
        append.idempotency_key = request->idempotency_key();
        append.principal = principal.name;
        append.correlation_id = request->correlation_id();
        append.events.push_back(
            {FromTimestamp(request->effective_time()), request->event()});
        deps_.store->AppendAsync(
            std::move(append),
            [response, finish = std::move(finish)](
                absl::StatusOr<AppendResult> result) mutable {
              if (!result.ok()) return finish(result.status());
              response->set_position(result->last_position);
              response->set_version(result->stream_version);
              response->set_deduplicated(result->deduplicated);
              finish(absl::OkStatus());
            });
      });
}

grpc::ServerUnaryReactor* PathwayService::GetPathway(
    grpc::CallbackServerContext* ctx, const v1::GetPathwayRequest* request,
    v1::PathwayView* response) {
  return RunUnarySync(
      deps_, ctx, [this, request, response](const Principal& principal) {
        RP_RETURN_IF_ERROR(RequireRole(
            principal, {v1::ROLE_RECEPTION, v1::ROLE_ADVISER, v1::ROLE_POLICE},
            "read a pathway"));
        if (request->person_id().empty()) {
          return absl::InvalidArgumentError("person_id is required");
        }
        RP_ASSIGN_OR_RETURN(*response,
                            LoadPathwayView(*deps_.store, *deps_.workflow,
                                            request->person_id()));
        std::vector<std::string> keys(response->index_keys().begin(),
                                      response->index_keys().end());
        absl::Status in_scope = RequireScope(
            principal, keys,
            absl::StrCat("read the pathway of ", request->person_id()));
        if (in_scope.ok()) {
          in_scope = deps_.access_log->Record(principal, "GetPathway",
                                              {request->person_id()});
        }
        if (!in_scope.ok()) response->Clear();
        return in_scope;
      });
}

grpc::ServerUnaryReactor* PathwayService::ListPathways(
    grpc::CallbackServerContext* ctx, const v1::ListPathwaysRequest* request,
    v1::ListPathwaysResponse* response) {
  return RunUnarySync(
      deps_, ctx, [this, request, response](const Principal& principal) {
        RP_RETURN_IF_ERROR(RequireRole(
            principal, {v1::ROLE_RECEPTION, v1::ROLE_ADVISER, v1::ROLE_POLICE},
            "list pathways"));
        const bool is_range =
            !request->from_key().empty() || !request->to_key().empty();
        if (is_range && !request->index_prefix().empty()) {
          return absl::InvalidArgumentError(
              "give either index_prefix or from_key/to_key, not both");
        }
        if (is_range &&
            (request->from_key().empty() || request->to_key().empty())) {
          return absl::InvalidArgumentError(
              "a range needs both from_key and to_key");
        }
        if (request->page_size() < 0 || request->page_size() > kMaxPageSize) {
          return absl::InvalidArgumentError(
              absl::StrCat("page_size must be between 0 and ", kMaxPageSize));
        }
        const size_t page_size =
            request->page_size() == 0 ? kDefaultPageSize : request->page_size();
        IndexQuery query =
            is_range ? IndexQuery::Range(request->from_key(), request->to_key(),
                                         page_size)
                     : IndexQuery::Prefix(request->index_prefix(), page_size);
        RP_ASSIGN_OR_RETURN(query.page_token,
                            DecodePageToken(request->page_token()));
        RP_ASSIGN_OR_RETURN(IndexPage page, deps_.store->ListIndex(query));
        for (const IndexEntry& entry : page.entries) {
          RP_ASSIGN_OR_RETURN(
              v1::PathwayView view,
              LoadPathwayView(*deps_.store, *deps_.workflow, entry.stream_id));
          std::vector<std::string> keys(view.index_keys().begin(),
                                        view.index_keys().end());
          // Out-of-scope persons are left out rather than failing the listing.
          if (RequireScope(principal, keys, "read").ok()) {
            *response->add_pathways() = std::move(view);
          }
        }
        response->set_next_page_token(EncodePageToken(page.next_page_token));
        std::vector<std::string> read;
        for (const v1::PathwayView& view : response->pathways())
          read.push_back(view.person_id());
        absl::Status logged =
            deps_.access_log->Record(principal, "ListPathways", read);
        if (!logged.ok()) response->Clear();
        return logged;
      });
}

}  // namespace returnpath::engine
