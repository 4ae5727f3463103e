#include "workflows/return_pathway/property_text.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "engine/proto_time.h"
#include "returnpath/v1/engine.pb.h"

namespace returnpath::return_pathway {

namespace v1 = ::returnpath::v1;
using engine::FromTimestamp;

std::string Describe(const engine::TaskSpec& t) {
  return absl::StrCat(
      t.id, "|", t.queue, "|", t.kind, "|", t.title, "|",
      absl::FormatTime(t.due), "|", t.priority, "|", t.rule, "|",
      absl::StrJoin(t.caused_by_versions, ","), "|", t.payload, "|",
      t.paused_since ? absl::FormatTime(*t.paused_since) : "running");
}

// Every field of a transition, for comparing two of them.
std::string Describe(const engine::Transition& t) {
  std::vector<std::string> lines;
  lines.push_back(absl::StrCat("state ", absl::CHexEscape(t.next_state)));
  for (const engine::TimerSpec& timer : t.timers_to_arm) {
    lines.push_back(absl::StrCat("arm ", timer.id, "|", timer.kind, "|",
                                 absl::FormatTime(timer.due), "|",
                                 timer.payload));
  }
  for (const std::string& id : t.timers_to_cancel) {
    lines.push_back(absl::StrCat("cancel ", id));
  }
  for (const engine::TaskSpec& task : t.tasks_to_open) {
    lines.push_back(absl::StrCat("open ", Describe(task)));
  }
  for (const std::string& id : t.tasks_to_close) {
    lines.push_back(absl::StrCat("close ", id));
  }
  for (const engine::TaskSpec& task : t.tasks_to_update) {
    lines.push_back(absl::StrCat("update ", Describe(task)));
  }
  for (const engine::Transition::TaskOutcome& done : t.tasks_to_complete) {
    lines.push_back(absl::StrCat("complete ", done.id, "|", done.outcome));
  }
  lines.push_back(absl::StrCat("index ", absl::StrJoin(t.index_keys, ",")));
  for (const engine::RelatedEvent& related : t.related_events) {
    lines.push_back(absl::StrCat("related ", related.stream_id, "|",
                                 related.expected_version
                                     ? absl::StrCat(*related.expected_version)
                                     : "any",
                                 "|", absl::FormatTime(related.effective_time),
                                 "|", related.payload.ShortDebugString()));
  }
  return absl::StrJoin(lines, "\n");
}

std::string Describe(const std::vector<engine::Workflow::StatisticKey>& keys) {
  std::vector<std::string> lines;
  for (const engine::Workflow::StatisticKey& key : keys) {
    lines.push_back(absl::StrCat(
        key.category, "|", key.group, "|", key.delta, "|",
        key.effective ? absl::FormatTime(*key.effective) : "the event's"));
  }
  return absl::StrJoin(lines, "\n");
}

// The log and tasks a compliance finding was made on, one line each.
std::string DescribeEvidence(const engine::StreamEvidence& e) {
  std::string out;
  for (const v1::EventEnvelope& event : e.events) {
    absl::StrAppend(
        &out, event.position(), " ",
        absl::FormatTime("%Y-%m-%d %H:%M",
                         FromTimestamp(event.effective_time()),
                         absl::UTCTimeZone()),
        " rec ",
        absl::FormatTime("%Y-%m-%d %H:%M", FromTimestamp(event.recorded_time()),
                         absl::UTCTimeZone()),
        " ", event.payload().ShortDebugString(), "\n");
  }
  for (const v1::Task& t : e.tasks) {
    absl::StrAppend(
        &out, "task ", t.id(), " ", t.kind(), " ",
        v1::TaskState_Name(t.state()), " opened ", t.opened_at_position(),
        " closed ", t.closed_at_position(), " due ",
        absl::FormatTime("%Y-%m-%d %H:%M", FromTimestamp(t.due_time()),
                         absl::UTCTimeZone()),
        t.changes_size() > 0 ? " changed" : "", "\n");
  }
  return out;
}

}  // namespace returnpath::return_pathway
