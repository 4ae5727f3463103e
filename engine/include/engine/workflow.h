#ifndef RETURNPATH_ENGINE_WORKFLOW_H_
#define RETURNPATH_ENGINE_WORKFLOW_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/any.pb.h"
#include "returnpath/v1/event.pb.h"

namespace returnpath::engine {

// The engine's whole view of a domain. The engine never names a domain type:
// it stores the bytes a workflow returns and acts on timers, tasks and index
// keys. One `main` wires a concrete workflow into the engine.

struct TimerSpec {
  std::string
      id;  // unique within the stream; arming an existing id replaces it
  std::string kind;
  absl::Time due;
  std::string payload;
};

struct TaskSpec {
  std::string id;  // unique within the stream
  std::string queue;
  std::string kind;
  std::string title;
  absl::Time due;
  int32_t priority = 100;  // lower is served first, then earlier due
  std::string rule;        // the policy rule that opened it
  // The stream's own events behind its due date, by stream version; the
  // engine records them as positions (Task.caused_by_positions).
  std::vector<uint64_t> caused_by_versions;
  std::string payload;
  // Set: the task is held since then (PAUSED, Task.paused_time): open, but
  // not served, claimed or completed, and never overdue, until an update
  // clears this. A leased task that is paused loses its lease. The due time
  // is the workflow's: it moves it on resume if time stood still meanwhile.
  std::optional<absl::Time> paused_since;
};

// A key "scope/<key>" puts the stream in the scope of whoever holds <key>,
// as <key> itself would, without listing it under <key> (e.g. the staff of a
// centre the person left keep them in scope).
inline constexpr char kScopeOnlyKeyPrefix[] = "scope/";

// An event a transition appends to another stream in the same atomic write
// as the event that caused it. The engine stamps it like any event (position,
// version, recorded time, policy version, the request's principal and keys),
// sets its caused_by_stream_id / caused_by_position to the causing event, and
// applies the workflow to it against that stream's own state (its timers,
// tasks, index keys and its own related events follow). Refused, and the
// whole command with it: a stream already on the causing chain (a cycle),
// more related streams in one command than Workflow::MaxRelatedStreams(), an
// expected version that does not match, or any refusal of its own Apply.
struct RelatedEvent {
  std::string stream_id;
  // nullopt: any version; 0: the stream must not exist yet; n: it is at n.
  std::optional<uint64_t> expected_version;
  absl::Time effective_time = absl::InfinitePast();  // required
  google::protobuf::Any payload;                     // required
};

// What applying one event does. `index_keys` is the full set of secondary
// index keys for the new state (the engine removes the old set and writes
// this one); a key is "<index>/<sortable value>", e.g. "stage/OVERSTAYED" or
// "due/2026-03-02", or kScopeOnlyKeyPrefix and a key. Tasks and timers named
// by id must belong to the stream.
struct Transition {
  std::string next_state;
  std::vector<TimerSpec> timers_to_arm;
  std::vector<std::string> timers_to_cancel;
  std::vector<TaskSpec> tasks_to_open;
  std::vector<std::string> tasks_to_close;  // cancelled
  // Open tasks changed in place, named by id: the task keeps its id, state,
  // lease (owner and expiry), attempts, kind and the provenance of its
  // opening (opened_at_position, created_time, policy_version), and takes the
  // spec's queue, title, due, priority, rule, caused_by_versions and
  // payload; its queue entries follow in the same write, and a TaskChange
  // naming the event records what changed ("queue a -> b"; a dead-lettered
  // task is updated too, and moves as a dead letter). A task moved to another
  // queue while leased loses the lease: it waits unleased in the new queue,
  // and its handling records "lease ended" by the holder. An id that names
  // no task of the stream or a closed one (COMPLETED, CANCELLED), or a spec
  // with another kind, refuses the whole command (INTERNAL: the workflow is
  // wrong). Applied after closing and before opening.
  std::vector<TaskSpec> tasks_to_update;
  // Tasks this event carried out rather than made moot: each is closed as
  // COMPLETED with its outcome, as if a worker had completed it.
  struct TaskOutcome {
    std::string id;
    std::string outcome;
  };
  std::vector<TaskOutcome> tasks_to_complete;
  std::vector<std::string> index_keys;
  // Written after this event, in order, each before its own related events.
  std::vector<RelatedEvent> related_events;
};

// Committed events a transition may look up, e.g. the one a correction names
// by its position. It sees what the stream's record the transition starts
// from saw, or more: never less.
class EventLookup {
 public:
  virtual ~EventLookup() = default;
  // The event at `position` (its hashes unset); NOT_FOUND if there is none.
  // A workflow returns this error, or refuses the event: it never proceeds
  // as if the event did not exist, since a transition computed off the
  // sequencer may look before that event is written.
  virtual absl::StatusOr<returnpath::v1::EventEnvelope> EventAt(
      uint64_t position) const = 0;
  // The position of `stream_id`'s event at `version`; NOT_FOUND if there is
  // none, with the same rule as EventAt.
  virtual absl::StatusOr<uint64_t> PositionOf(absl::string_view stream_id,
                                              uint64_t version) const = 0;
  // The events of `stream_id` at versions 1 to `up_to`, in version order:
  // what a workflow that keeps no copy of them refolds a stream from.
  absl::StatusOr<std::vector<returnpath::v1::EventEnvelope>> StreamEvents(
      absl::string_view stream_id, uint64_t up_to) const {
    std::vector<returnpath::v1::EventEnvelope> out;
    out.reserve(up_to);
    for (uint64_t version = 1; version <= up_to; ++version) {
      absl::StatusOr<uint64_t> position = PositionOf(stream_id, version);
      if (!position.ok()) return position.status();
      absl::StatusOr<returnpath::v1::EventEnvelope> event = EventAt(*position);
      if (!event.ok()) return event.status();
      out.push_back(*std::move(event));
    }
    return out;
  }
};

// A lookup that finds nothing: for a transition with no log behind it (a
// dry run, a test).
const EventLookup& NoEvents();

// Implementations are immutable after construction and thread-safe.
class Workflow {
 public:
  virtual ~Workflow() = default;

  // The version of the policy in force at `effective_time`; the engine stamps
  // it on the event before Apply. NOT_FOUND if no policy covers that time.
  virtual absl::StatusOr<std::string> PolicyVersionAt(
      absl::Time effective_time) const = 0;

  // Pure and deterministic: reads nothing but its arguments. `state` is empty
  // for a new stream. `event` is complete but for its global position, its
  // cause's position and its hashes, which are unset: the engine may compute
  // a transition off the sequencer, before they are known, so nothing in it
  // may depend on them (ids come from the stream and its version). Earlier
  // events are read through `log`. Returns FAILED_PRECONDITION (a sentence a
  // caseworker understands) for an illegal transition and INVALID_ARGUMENT
  // for a malformed payload.
  virtual absl::StatusOr<Transition> Apply(
      absl::string_view state, const returnpath::v1::EventEnvelope& event,
      const EventLookup& log) const = 0;

  // The most distinct other streams one command may append to through
  // related events, over every level. 0: a transition may name none.
  virtual size_t MaxRelatedStreams() const { return 0; }

  // The full protobuf name of the state message, so readers can unpack it
  // (the server sends state as Any), e.g. "returnpath.v1.PathwayState".
  // Empty: readers get the bytes untyped.
  virtual std::string StateTypeName() const { return ""; }

  // Names the shape and meaning of the state bytes Apply returns, e.g.
  // "returnpath.v1.PathwayState/3". The store remembers the name it was
  // written under; when it changes, opening the engine rebuilds every
  // stream's state, index keys, timers and tasks from the log through Apply
  // before serving. Change it with any change to what Apply stores.
  virtual std::string StateSchema() const { return ""; }

  // OK when a caller acting in `role` (a name the application gives its
  // roles, e.g. "reception") may record `event` at `now`; PERMISSION_DENIED
  // naming the role and the kind of event otherwise. Fails closed: a
  // workflow that says nothing lets nobody record.
  virtual absl::Status MayRecord(absl::string_view role,
                                 const google::protobuf::Any& event,
                                 absl::Time now) const {
    return absl::PermissionDeniedError(
        "this workflow lets no caller record events");
  }

  // Event types the engine alone records (a timer that fired, a task that
  // was completed): a caller who sends one is refused.
  virtual std::vector<std::string> EngineOnlyEventTypes() const { return {}; }

  // What an event counts towards in the auditors' statistics: zero or more
  // (category, group) pairs, e.g. ("assisted_return", "AF"). `state_before`
  // and `state_after` are the stream's state around the event (before is
  // empty for a new stream), so an event that corrects or retracts another
  // can take back what that one counted; `log` is Apply's. The engine counts
  // by the effective month in StatisticsTimeZone().
  struct StatisticKey {
    std::string category;
    std::string group;
    // -1 takes back what an earlier event counted (it was corrected or
    // retracted). `effective` is the time whose month is counted, when not
    // this event's own: a taken-back or corrected event's.
    int delta = 1;
    std::optional<absl::Time> effective;
  };
  // When a stream's data may be erased under the retention policy
  // (engine/retention.h): the time, the rule and the policy version that say
  // so; nullopt when not (yet). `state` as Apply takes it.
  struct Retention {
    absl::Time due;
    std::string rule;  // e.g. "erase 5 years after the pathway ended"
    std::string policy_version;
  };
  virtual absl::StatusOr<std::optional<Retention>> RetentionDue(
      absl::string_view state) const {
    return std::nullopt;
  }

  // The time zone whose calendar months the statistics count by: an IANA
  // name (the engine loads it from the system's time zone database).
  virtual std::string StatisticsTimeZone() const { return "UTC"; }
  virtual std::vector<StatisticKey> Classify(
      absl::string_view state_before, absl::string_view state_after,
      const returnpath::v1::EventEnvelope& event,
      const EventLookup& log) const {
    return {};
  }

  // A state as named facts in the order a reader takes them in (e.g.
  // "stage", "departure_deadline"), each value as text, empty when the state
  // has none: what a what-if shows side by side for one stream under two
  // policies (engine/what_if.h). Every state names the same facts. `state`
  // as Apply takes it; DATA_LOSS if it does not decode. The default names
  // none: a what-if then compares only timers and tasks.
  struct Fact {
    std::string name;
    std::string value;
  };
  virtual absl::StatusOr<std::vector<Fact>> Facts(
      absl::string_view state) const {
    return std::vector<Fact>();
  }

  // A stream's state kept decoded between its events, so a long fold (replay,
  // ReplayCheck, statistics) neither parses nor encodes it for every event.
  // One fold owns it: not thread-safe.
  class DecodedState {
   public:
    virtual ~DecodedState() = default;
    // Apply on this state, changing it in place; the transition's next_state
    // is left empty (Encode gives it). If `counted` is set, it receives what
    // Classify returns for the states around the event. On an error the
    // state is undefined and must be thrown away.
    virtual absl::StatusOr<Transition> Apply(
        const returnpath::v1::EventEnvelope& event, const EventLookup& log,
        std::vector<StatisticKey>* counted) = 0;
    // Exactly the bytes the byte path's next_state would hold.
    virtual std::string Encode() const = 0;
  };
  // `state` as Apply takes it (empty: a new stream). DATA_LOSS if it does
  // not decode. The default keeps the bytes and goes through Apply and
  // Classify, so a workflow need not implement it.
  virtual absl::StatusOr<std::unique_ptr<DecodedState>> Decode(
      absl::string_view state) const;
};

namespace workflow_internal {

// The default DecodedState: the state as bytes, through the byte API.
class StateBytes final : public Workflow::DecodedState {
 public:
  StateBytes(const Workflow& workflow, absl::string_view bytes)
      : workflow_(workflow), bytes_(bytes) {}
  absl::StatusOr<Transition> Apply(
      const returnpath::v1::EventEnvelope& event, const EventLookup& log,
      std::vector<Workflow::StatisticKey>* counted) override {
    absl::StatusOr<Transition> t = workflow_.Apply(bytes_, event, log);
    if (!t.ok()) return t;
    if (counted != nullptr) {
      *counted = workflow_.Classify(bytes_, t->next_state, event, log);
    }
    bytes_ = std::move(t->next_state);
    t->next_state.clear();
    return t;
  }
  std::string Encode() const override { return bytes_; }

 private:
  const Workflow& workflow_;
  std::string bytes_;
};

}  // namespace workflow_internal

inline const EventLookup& NoEvents() {
  class None final : public EventLookup {
   public:
    absl::StatusOr<returnpath::v1::EventEnvelope> EventAt(
        uint64_t position) const override {
      return absl::NotFoundError(
          absl::StrCat("there is no event at position ", position));
    }
    absl::StatusOr<uint64_t> PositionOf(absl::string_view stream_id,
                                        uint64_t version) const override {
      return absl::NotFoundError(
          absl::StrCat("stream \"", stream_id, "\" has no version ", version));
    }
  };
  static const None* const none = new None;
  return *none;
}

inline absl::StatusOr<std::unique_ptr<Workflow::DecodedState>> Workflow::Decode(
    absl::string_view state) const {
  return std::make_unique<workflow_internal::StateBytes>(*this, state);
}

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_WORKFLOW_H_
