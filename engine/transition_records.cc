#include "engine/transition_records.h"

#include <string>

#include "engine/codec.h"

namespace returnpath::engine {

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

returnpath::v1::Task TaskFromSpec(absl::string_view stream,
                                  const TaskSpec& spec,
                                  const returnpath::v1::EventEnvelope& event) {
  returnpath::v1::Task task;
  task.set_id(spec.id);
  task.set_stream_id(std::string(stream));
  task.set_queue(spec.queue);
  task.set_kind(spec.kind);
  task.set_title(spec.title);
  *task.mutable_due_time() = ToTimestamp(spec.due);
  task.set_priority(spec.priority);
  task.set_state(returnpath::v1::TASK_STATE_OPEN);
  task.set_rule(spec.rule);
  task.set_policy_version(event.policy_version());
  for (uint64_t p : spec.caused_by_positions) task.add_caused_by_positions(p);
  task.set_opened_at_position(event.position());
  *task.mutable_created_time() = event.recorded_time();
  task.set_payload(spec.payload);
  return task;
}

}  // namespace returnpath::engine
