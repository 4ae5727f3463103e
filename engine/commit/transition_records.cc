#include "commit/transition_records.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "store/codec.h"

namespace returnpath::engine {
namespace {

std::string DueText(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone());
}

}  // namespace

bool IsClosedTask(const returnpath::v1::Task& task) {
  return task.state() == returnpath::v1::TASK_STATE_COMPLETED ||
         task.state() == returnpath::v1::TASK_STATE_CANCELLED;
}

returnpath::v1::Timer TimerFromSpec(
    absl::string_view stream, const TimerSpec& spec,
    const returnpath::v1::EventEnvelope& event) {
  returnpath::v1::Timer timer;
  timer.set_id(spec.id);
  timer.set_stream_id(std::string(stream));
  timer.set_kind(spec.kind);
  *timer.mutable_due_time() = ToTimestamp(spec.due);
  timer.set_payload(spec.payload);
  timer.set_armed_at_position(event.position());
  return timer;
}

absl::StatusOr<std::vector<uint64_t>> CausedByPositions(
    const TaskSpec& spec, const returnpath::v1::EventEnvelope& event,
    absl::FunctionRef<absl::StatusOr<uint64_t>(uint64_t version)> position_of) {
  std::vector<uint64_t> positions;
  positions.reserve(spec.caused_by_versions.size());
  for (const uint64_t version : spec.caused_by_versions) {
    if (version == event.stream_version()) {
      positions.push_back(event.position());
      continue;
    }
    if (version == 0 || version > event.stream_version()) {
      return absl::InternalError(absl::StrCat(
          "workflow named version ", version, " of stream \"",
          event.stream_id(), "\" behind task \"", spec.id,
          "\", which is not an event before it; nothing was written"));
    }
    absl::StatusOr<uint64_t> position = position_of(version);
    if (!position.ok()) return position.status();
    positions.push_back(*position);
  }
  return positions;
}

returnpath::v1::Task TaskFromSpec(absl::string_view stream,
                                  const TaskSpec& spec,
                                  const returnpath::v1::EventEnvelope& event,
                                  absl::Span<const uint64_t> caused_by) {
  returnpath::v1::Task task;
  task.set_id(spec.id);
  task.set_stream_id(std::string(stream));
  task.set_queue(spec.queue);
  task.set_kind(spec.kind);
  task.set_title(spec.title);
  *task.mutable_due_time() = ToTimestamp(spec.due);
  task.set_priority(spec.priority);
  task.set_state(returnpath::v1::TASK_STATE_OPEN);
  if (spec.paused_since.has_value()) {
    task.set_state(returnpath::v1::TASK_STATE_PAUSED);
    *task.mutable_paused_time() = ToTimestamp(*spec.paused_since);
  }
  task.set_rule(spec.rule);
  task.set_policy_version(event.policy_version());
  for (uint64_t p : caused_by) task.add_caused_by_positions(p);
  task.set_opened_at_position(event.position());
  *task.mutable_created_time() = event.recorded_time();
  task.set_payload(spec.payload);
  return task;
}

absl::Status UpdateTaskFromSpec(const TaskSpec& spec,
                                const returnpath::v1::EventEnvelope& event,
                                absl::Span<const uint64_t> caused_by,
                                returnpath::v1::Task* task) {
  auto refuse = [&](absl::string_view why) {
    return absl::InternalError(absl::StrCat(
        "workflow updated task \"", spec.id, "\" of stream \"",
        event.stream_id(), "\", which ", why, "; nothing was written"));
  };
  if (task == nullptr) return refuse("does not exist");
  if (IsClosedTask(*task)) {
    return refuse("is closed");
  }
  if (spec.kind != task->kind()) {
    return refuse(
        absl::StrCat("is a ", task->kind(), " task: an update keeps its kind"));
  }
  std::vector<std::string> what;
  if (spec.queue != task->queue()) {
    what.push_back(absl::StrCat("queue ", task->queue(), " -> ", spec.queue));
    task->set_queue(spec.queue);
  }
  if (spec.priority != task->priority()) {
    what.push_back(
        absl::StrCat("priority ", task->priority(), " -> ", spec.priority));
    task->set_priority(spec.priority);
  }
  const absl::Time due = FromTimestamp(task->due_time());
  if (spec.due != due) {
    what.push_back(
        absl::StrCat("due ", DueText(due), " -> ", DueText(spec.due)));
    *task->mutable_due_time() = ToTimestamp(spec.due);
  }
  if (spec.rule != task->rule()) {
    what.push_back(absl::StrCat("rule ", task->rule(), " -> ", spec.rule));
    task->set_rule(spec.rule);
  }
  if (spec.title != task->title()) {
    what.push_back("new title");
    task->set_title(spec.title);
  }
  if (!std::equal(caused_by.begin(), caused_by.end(),
                  task->caused_by_positions().begin(),
                  task->caused_by_positions().end())) {
    what.push_back(
        absl::StrCat("caused by positions ", absl::StrJoin(caused_by, ",")));
    task->clear_caused_by_positions();
    for (uint64_t p : caused_by) task->add_caused_by_positions(p);
  }
  if (spec.payload != task->payload()) {
    what.push_back("new payload");
    task->set_payload(spec.payload);
  }
  const bool paused = task->state() == returnpath::v1::TASK_STATE_PAUSED;
  if (spec.paused_since.has_value() && !paused) {
    what.push_back("paused");
    // The lease and any retry delay end here; the caller records whose
    // lease it was (CommandContext::UpdateTask).
    task->set_state(returnpath::v1::TASK_STATE_PAUSED);
    *task->mutable_paused_time() = ToTimestamp(*spec.paused_since);
    task->clear_visible_time();
  } else if (spec.paused_since.has_value() &&
             *spec.paused_since != FromTimestamp(task->paused_time())) {
    what.push_back(absl::StrCat("paused since ", DueText(*spec.paused_since)));
    *task->mutable_paused_time() = ToTimestamp(*spec.paused_since);
  } else if (!spec.paused_since.has_value() && paused) {
    what.push_back("resumed");
    task->set_state(returnpath::v1::TASK_STATE_OPEN);
    task->clear_paused_time();
  }
  if (what.empty()) return absl::OkStatus();
  returnpath::v1::TaskChange* change = task->add_changes();
  change->set_position(event.position());
  *change->mutable_time() = event.recorded_time();
  change->set_what(absl::StrJoin(what, "; "));
  return absl::OkStatus();
}

}  // namespace returnpath::engine
