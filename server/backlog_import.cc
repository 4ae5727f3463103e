#include "server/backlog_import.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/proto_time.h"
#include "engine/status_macros.h"
#include "server/input_bounds.h"

namespace returnpath::engine {
namespace {

// Where a refusal points: the file's line when the client named one.
std::string Where(const v1::PersonBacklog& person, int index,
                  const v1::BacklogEvent& event) {
  const std::string at = event.line() > 0 ? absl::StrCat("line ", event.line())
                                          : absl::StrCat("events[", index, "]");
  return absl::StrCat(at, " (person ", person.person_id(), ")");
}

absl::Status At(absl::string_view where, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(where, ": ", status.message()));
}

absl::Status CheckEventFields(const v1::BacklogEvent& event,
                              const std::vector<std::string>& engine_only) {
  if (!event.has_event() || event.event().type_url().empty()) {
    return absl::InvalidArgumentError(
        "event is required: a domain event packed as Any");
  }
  RP_RETURN_IF_ERROR(CheckEvent("event", event.event()));
  const std::string type = EventTypeName(event.event());
  if (std::find(engine_only.begin(), engine_only.end(), type) !=
      engine_only.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("event: ", type, " is recorded by the engine only"));
  }
  if (!event.has_effective_time()) {
    return absl::InvalidArgumentError(
        "effective_time is required: when the event happened legally");
  }
  return CheckTime("effective_time", event.effective_time());
}

absl::Status CheckPersonFields(const v1::PersonBacklog& person,
                               const std::vector<std::string>& engine_only) {
  RP_RETURN_IF_ERROR(CheckId("person_id", person.person_id()));
  if (person.person_id().empty()) {
    return absl::InvalidArgumentError("person_id is required");
  }
  if (person.events().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("person ", person.person_id(), ": events is empty"));
  }
  if (person.events_size() > kMaxBacklogEvents) {
    return absl::InvalidArgumentError(
        absl::StrCat("person ", person.person_id(), ": more than ",
                     kMaxBacklogEvents, " events"));
  }
  for (int i = 0; i < person.events_size(); ++i) {
    RP_RETURN_IF_ERROR(At(Where(person, i, person.events(i)),
                          CheckEventFields(person.events(i), engine_only)));
  }
  return absl::OkStatus();
}

// The person's own events of a dry run, by version (as position).
class DryRunEvents final : public EventLookup {
 public:
  void Add(v1::EventEnvelope event) { events_.push_back(std::move(event)); }
  absl::StatusOr<v1::EventEnvelope> EventAt(uint64_t position) const override {
    if (position == 0 || position > events_.size()) {
      return absl::NotFoundError(absl::StrCat("no event at ", position));
    }
    return events_[position - 1];
  }
  absl::StatusOr<uint64_t> PositionOf(absl::string_view stream_id,
                                      uint64_t version) const override {
    if (version == 0 || version > events_.size() ||
        events_.front().stream_id() != stream_id) {
      return absl::NotFoundError(
          absl::StrCat("no event ", stream_id, "@", version));
    }
    return version;
  }

 private:
  std::vector<v1::EventEnvelope> events_;
};

// Folds a new person's events through the workflow, writing nothing: the
// rules' refusal, if any, with the event it refuses in `*refused`.
absl::Status DryRun(const v1::PersonBacklog& person, const Workflow& workflow,
                    absl::Time now, v1::BacklogEvent* refused) {
  std::string state;
  DryRunEvents log;
  uint64_t version = 0;
  for (const v1::BacklogEvent& event : InEffectiveOrder(person)) {
    *refused = event;
    v1::EventEnvelope envelope;
    envelope.set_stream_id(person.person_id());
    envelope.set_stream_version(++version);
    envelope.set_principal("dry-run");
    *envelope.mutable_effective_time() = event.effective_time();
    *envelope.mutable_recorded_time() = ToTimestamp(now);
    *envelope.mutable_payload() = event.event();
    absl::StatusOr<std::string> policy =
        workflow.PolicyVersionAt(FromTimestamp(event.effective_time()));
    RP_RETURN_IF_ERROR(policy.status());
    envelope.set_policy_version(*policy);
    absl::StatusOr<Transition> transition =
        workflow.Apply(state, envelope, log);
    RP_RETURN_IF_ERROR(transition.status());
    state = std::move(transition->next_state);
    envelope.set_position(version);
    log.Add(std::move(envelope));
  }
  return absl::OkStatus();
}

v1::PersonImportOutcome OutcomeOf(const v1::PersonBacklog& person) {
  v1::PersonImportOutcome outcome;
  outcome.set_person_id(person.person_id());
  uint32_t first = 0;
  for (const v1::BacklogEvent& event : person.events()) {
    if (first == 0 || (event.line() > 0 && event.line() < first))
      first = event.line();
  }
  outcome.set_first_line(first);
  return outcome;
}

// What the rules answer for an event that may not be recorded: the
// person's refusal, not the call's failure.
bool IsRulesRefusal(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kPermissionDenied:
      return true;
    default:
      return false;
  }
}

// The outcome of one person's append; a storage failure is the call's.
absl::Status Judge(const absl::StatusOr<AppendResult>& result, size_t events,
                   v1::PersonImportOutcome* outcome) {
  if (result.ok()) {
    outcome->set_result(result->deduplicated ? v1::IMPORT_RESULT_ALREADY_PRESENT
                                             : v1::IMPORT_RESULT_IMPORTED);
    if (!result->deduplicated) outcome->set_events(events);
    return absl::OkStatus();
  }
  const absl::Status& status = result.status();
  outcome->set_result(v1::IMPORT_RESULT_REFUSED);
  switch (status.code()) {
    case absl::StatusCode::kAlreadyExists:  // the key, other lines
      outcome->set_reason(
          "imported before from other lines; nothing recorded (the earlier "
          "import stands: correct it with corrections)");
      return absl::OkStatus();
    case absl::StatusCode::kAborted:  // expected version 0
      outcome->set_reason(
          "already has a history recorded outside an import; nothing "
          "recorded");
      return absl::OkStatus();
    default:
      if (!IsRulesRefusal(status)) return status;
      outcome->set_reason(std::string(status.message()));
      return absl::OkStatus();
  }
}

// What the appends of one request share until the last is answered.
struct PendingImport {
  v1::ImportResponse response;
  std::atomic<size_t> left{0};
  std::atomic<bool> failed{false};
  absl::Status failure;  // written by the first failing append only
  absl::AnyInvocable<void(absl::StatusOr<v1::ImportResponse>)> done;
};

}  // namespace

std::string ImportKey(absl::string_view person_id) {
  return absl::StrCat("import/", person_id);
}

std::vector<v1::BacklogEvent> InEffectiveOrder(
    const v1::PersonBacklog& person) {
  std::vector<v1::BacklogEvent> events(person.events().begin(),
                                       person.events().end());
  std::stable_sort(events.begin(), events.end(),
                   [](const v1::BacklogEvent& a, const v1::BacklogEvent& b) {
                     return FromTimestamp(a.effective_time()) <
                            FromTimestamp(b.effective_time());
                   });
  return events;
}

namespace {

absl::Status CheckImportFields(const v1::ImportRequest& request,
                               const Workflow& workflow) {
  if (request.persons().empty()) {
    return absl::InvalidArgumentError("persons is empty: nothing to import");
  }
  if (request.persons_size() > kMaxImportPersons) {
    return absl::InvalidArgumentError(absl::StrCat(
        "persons: at most ", kMaxImportPersons, " in one request"));
  }
  RP_RETURN_IF_ERROR(CheckId("source", request.source()));
  const std::vector<std::string> engine_only = workflow.EngineOnlyEventTypes();
  absl::flat_hash_set<std::string> seen;
  for (const v1::PersonBacklog& person : request.persons()) {
    RP_RETURN_IF_ERROR(CheckPersonFields(person, engine_only));
    if (!seen.insert(person.person_id()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("person ", person.person_id(),
                       " appears twice: give all of a person's events once"));
    }
  }
  return absl::OkStatus();
}

// Whether the store holds the person already (then the write says whether
// it is the same import); else the dry run, its refusal naming the event in
// `*refused`.
absl::StatusOr<bool> CheckRules(const v1::PersonBacklog& person,
                                EventStore& store, const Workflow& workflow,
                                absl::Time now, v1::BacklogEvent* refused) {
  absl::StatusOr<v1::StreamRecord> record =
      store.GetStreamRecord(person.person_id());
  if (record.ok()) return true;
  if (!absl::IsNotFound(record.status())) return record.status();
  RP_RETURN_IF_ERROR(DryRun(person, workflow, now, refused));
  return false;
}

}  // namespace

absl::Status CheckImport(const v1::ImportRequest& request, EventStore& store,
                         const Workflow& workflow, absl::Time now) {
  RP_RETURN_IF_ERROR(CheckImportFields(request, workflow));
  for (const v1::PersonBacklog& person : request.persons()) {
    v1::BacklogEvent refused;
    const absl::Status checked =
        CheckRules(person, store, workflow, now, &refused).status();
    RP_RETURN_IF_ERROR(At(Where(person, 0, refused), checked));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ImportResponse> CheckOnly(const v1::ImportRequest& request,
                                             EventStore& store,
                                             const Workflow& workflow,
                                             absl::Time now) {
  RP_RETURN_IF_ERROR(CheckImportFields(request, workflow));
  v1::ImportResponse response;
  for (const v1::PersonBacklog& person : request.persons()) {
    v1::PersonImportOutcome outcome = OutcomeOf(person);
    v1::BacklogEvent refused;
    absl::StatusOr<bool> present =
        CheckRules(person, store, workflow, now, &refused);
    if (!present.ok() && !IsRulesRefusal(present.status()))
      return present.status();
    if (!present.ok()) {
      outcome.set_result(v1::IMPORT_RESULT_REFUSED);
      outcome.set_reason(std::string(present.status().message()));
      outcome.set_line(refused.line());
    } else if (*present) {
      outcome.set_result(v1::IMPORT_RESULT_ALREADY_PRESENT);
      outcome.set_reason(
          "already in the store: an import records nothing for them (and "
          "refuses them if these lines differ from the ones imported)");
    } else {
      outcome.set_result(v1::IMPORT_RESULT_CHECKED);
      outcome.set_events(person.events_size());
    }
    *response.add_outcomes() = std::move(outcome);
  }
  return response;
}

void WriteImport(
    const v1::ImportRequest& request, EventStore& store,
    const std::string& principal,
    absl::AnyInvocable<void(absl::StatusOr<v1::ImportResponse>)> done) {
  auto pending = std::make_shared<PendingImport>();
  pending->done = std::move(done);
  pending->left.store(request.persons_size());
  for (const v1::PersonBacklog& person : request.persons())
    *pending->response.add_outcomes() = OutcomeOf(person);
  for (int i = 0; i < request.persons_size(); ++i) {
    const v1::PersonBacklog& person = request.persons(i);
    AppendRequest append;
    append.stream_id = person.person_id();
    append.expected_version = 0;
    append.idempotency_key = ImportKey(person.person_id());
    append.principal = principal;
    append.correlation_id = request.source();
    for (const v1::BacklogEvent& event : InEffectiveOrder(person)) {
      append.events.push_back(
          {FromTimestamp(event.effective_time()), event.event()});
    }
    const size_t events = append.events.size();
    store.AppendAsync(
        std::move(append),
        [pending, i, events](absl::StatusOr<AppendResult> result) {
          absl::Status failed =
              Judge(result, events, pending->response.mutable_outcomes(i));
          if (!failed.ok() && !pending->failed.exchange(true)) {
            pending->failure = failed;
          }
          if (pending->left.fetch_sub(1, std::memory_order_acq_rel) != 1)
            return;
          if (pending->failed.load()) return pending->done(pending->failure);
          pending->done(std::move(pending->response));
        });
  }
}

}  // namespace returnpath::engine
