// CommandContext::Append: validation, the workflow's transition, and every
// write one appended event implies. See command_context.h.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "commit/command_context.h"
#include "commit/transition_records.h"
#include "engine/status_macros.h"
#include "returnpath/v1/engine.pb.h"
#include "store/codec.h"
#include "store/hash_chain.h"
#include "store/keys.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::EventEnvelope;
using returnpath::v1::StreamRecord;
using returnpath::v1::Task;
using returnpath::v1::Timer;

bool IsKeyPart(absl::string_view s) {
  return !s.empty() && s.find('\0') == absl::string_view::npos && IsUtf8(s);
}

absl::Status ValidateRequest(const AppendRequest& request) {
  if (request.stream_id.empty()) {
    return absl::InvalidArgumentError("stream_id is empty");
  }
  if (!IsKeyPart(request.stream_id)) {
    return absl::InvalidArgumentError(
        "stream_id contains a NUL byte or is not UTF-8");
  }
  const std::pair<const char*, const std::string*> texts[] = {
      {"idempotency_key", &request.idempotency_key},
      {"principal", &request.principal},
      {"correlation_id", &request.correlation_id},
      {"causation_id", &request.causation_id}};
  for (const auto& [name, value] : texts) {
    if (!IsUtf8(*value)) {
      return absl::InvalidArgumentError(absl::StrCat(name, " is not UTF-8"));
    }
  }
  if (request.events.empty()) {
    return absl::InvalidArgumentError("events is empty");
  }
  for (size_t i = 0; i < request.events.size(); ++i) {
    const ProposedEvent& e = request.events[i];
    if (e.effective_time == absl::InfinitePast() ||
        e.effective_time == absl::InfiniteFuture()) {
      return absl::InvalidArgumentError(
          absl::StrCat("events[", i, "].effective_time is not set"));
    }
    if (e.payload.type_url().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("events[", i, "].payload is not set"));
    }
  }
  return absl::OkStatus();
}

// A workflow that names an unusable id or key is broken, not the caller.
absl::Status ValidateTransition(const Transition& t) {
  auto bad = [](absl::string_view what, absl::string_view value) {
    return absl::InternalError(
        absl::StrCat("workflow returned an empty or NUL-containing ", what,
                     ": \"", absl::CHexEscape(value), "\""));
  };
  for (const TimerSpec& s : t.timers_to_arm) {
    if (!IsKeyPart(s.id)) return bad("timer id", s.id);
  }
  for (const std::string& id : t.timers_to_cancel) {
    if (!IsKeyPart(id)) return bad("timer id", id);
  }
  for (const TimerSpec& s : t.timers_to_arm) {
    if (!IsUtf8(s.kind)) return bad("timer kind", s.kind);
  }
  for (const auto* specs : {&t.tasks_to_open, &t.tasks_to_update}) {
    for (const TaskSpec& s : *specs) {
      if (!IsKeyPart(s.id)) return bad("task id", s.id);
      if (!IsKeyPart(s.queue)) return bad("task queue", s.queue);
      for (const std::string* text : {&s.kind, &s.title, &s.rule}) {
        if (!IsUtf8(*text)) return bad("task text", *text);
      }
    }
  }
  for (const std::string& id : t.tasks_to_close) {
    if (!IsKeyPart(id)) return bad("task id", id);
  }
  for (const Transition::TaskOutcome& done : t.tasks_to_complete) {
    if (!IsKeyPart(done.id)) return bad("task id", done.id);
    if (!IsUtf8(done.outcome)) return bad("task outcome", done.outcome);
  }
  for (const std::string& key : t.index_keys) {
    if (!IsKeyPart(key)) return bad("index key", key);
  }
  return absl::OkStatus();
}

// A related event the workflow named: as checked as a caller's request.
absl::Status ValidateRelated(const RelatedEvent& r) {
  if (!IsKeyPart(r.stream_id)) {
    return absl::InternalError(
        absl::StrCat("workflow named an empty or NUL-containing related "
                     "stream: \"",
                     absl::CHexEscape(r.stream_id), "\""));
  }
  if (r.effective_time == absl::InfinitePast() ||
      r.effective_time == absl::InfiniteFuture()) {
    return absl::InternalError(
        absl::StrCat("workflow named a related event for stream \"",
                     r.stream_id, "\" without an effective time"));
  }
  if (r.payload.type_url().empty()) {
    return absl::InternalError(
        absl::StrCat("workflow named a related event for stream \"",
                     r.stream_id, "\" without a payload"));
  }
  return absl::OkStatus();
}

std::string StoredIdempotencyKey(const AppendRequest& request) {
  return request.key_owner == KeyOwner::kEngine
             ? keys::EngineIdempotency(request.idempotency_key)
             : keys::CallerIdempotency(request.idempotency_key);
}

// What makes two requests the same request: the stream, and each event's
// payload and effective time; not the metadata, which a retry may renew.
std::string RequestFingerprint(const AppendRequest& request) {
  std::string text;
  auto put = [&text](absl::string_view part) {
    keys::PutU64(&text, part.size());
    text.append(part.data(), part.size());
  };
  put(request.stream_id);
  for (const ProposedEvent& event : request.events) {
    put(event.payload.type_url());
    put(event.payload.value());
    const google::protobuf::Timestamp at = ToTimestamp(event.effective_time);
    keys::PutU64(&text, static_cast<uint64_t>(at.seconds()));
    keys::PutU64(&text, static_cast<uint64_t>(at.nanos()));
  }
  return Sha256(text);
}

// A record written before fingerprints were kept can only tell the stream.
bool SameRequest(const IdempotencyRecord& prior, const AppendRequest& request,
                 absl::string_view fingerprint) {
  return prior.stream_id == request.stream_id &&
         (prior.fingerprint.empty() || prior.fingerprint == fingerprint);
}

std::vector<std::string> SortedUnique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

std::vector<TableKey> AppendReads(const AppendRequest& request,
                                  const PreparedAppend* prepared,
                                  bool sealed) {
  std::vector<TableKey> reads;
  if (!request.idempotency_key.empty()) {
    reads.push_back({Table::kIdempotency, StoredIdempotencyKey(request)});
  }
  reads.push_back({Table::kState, request.stream_id});
  if (sealed) {
    reads.push_back({Table::kKeys, keys::StreamKey(request.stream_id)});
  }
  if (prepared == nullptr) return reads;
  for (const auto& [stream, version] : prepared->read) {
    reads.push_back({Table::kState, stream});
  }
  for (const PreparedEvent& event : prepared->events) {
    const Transition& t = event.transition;
    auto item = [&](Table table, absl::string_view id) {
      reads.push_back({table, keys::StreamItem(event.stream_id, id)});
    };
    for (const TimerSpec& timer : t.timers_to_arm) item(Table::kTimerIds, timer.id);
    for (const std::string& id : t.timers_to_cancel) item(Table::kTimerIds, id);
    for (const auto* specs : {&t.tasks_to_open, &t.tasks_to_update}) {
      for (const TaskSpec& task : *specs) item(Table::kTasks, task.id);
    }
    for (const std::string& id : t.tasks_to_close) item(Table::kTasks, id);
    for (const Transition::TaskOutcome& done : t.tasks_to_complete) {
      item(Table::kTasks, done.id);
    }
  }
  return reads;
}

absl::Status CommandContext::KeyUsedForAnotherRequest() {
  return absl::AlreadyExistsError(
      "idempotency_key was already used for a different request");
}

absl::StatusOr<AppendResult> CommandContext::Append(
    const AppendRequest& request, PreparedAppend* prepared) {
  // Append is atomic on its own: its own layer and save point.
  PushLayer();
  std::optional<WriteCost> before;
  if (on_append_ != nullptr) before = written_;
  absl::StatusOr<AppendResult> result = AppendInternal(request, prepared);
  prepared_ = nullptr;
  if (result.ok()) {
    MergeLayer();
    if (before.has_value() && !result->deduplicated) {
      WriteCost cost = written_;
      cost -= *before;
      (*on_append_)(request.events.front().payload.type_url(),
                    request.events.size() + result->related_events, cost);
    }
  } else {
    PopLayer();
  }
  return result;
}

absl::StatusOr<bool> CommandContext::StillCurrent(
    const PreparedAppend& prepared, const StreamRecord& record) {
  for (const auto& [stream, version] : prepared.read) {
    if (stream == record.stream_id()) {
      if (record.version() != version) return false;
      continue;
    }
    RP_ASSIGN_OR_RETURN(std::optional<StreamRecord> now, GetStream(stream));
    if ((now.has_value() ? now->version() : 0) != version) return false;
  }
  return true;
}

PreparedEvent* CommandContext::TakePrepared(const EventEnvelope& event) {
  if (prepared_ == nullptr) return nullptr;
  if (prepared_next_ < prepared_->events.size()) {
    PreparedEvent& next = prepared_->events[prepared_next_];
    if (next.stream_id == event.stream_id() &&
        next.version == event.stream_version()) {
      ++prepared_next_;
      return &next;
    }
  }
  prepared_ = nullptr;
  return nullptr;
}

absl::StatusOr<AppendResult> CommandContext::AppendInternal(
    const AppendRequest& request, PreparedAppend* prepared) {
  RP_RETURN_IF_ERROR(ValidateRequest(request));
  const bool keyed = !request.idempotency_key.empty();
  const std::string stored_key = keyed ? StoredIdempotencyKey(request) : "";
  const std::string fingerprint = keyed ? RequestFingerprint(request) : "";
  // A retry must be answered even if the stream has moved on since.
  if (keyed) {
    RP_ASSIGN_OR_RETURN(std::optional<IdempotencyRecord> prior,
                        GetIdempotency(stored_key));
    if (prior.has_value()) {
      if (!SameRequest(*prior, request, fingerprint)) {
        return KeyUsedForAnotherRequest();
      }
      return AppendResult{prior->first_position, prior->last_position,
                          prior->stream_version, /*deduplicated=*/true};
    }
  }

  RP_ASSIGN_OR_RETURN(std::optional<StreamRecord> existing,
                      GetStream(request.stream_id));
  StreamRecord record;
  if (existing.has_value()) {
    record = *std::move(existing);
  } else {
    record.set_stream_id(request.stream_id);
  }
  if (request.expected_version.has_value() &&
      *request.expected_version != record.version()) {
    return absl::AbortedError(absl::StrCat(
        "stream \"", request.stream_id, "\" is at version ", record.version(),
        ", expected ", *request.expected_version));
  }
  RP_RETURN_IF_ERROR(RefuseErased(record));
  if (request.guard) RP_RETURN_IF_ERROR(request.guard(record));

  AppendResult result;
  recorded_ = now_;
  if (prepared != nullptr && workflow_ != nullptr) {
    RP_ASSIGN_OR_RETURN(const bool current, StillCurrent(*prepared, record));
    if (current) {
      prepared_ = prepared;
      prepared_next_ = 0;
      recorded_ = prepared->recorded;
    } else {
      result.recomputed = true;
    }
  }
  result.first_position = top().chain.last_position + 1;
  RelatedStreams related;
  for (const ProposedEvent& proposed : request.events) {
    RP_RETURN_IF_ERROR(AppendOne(request, proposed, &record, &related));
  }
  PutStream(record);
  result.last_position = record.last_position();
  result.related_events = top().chain.last_position - result.first_position +
                          1 - request.events.size();
  result.stream_version = record.version();
  if (keyed) {
    PutIdempotency(stored_key,
                   IdempotencyRecord{request.stream_id, result.first_position,
                                     result.last_position,
                                     result.stream_version, fingerprint});
  }
  return result;
}

absl::Status CommandContext::AppendOne(const AppendRequest& request,
                                       const ProposedEvent& proposed,
                                       StreamRecord* record,
                                       RelatedStreams* related) {
  EventEnvelope event = StampEvent(request, *record, proposed.effective_time,
                                   proposed.payload, recorded_);
  event.set_causation_id(request.causation_id);
  RP_ASSIGN_OR_RETURN(Transition transition, WriteEvent(&event, record));
  std::vector<std::string> chain = {request.stream_id};
  return AppendRelated(request, event, transition.related_events, &chain,
                       related);
}

absl::StatusOr<Transition> CommandContext::WriteEvent(EventEnvelope* event,
                                                      StreamRecord* record,
                                                      uint64_t cause_position,
                                                      bool inert) {
  // An inert record (StreamErased) reaches no workflow.
  const Workflow* const workflow = inert ? nullptr : workflow_;
  // The workflow sees no global position (workflow.h): they are set after.
  const uint64_t position = top().chain.last_position + 1;
  const uint64_t version = event->stream_version();
  Transition transition;
  if (PreparedEvent* p = workflow != nullptr ? TakePrepared(*event) : nullptr) {
    event->set_policy_version(std::move(p->policy_version));
    transition = std::move(p->transition);
  } else if (workflow != nullptr) {
    RP_ASSIGN_OR_RETURN(
        std::string policy_version,
        workflow->PolicyVersionAt(FromTimestamp(event->effective_time())));
    event->set_policy_version(std::move(policy_version));
    RP_ASSIGN_OR_RETURN(transition,
                        workflow->Apply(record->state(), *event, events()));
  }
  if (workflow != nullptr) {
    if (!IsUtf8(event->policy_version())) {
      return absl::InternalError(
          "workflow returned a non-UTF-8 policy version");
    }
    RP_RETURN_IF_ERROR(ValidateTransition(transition));
  }
  event->set_position(position);
  if (cause_position != 0) {
    event->set_causation_id(absl::StrCat("event:", cause_position));
    event->set_caused_by_position(cause_position);
  }

  // Serialize once; the hash covers exactly the stored bytes.
  event->set_previous_hash(top().chain.head);
  RP_ASSIGN_OR_RETURN(std::optional<google::protobuf::Any> plain,
                      SealForStore(event));
  std::string bytes;
  if (!event->SerializeToString(&bytes)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event at version ", version, " of stream \"", event->stream_id(),
        "\" cannot be serialized (too large?)"));
  }
  if (plain.has_value()) {  // the transition and the caller see it plain
    *event->mutable_payload() = *std::move(plain);
    event->clear_sealed();
  }
  std::string hash = ChainHash(top().chain.head, bytes);
  std::string event_key = keys::Event(position);
  std::string stored = EncodeEventValue(hash, bytes);
  Put(Table::kEvents, event_key, stored);
  std::string version_key = keys::StreamVersion(event->stream_id(), version);
  Put(Table::kStreams, version_key, keys::U64(position));
  top().events.insert_or_assign(std::move(event_key), std::move(stored));
  top().positions.insert_or_assign(std::move(version_key), position);
  record->set_version(version);
  record->set_last_position(position);
  if (workflow != nullptr) {
    RP_RETURN_IF_ERROR(ApplyTransition(transition, *event, record));
  }
  top().chain.last_position = position;
  top().chain.head = std::move(hash);
  return transition;
}

absl::Status CommandContext::AppendRelated(
    const AppendRequest& request, const EventEnvelope& cause,
    const std::vector<RelatedEvent>& related, std::vector<std::string>* chain,
    RelatedStreams* streams) {
  for (const RelatedEvent& r : related) {
    RP_RETURN_IF_ERROR(ValidateRelated(r));
    if (std::find(chain->begin(), chain->end(), r.stream_id) != chain->end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the event at position ", cause.position(), " of stream \"",
          cause.stream_id(), "\" would append an event to stream \"",
          r.stream_id, "\", which caused it (a cycle); nothing was written"));
    }
    streams->insert(r.stream_id);
    const size_t limit = workflow_->MaxRelatedStreams();
    if (streams->size() > limit) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the event at position ", cause.position(), " of stream \"",
          cause.stream_id(), "\" would append events to more than ", limit,
          " other streams in one command; nothing was written"));
    }
    RP_ASSIGN_OR_RETURN(std::optional<StreamRecord> existing,
                        GetStream(r.stream_id));
    StreamRecord record;
    if (existing.has_value()) {
      record = *std::move(existing);
    } else {
      record.set_stream_id(r.stream_id);
    }
    if (r.expected_version.has_value() &&
        *r.expected_version != record.version()) {
      return absl::AbortedError(
          absl::StrCat("related stream \"", r.stream_id, "\" is at version ",
                       record.version(), ", expected ", *r.expected_version,
                       "; nothing was written"));
    }
    if (record.erased_at_position() != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the event at position ", cause.position(), " of stream \"",
          cause.stream_id(), "\" would append an event to stream \"",
          r.stream_id, "\", which was erased at position ",
          record.erased_at_position(), "; nothing was written"));
    }
    EventEnvelope event =
        StampEvent(request, record, r.effective_time, r.payload, recorded_);
    event.set_caused_by_stream_id(cause.stream_id());
    RP_ASSIGN_OR_RETURN(Transition transition,
                        WriteEvent(&event, &record, cause.position()));
    PutStream(record);
    chain->push_back(r.stream_id);
    absl::Status nested = AppendRelated(
        request, event, transition.related_events, chain, streams);
    chain->pop_back();
    RP_RETURN_IF_ERROR(nested);
  }
  return absl::OkStatus();
}

absl::Status CommandContext::ApplyTransition(const Transition& t,
                                             const EventEnvelope& event,
                                             StreamRecord* record) {
  const std::string& stream = event.stream_id();
  record->set_state(t.next_state);

  std::vector<std::string> old_keys(record->index_keys().begin(),
                                    record->index_keys().end());
  old_keys = SortedUnique(std::move(old_keys));
  std::vector<std::string> new_keys = SortedUnique(t.index_keys);
  for (const std::string& key : old_keys) {
    if (!std::binary_search(new_keys.begin(), new_keys.end(), key)) {
      Delete(Table::kIndex, keys::IndexEntry(key, stream));
    }
  }
  for (const std::string& key : new_keys) {
    if (!std::binary_search(old_keys.begin(), old_keys.end(), key)) {
      Put(Table::kIndex, keys::IndexEntry(key, stream), "");
    }
  }
  record->clear_index_keys();
  for (std::string& key : new_keys) record->add_index_keys(std::move(key));

  for (const std::string& id : t.timers_to_cancel) {
    RP_RETURN_IF_ERROR(DeleteTimer(stream, id));
  }
  for (const TimerSpec& spec : t.timers_to_arm) {
    RP_RETURN_IF_ERROR(PutTimer(TimerFromSpec(stream, spec, event)));
  }

  for (const std::string& id : t.tasks_to_close) {
    RP_RETURN_IF_ERROR(CloseTask(id, event));
  }
  for (const Transition::TaskOutcome& done : t.tasks_to_complete) {
    RP_RETURN_IF_ERROR(CloseTask(done.id, event, &done.outcome));
  }
  auto position_of = [&](uint64_t version) {
    return PositionOf(stream, version);
  };
  for (const TaskSpec& spec : t.tasks_to_update) {
    RP_ASSIGN_OR_RETURN(std::vector<uint64_t> caused_by,
                        CausedByPositions(spec, event, position_of));
    RP_RETURN_IF_ERROR(UpdateTask(spec, event, caused_by));
  }
  for (const TaskSpec& spec : t.tasks_to_open) {
    RP_ASSIGN_OR_RETURN(std::vector<uint64_t> caused_by,
                        CausedByPositions(spec, event, position_of));
    RP_RETURN_IF_ERROR(OpenTask(TaskFromSpec(stream, spec, event, caused_by)));
  }
  return absl::OkStatus();
}

absl::Status CommandContext::CloseTask(absl::string_view task_id,
                                       const EventEnvelope& event,
                                       const std::string* outcome) {
  RP_ASSIGN_OR_RETURN(std::optional<Task> task,
                      GetTask(event.stream_id(), task_id));
  if (!task.has_value() || IsClosedTask(*task)) return absl::OkStatus();
  // A lease, retry delay, dead letter or pause ends with the task.
  DropTaskEntries(*task);
  returnpath::v1::TaskCompleted completed;
  if (outcome != nullptr) {
    task->set_state(returnpath::v1::TASK_STATE_COMPLETED);
    task->set_outcome(*outcome);
  } else if (event.payload().UnpackTo(&completed) &&
             completed.task_id() == task_id) {
    task->set_state(returnpath::v1::TASK_STATE_COMPLETED);
    task->set_outcome(completed.outcome());
  } else {
    task->set_state(returnpath::v1::TASK_STATE_CANCELLED);
  }
  task->set_closed_at_position(event.position());
  return PutTask(*task);
}

}  // namespace returnpath::engine
