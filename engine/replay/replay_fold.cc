#include "replay/replay_fold.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"
#include "commit/transition_records.h"
#include "engine/status_macros.h"
#include "engine/timer_loop.h"
#include "store/codec.h"
#include "tasks/task_commands.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::EventEnvelope;
using returnpath::v1::Task;
using returnpath::v1::Timer;

// As CommandContext::CloseTask.
void Close(const std::string& id, const EventEnvelope& event, FoldedStream* s,
           const std::string* outcome = nullptr) {
  auto it = s->tasks.find(id);
  if (it == s->tasks.end() || IsClosedTask(it->second)) return;
  returnpath::v1::TaskCompleted completed;
  if (outcome != nullptr) {
    it->second.set_state(returnpath::v1::TASK_STATE_COMPLETED);
    it->second.set_outcome(*outcome);
  } else if (event.payload().UnpackTo(&completed) &&
             completed.task_id() == id) {
    it->second.set_state(returnpath::v1::TASK_STATE_COMPLETED);
    it->second.set_outcome(completed.outcome());
  } else {
    it->second.set_state(returnpath::v1::TASK_STATE_CANCELLED);
  }
  it->second.set_closed_at_position(event.position());
}

void ApplyRuntime(const Transition& t, const EventEnvelope& event,
                  FoldedStream* s) {
  const std::string& stream = event.stream_id();
  // The timer loop deleted the timer in the TimerFired's own batch.
  returnpath::v1::TimerFired fired;
  if (event.principal() == kTimerPrincipal &&
      event.payload().UnpackTo(&fired)) {
    s->timers.erase(fired.timer_id());
  }
  for (const std::string& id : t.timers_to_cancel) s->timers.erase(id);
  for (const TimerSpec& spec : t.timers_to_arm) {
    s->timers[spec.id] = TimerFromSpec(stream, spec, event);
  }
  for (const std::string& id : t.tasks_to_close) Close(id, event, s);
  for (const Transition::TaskOutcome& done : t.tasks_to_complete) {
    Close(done.id, event, s, &done.outcome);
  }
  auto position_of = [s](uint64_t version) -> absl::StatusOr<uint64_t> {
    if (version == 0 || version > s->positions.size()) {
      return absl::NotFoundError("no such version");
    }
    return s->positions[version - 1];
  };
  // The write path refused what names no earlier event, so the log holds
  // none such: an error leaves the task out as that write left it.
  for (const TaskSpec& spec : t.tasks_to_update) {
    // The write path refused an update of anything but an open task, so the
    // log holds none other.
    auto it = s->tasks.find(spec.id);
    absl::StatusOr<std::vector<uint64_t>> caused_by =
        CausedByPositions(spec, event, position_of);
    if (!caused_by.ok()) continue;
    UpdateTaskFromSpec(spec, event, *caused_by,
                       it == s->tasks.end() ? nullptr : &it->second)
        .IgnoreError();
  }
  for (const TaskSpec& spec : t.tasks_to_open) {
    absl::StatusOr<std::vector<uint64_t>> caused_by =
        CausedByPositions(spec, event, position_of);
    if (!caused_by.ok()) continue;
    s->tasks[spec.id] = TaskFromSpec(stream, spec, event, *caused_by);
  }
  // The task queue's rule: its own TaskCompleted closes the task even if the
  // workflow did not.
  returnpath::v1::TaskCompleted completed;
  if (event.payload().UnpackTo(&completed) &&
      event.causation_id() ==
          task_commands::CompletionCausation(completed.task_id())) {
    auto it = s->tasks.find(completed.task_id());
    if (it != s->tasks.end() && !IsClosedTask(it->second)) {
      it->second.set_state(returnpath::v1::TASK_STATE_COMPLETED);
      it->second.set_outcome(completed.outcome());
      it->second.set_closed_at_position(event.position());
    }
  }
}

}  // namespace

bool EndsErased(absl::Span<const returnpath::v1::EventEnvelope> events) {
  return !events.empty() &&
         events.back().payload().Is<returnpath::v1::StreamErased>();
}

std::string EncodedState(const FoldedStream& stream) {
  return stream.state == nullptr ? std::string() : stream.state->Encode();
}

absl::Status FoldEvent(const Workflow& workflow, const EventLookup& log,
                       EventEnvelope* stored, FoldDetail detail,
                       FoldedStream* s,
                       std::vector<Workflow::StatisticKey>* counted) {
  // The workflow saw the event without its hashes and global positions.
  EventEnvelope& event = *stored;
  event.clear_hash();
  event.clear_previous_hash();
  const uint64_t position = event.position();
  const uint64_t cause_position = event.caused_by_position();
  // A related event's causation ("event:<position>") is set after, too.
  std::string causation;
  if (cause_position != 0) {
    causation = std::move(*event.mutable_causation_id());
    event.clear_causation_id();
  }
  event.clear_position();
  event.clear_caused_by_position();
  if (s->state == nullptr) {
    RP_ASSIGN_OR_RETURN(s->state, workflow.Decode(""));
  }
  absl::StatusOr<Transition> applied = s->state->Apply(event, log, counted);
  event.set_position(position);
  event.set_caused_by_position(cause_position);
  if (cause_position != 0) event.set_causation_id(std::move(causation));
  RP_RETURN_IF_ERROR(applied.status());
  Transition& t = *applied;
  if (detail == FoldDetail::kFull) {
    s->positions.resize(event.stream_version() - 1);
    s->positions.push_back(position);
  }
  s->stream_id = event.stream_id();
  s->version = event.stream_version();
  s->last_position = event.position();
  std::vector<std::string> keys = std::move(t.index_keys);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  s->index_keys = std::move(keys);
  if (detail == FoldDetail::kFull) ApplyRuntime(t, event, s);
  return absl::OkStatus();
}

void FoldEvents(const Workflow& workflow, const EventLookup& log,
                FoldDetail detail, bool classify,
                absl::Span<EventEnvelope> events, FoldedStream* s,
                EventFolded on_event) {
  std::vector<size_t> rejected;  // indexes into `events`, ascending
  std::vector<Workflow::StatisticKey> counted;
  std::vector<Workflow::StatisticKey>* counting = classify ? &counted : nullptr;
  for (size_t i = 0; i < events.size(); ++i) {
    counted.clear();
    const absl::Status applied =
        FoldEvent(workflow, log, &events[i], detail, s, counting);
    on_event(events[i], applied, counting);
    if (applied.ok()) continue;
    // The decoded state is undefined after a rejection: rebuild it from the
    // events before this one that applied (they apply again the same way).
    rejected.push_back(i);
    FoldedStream again;
    again.stream_id = s->stream_id;
    for (size_t j = 0, r = 0; j < i; ++j) {
      if (r < rejected.size() && rejected[r] == j) {
        ++r;
        continue;
      }
      FoldEvent(workflow, log, &events[j], detail, &again).IgnoreError();
    }
    *s = std::move(again);
  }
}

bool InPart(absl::string_view stream, int part, int parts) {
  return parts == 1 || absl::Hash<absl::string_view>()(stream) % parts ==
                           static_cast<size_t>(part);
}

Task LoggedPartOfTask(const Task& stored) {
  Task logged = stored;
  logged.clear_attempts();
  logged.clear_visible_time();
  logged.clear_lease_owner();
  logged.clear_lease_expires();
  logged.clear_last_error();
  logged.clear_handling();
  if (stored.state() == returnpath::v1::TASK_STATE_LEASED ||
      stored.state() == returnpath::v1::TASK_STATE_DEAD_LETTER) {
    logged.set_state(returnpath::v1::TASK_STATE_OPEN);
  }
  return logged;
}

}  // namespace returnpath::engine
