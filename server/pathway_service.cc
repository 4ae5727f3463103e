#include "server/pathway_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/proto_time.h"
#include "engine/rpc/unary_call.h"
#include "engine/status_macros.h"
#include "server/input_bounds.h"
#include "server/page_token.h"
#include "server/pathway_view.h"
#include "server/person_scope.h"
#include "server/scoped_listing.h"

namespace returnpath::engine {
namespace {

absl::Status ValidateRecord(const v1::RecordEventRequest& request,
                            const Workflow& workflow) {
  if (request.person_id().empty()) {
    return absl::InvalidArgumentError("person_id is required");
  }
  if (!request.has_event() || request.event().type_url().empty()) {
    return absl::InvalidArgumentError(
        "event is required: a domain event packed as Any");
  }
  if (!request.has_effective_time()) {
    return absl::InvalidArgumentError(
        "effective_time is required: when the event happened legally");
  }
  RP_RETURN_IF_ERROR(CheckBounds(request));
  const std::string type = EventTypeName(request.event());
  const std::vector<std::string> engine_only = workflow.EngineOnlyEventTypes();
  if (std::find(engine_only.begin(), engine_only.end(), type) !=
      engine_only.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event: ", type,
        " is recorded by the engine only (complete the task instead)"));
  }
  return absl::OkStatus();
}

// OK when the policy lets the principal's role record this kind of event
// now, and the principal's own list (if any) names its type.
absl::Status MayRecordKind(const ServiceDeps& deps, const Principal& principal,
                           const google::protobuf::Any& event) {
  RP_RETURN_IF_ERROR(deps.workflow->MayRecord(RoleWord(principal.role), event,
                                              deps.clock->Now()));
  const auto& allowed = principal.allowed_event_types;
  const std::string type = EventTypeName(event);
  if (allowed.empty() ||
      std::find(allowed.begin(), allowed.end(), type) != allowed.end()) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      principal.name, " may not record ", type,
      ": their principal entry narrows them to other event types"));
}

// The index keys the workflow would give a new person for this event: a
// pure dry run on an empty state, nothing is written.
absl::StatusOr<std::vector<std::string>> NewPersonKeys(
    const ServiceDeps& deps, const v1::RecordEventRequest& request) {
  v1::EventEnvelope dry_run;
  dry_run.set_stream_id(request.person_id());
  dry_run.set_stream_version(1);
  dry_run.set_principal("dry-run");
  *dry_run.mutable_effective_time() = request.effective_time();
  *dry_run.mutable_recorded_time() = ToTimestamp(deps.clock->Now());
  *dry_run.mutable_payload() = request.event();
  RP_ASSIGN_OR_RETURN(
      std::string policy,
      deps.workflow->PolicyVersionAt(FromTimestamp(request.effective_time())));
  dry_run.set_policy_version(policy);
  absl::StatusOr<Transition> transition =
      deps.workflow->Apply("", dry_run, NoEvents());
  // The workflow's "not registered" would tell a missing person apart.
  if (absl::IsNotFound(transition.status()))
    return NoSuchPerson(request.person_id());
  RP_RETURN_IF_ERROR(transition.status());
  return transition->index_keys;
}

// RESOURCE_EXHAUSTED once the person's pathway is as large as one may grow.
absl::Status RoomForMore(absl::string_view person_id,
                         const v1::StreamRecord& record) {
  if (record.state().size() < kMaxPathwayBytes) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "cannot record more for ", person_id, ": their pathway holds ",
      record.state().size() / 1024, " KiB, the most one pathway may hold is ",
      kMaxPathwayBytes / 1024, " KiB"));
}

// The scope check made inside the write, against the person's record as the
// write sees it: a person moved to another centre a moment before is judged
// by where they are now. A stream that does not exist yet was judged by
// MayRecord's new-person path, which depends on the request alone.
std::function<absl::Status(const v1::StreamRecord&)> ScopeGuard(
    Principal principal, std::string person_id) {
  return [principal = std::move(principal),
          person_id = std::move(person_id)](const v1::StreamRecord& record) {
    if (record.version() == 0) return absl::OkStatus();
    if (!CoversPerson(principal, record)) return NoSuchPerson(person_id);
    return RoomForMore(person_id, record);
  };
}

// OK when the principal may record this event for this person, as far as a
// read before the write can tell (ScopeGuard checks again inside it). A
// person out of scope is answered exactly as a missing one: both take the
// new-person path, which depends on the request alone, and neither may be
// written.
absl::Status MayRecord(const ServiceDeps& deps, const Principal& principal,
                       const v1::RecordEventRequest& request) {
  absl::StatusOr<v1::StreamRecord> record =
      deps.store->GetStreamRecord(request.person_id());
  if (record.ok() && CoversPerson(principal, *record)) {
    if (record->erased_at_position() != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot record events for ", request.person_id(),
                       ": they were erased (event ",
                       record->erased_at_position(), " in the log)"));
    }
    return RoomForMore(request.person_id(), *record);
  }
  if (!record.ok() && !absl::IsNotFound(record.status()))
    return record.status();
  if (request.has_expected_version() && request.expected_version() != 0)
    return NoSuchPerson(request.person_id());
  RP_ASSIGN_OR_RETURN(std::vector<std::string> keys,
                      NewPersonKeys(deps, request));
  RP_RETURN_IF_ERROR(
      RequireScope(principal, keys,
                   absl::StrCat("record events for ", request.person_id())));
  // Registering an id that exists elsewhere; unavoidably unlike a fresh one.
  if (record.ok()) return NoSuchPerson(request.person_id());
  return absl::OkStatus();
}

// The index listing a request names (a prefix, or a range of whole keys),
// read kScanPageSize entries at a time.
absl::StatusOr<IndexQuery> IndexQueryOf(
    const v1::ListPathwaysRequest& request) {
  const bool is_range =
      !request.from_key().empty() || !request.to_key().empty();
  if (is_range && !request.index_prefix().empty()) {
    return absl::InvalidArgumentError(
        "give either index_prefix or from_key/to_key, not both");
  }
  if (is_range && (request.from_key().empty() || request.to_key().empty())) {
    return absl::InvalidArgumentError("a range needs both from_key and to_key");
  }
  return is_range ? IndexQuery::Range(request.from_key(), request.to_key(),
                                      kScanPageSize)
                  : IndexQuery::Prefix(request.index_prefix(), kScanPageSize);
}

// The store's page of `query` that `token` names.
absl::StatusOr<StorePage<IndexEntry>> ReadIndexPage(EventStore& store,
                                                    IndexQuery query,
                                                    const std::string& token) {
  query.page_token = token;
  RP_ASSIGN_OR_RETURN(IndexPage index_page, store.ListIndex(query));
  StorePage<IndexEntry> page;
  for (IndexEntry& entry : index_page.entries) {
    page.resume_tokens.push_back(IndexPageTokenAfter(entry));
    page.entries.push_back(std::move(entry));
  }
  page.next_page_token = std::move(index_page.next_page_token);
  return page;
}

// The pathways of the listed persons that fit in one reply (at least one).
// Not served before their reading is logged (LogThenServe).
absl::StatusOr<v1::ListPathwaysResponse> LoadPathways(
    const ServiceDeps& deps, const std::vector<IndexEntry>& listed) {
  v1::ListPathwaysResponse response;
  size_t bytes = 0;
  for (const IndexEntry& entry : listed) {
    RP_ASSIGN_OR_RETURN(
        v1::PathwayView view,
        LoadPathwayView(*deps.store, *deps.workflow, entry.stream_id));
    bytes += view.ByteSizeLong();
    if (bytes > kMaxListingBytes && response.pathways_size() > 0) break;
    *response.add_pathways() = std::move(view);
  }
  return response;
}

}  // namespace

grpc::ServerUnaryReactor* PathwayService::RecordEvent(
    grpc::CallbackServerContext* ctx, const v1::RecordEventRequest* request,
    v1::RecordEventResponse* response) {
  return RunUnary(
      deps_, ctx,
      [this, request, response](const Principal& principal, Finish finish) {
        absl::Status allowed = RequireRole(
            principal, {v1::ROLE_RECEPTION, v1::ROLE_ADVISER, v1::ROLE_POLICE},
            "record an event");
        if (allowed.ok()) allowed = ValidateRecord(*request, *deps_.workflow);
        if (allowed.ok())
          allowed = MayRecordKind(deps_, principal, request->event());
        if (allowed.ok()) allowed = MayRecord(deps_, principal, *request);
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
        append.guard = ScopeGuard(principal, request->person_id());
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
  return RunUnary(
      deps_, ctx,
      [this, request, response](const Principal& principal, Finish finish) {
        absl::StatusOr<v1::PathwayView> view = ReadPathway(principal, *request);
        if (!view.ok()) return finish(view.status());
        LogThenServe(
            deps_, principal, "GetPathway", {request->person_id()},
            [response, view = *std::move(view)]() mutable {
              *response = std::move(view);
              return absl::OkStatus();
            },
            std::move(finish));
      });
}

absl::StatusOr<v1::PathwayView> PathwayService::ReadPathway(
    const Principal& principal, const v1::GetPathwayRequest& request) const {
  RP_RETURN_IF_ERROR(RequireRole(
      principal, {v1::ROLE_RECEPTION, v1::ROLE_ADVISER, v1::ROLE_POLICE},
      "read a pathway"));
  if (request.person_id().empty()) {
    return absl::InvalidArgumentError("person_id is required");
  }
  RP_RETURN_IF_ERROR(CheckBounds(request));
  RP_ASSIGN_OR_RETURN(
      const v1::StreamRecord record,
      ReadablePerson(*deps_.store, principal, request.person_id()));
  if (record.erased_at_position() != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        request.person_id(), " was erased (event ", record.erased_at_position(),
        " in the log): their pathway is no longer kept, and auditors see "
        "what is left of their history"));
  }
  return LoadPathwayView(*deps_.store, *deps_.workflow, request.person_id());
}

grpc::ServerUnaryReactor* PathwayService::ListPathways(
    grpc::CallbackServerContext* ctx, const v1::ListPathwaysRequest* request,
    v1::ListPathwaysResponse* response) {
  return RunUnary(
      deps_, ctx,
      [this, request, response](const Principal& principal, Finish finish) {
        absl::StatusOr<v1::ListPathwaysResponse> listed =
            ListPathwayPage(principal, *request);
        if (!listed.ok()) return finish(listed.status());
        std::vector<std::string> persons;
        for (const v1::PathwayView& view : listed->pathways())
          persons.push_back(view.person_id());
        LogThenServe(
            deps_, principal, "ListPathways", std::move(persons),
            [response, listed = *std::move(listed)]() mutable {
              *response = std::move(listed);
              return absl::OkStatus();
            },
            std::move(finish));
      });
}

absl::StatusOr<v1::ListPathwaysResponse> PathwayService::ListPathwayPage(
    const Principal& principal, const v1::ListPathwaysRequest& request) const {
  RP_RETURN_IF_ERROR(RequireRole(
      principal, {v1::ROLE_RECEPTION, v1::ROLE_ADVISER, v1::ROLE_POLICE},
      "list pathways"));
  RP_ASSIGN_OR_RETURN(const IndexQuery query, IndexQueryOf(request));
  RP_ASSIGN_OR_RETURN(const size_t page_size,
                      RequestedPageSize(request.page_size()));
  RP_RETURN_IF_ERROR(CheckBounds(request));
  const std::string binding = PageTokenBinding(
      {"ListPathways", principal.name, request.index_prefix(),
       request.from_key(), request.to_key()});
  const PageTokens& tokens = PageTokens::ForProcess();
  RP_ASSIGN_OR_RETURN(std::string token,
                      tokens.Open(request.page_token(), binding));
  ScopeFilter scope(*deps_.store, principal);
  RP_ASSIGN_OR_RETURN(ScopedPage<IndexEntry> page,
                      CollectInScope<IndexEntry>(
                          page_size, std::move(token),
                          [&](const std::string& at) {
                            return ReadIndexPage(*deps_.store, query, at);
                          },
                          [&](const IndexEntry& entry) {
                            return scope.Covers(entry.stream_id);
                          }));
  RP_ASSIGN_OR_RETURN(v1::ListPathwaysResponse response,
                      LoadPathways(deps_, page.entries));
  const size_t served = response.pathways_size();
  response.set_next_page_token(tokens.Seal(
      served < page.entries.size() ? page.resume_tokens[served - 1]
                                   : page.next_page_token,
      binding));
  return response;
}

}  // namespace returnpath::engine
