#include "commit/prepare.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "engine/status_macros.h"
#include "returnpath/v1/engine.pb.h"
#include "store/codec.h"
#include "store/keys.h"
#include "store/sealing.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::EventEnvelope;
using returnpath::v1::StreamRecord;

// Durable events, as a transition prepared here may read them.
class DurableEvents final : public EventLookup {
 public:
  explicit DurableEvents(const StoreBackend& store)
      : reads_(store.Latest()), keys_(KeysIn(reads_, store.master_keys())) {}
  absl::StatusOr<EventEnvelope> EventAt(uint64_t position) const override {
    RP_ASSIGN_OR_RETURN(
        EventEnvelope event,
        EventForLookup(
            position, reads_.Get(Table::kEvents, keys::Event(position))));
    RP_RETURN_IF_ERROR(OpenEvent(keys_, &event));
    return event;
  }
  absl::StatusOr<uint64_t> PositionOf(absl::string_view stream_id,
                                      uint64_t version) const override {
    return PositionForLookup(
        stream_id, version,
        reads_.Get(Table::kStreams, keys::StreamVersion(stream_id, version)));
  }

 private:
  const StoreView& reads_;
  // Found as sealed events are read, for this one preparation.
  mutable StreamKeys keys_;
};

class Preparer {
 public:
  Preparer(const StoreBackend& store, const Workflow& workflow, absl::Time now,
           const AppendRequest& request)
      : reads_(store.Latest()),
        workflow_(workflow),
        request_(request),
        events_(store) {
    out_.recorded = now;
  }

  absl::StatusOr<PreparedAppend> Run() {
    RP_ASSIGN_OR_RETURN(StreamRecord * record, Record(request_.stream_id));
    for (const ProposedEvent& proposed : request_.events) {
      EventEnvelope event =
          StampEvent(request_, *record, proposed.effective_time,
                     proposed.payload, out_.recorded);
      event.set_causation_id(request_.causation_id);
      std::vector<std::string> chain = {request_.stream_id};
      RP_RETURN_IF_ERROR(Apply(std::move(event), record, &chain));
    }
    return std::move(out_);
  }

 private:
  // The stream's record as this preparation has left it; read once.
  absl::StatusOr<StreamRecord*> Record(const std::string& stream) {
    auto it = records_.find(stream);
    if (it != records_.end()) return &it->second;
    RP_ASSIGN_OR_RETURN(
        std::optional<StreamRecord> stored,
        ParseRecord<StreamRecord>(Table::kState,
                                  reads_.Get(Table::kState, stream)));
    StreamRecord record;
    if (stored.has_value()) {
      record = *std::move(stored);
    } else {
      record.set_stream_id(stream);
    }
    out_.read.emplace_back(stream, record.version());
    return &records_.emplace(stream, std::move(record)).first->second;
  }

  // As CommandContext::WriteEvent and AppendRelated, without writing.
  absl::Status Apply(EventEnvelope event, StreamRecord* record,
                     std::vector<std::string>* chain) {
    RP_ASSIGN_OR_RETURN(
        std::string policy_version,
        workflow_.PolicyVersionAt(FromTimestamp(event.effective_time())));
    event.set_policy_version(policy_version);
    RP_ASSIGN_OR_RETURN(Transition transition,
                        workflow_.Apply(record->state(), event, events_));
    record->set_state(transition.next_state);
    record->set_version(event.stream_version());
    const std::vector<RelatedEvent> related = transition.related_events;
    out_.events.push_back(
        PreparedEvent{event.stream_id(), event.stream_version(),
                      std::move(policy_version), std::move(transition)});
    for (const RelatedEvent& r : related) {
      // The write refuses these, and says why.
      if (std::find(chain->begin(), chain->end(), r.stream_id) !=
          chain->end()) {
        return absl::FailedPreconditionError("a cycle");
      }
      streams_.insert(r.stream_id);
      if (streams_.size() > workflow_.MaxRelatedStreams()) {
        return absl::FailedPreconditionError("too many related streams");
      }
      RP_ASSIGN_OR_RETURN(StreamRecord * other, Record(r.stream_id));
      if (r.expected_version.has_value() &&
          *r.expected_version != other->version()) {
        return absl::AbortedError("a related stream moved");
      }
      EventEnvelope next = StampEvent(request_, *other, r.effective_time,
                                      r.payload, out_.recorded);
      next.set_caused_by_stream_id(event.stream_id());
      chain->push_back(r.stream_id);
      absl::Status nested = Apply(std::move(next), other, chain);
      chain->pop_back();
      RP_RETURN_IF_ERROR(nested);
    }
    return absl::OkStatus();
  }

  const StoreView& reads_;
  const Workflow& workflow_;
  const AppendRequest& request_;
  const DurableEvents events_;
  absl::flat_hash_map<std::string, StreamRecord> records_;
  absl::flat_hash_set<std::string> streams_;  // related ones
  PreparedAppend out_;
};

}  // namespace

EventEnvelope StampEvent(const AppendRequest& request,
                         const StreamRecord& record, absl::Time effective,
                         const google::protobuf::Any& payload,
                         absl::Time recorded) {
  EventEnvelope event;
  event.set_stream_id(record.stream_id());
  event.set_stream_version(record.version() + 1);
  *event.mutable_effective_time() = ToTimestamp(effective);
  *event.mutable_recorded_time() = ToTimestamp(recorded);
  event.set_principal(request.principal);
  event.set_idempotency_key(request.idempotency_key);
  event.set_correlation_id(request.correlation_id);
  *event.mutable_payload() = payload;
  return event;
}

absl::StatusOr<PreparedAppend> PrepareAppend(const StoreBackend& store,
                                             const Workflow& workflow,
                                             absl::Time now,
                                             const AppendRequest& request) {
  if (request.events.empty() || request.stream_id.empty()) {
    return absl::InvalidArgumentError("nothing to prepare");
  }
  return Preparer(store, workflow, now, request).Run();
}

}  // namespace returnpath::engine
