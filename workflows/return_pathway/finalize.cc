#include "workflows/return_pathway/finalize.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/step.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using returnpath::engine::TaskSpec;
using returnpath::engine::TimerSpec;

bool SameInstant(const google::protobuf::Timestamp& a,
                 const google::protobuf::Timestamp& b) {
  return a.seconds() == b.seconds() && a.nanos() == b.nanos();
}

bool SameTask(const v1::PathwayTask& a, const v1::PathwayTask& b) {
  return a.kind() == b.kind() && a.queue() == b.queue() &&
         a.title() == b.title() && SameInstant(a.due(), b.due()) &&
         a.priority() == b.priority() && a.rule() == b.rule() &&
         a.parent_key() == b.parent_key() &&
         a.has_paused_at() == b.has_paused_at() &&
         SameInstant(a.paused_at(), b.paused_at());
}

// What an in-place update keeps (the engine refuses to change the kind; a
// new queue moves the task there: tasks follow the person).
bool SameOccurrence(const v1::PathwayTask& a, const v1::PathwayTask& b) {
  return a.kind() == b.kind() && a.parent_key() == b.parent_key();
}

bool SameTimer(const v1::PathwayTimer& a, const v1::PathwayTimer& b) {
  return a.kind() == b.kind() && SameInstant(a.due(), b.due()) &&
         a.payload() == b.payload();
}

TaskSpec ToSpec(const v1::PathwayTask& t) {
  TaskSpec spec;
  spec.id = t.id();
  spec.queue = t.queue();
  spec.kind = t.kind();
  spec.title = t.title();
  spec.due = FromTimestamp(t.due());
  spec.priority = t.priority();
  spec.rule = t.rule();
  spec.caused_by_versions.assign(t.caused_by_versions().begin(),
                                 t.caused_by_versions().end());
  if (t.has_paused_at()) spec.paused_since = FromTimestamp(t.paused_at());
  return spec;
}

TimerSpec ToSpec(const v1::PathwayTimer& t) {
  TimerSpec spec;
  spec.id = t.id();
  spec.kind = t.kind();
  spec.due = FromTimestamp(t.due());
  spec.payload = t.payload();
  return spec;
}

// The next legal deadline the person or staff must meet, if any.
std::optional<absl::CivilDay> NextDeadline(const v1::PathwayState& s) {
  if (s.stage() == v1::STAGE_FIRST_REJECTION) {
    return StoredDay(s.appeal_window().date());
  }
  const bool final_stage = s.stage() == v1::STAGE_FINAL_REJECTION ||
                           s.stage() == v1::STAGE_RETURN_PREPARATION;
  if (final_stage && s.has_departure_deadline() &&
      !s.departure_deadline().suspended() &&
      !s.departure_deadline().expired()) {
    return StoredDay(s.departure_deadline().date());
  }
  return std::nullopt;
}

}  // namespace

returnpath::engine::Transition Finish(const v1::PathwayState& before,
                                      v1::PathwayState& after,
                                      const DiffOptions& options) {
  returnpath::engine::Transition out;

  absl::flat_hash_map<std::string, const v1::PathwayTask*> old_tasks;
  for (const v1::PathwayTask& t : before.open_tasks()) old_tasks[t.key()] = &t;
  absl::flat_hash_map<std::string, bool> still_open;
  for (v1::PathwayTask& t : *after.mutable_open_tasks()) {
    const auto it = old_tasks.find(t.key());
    if (it != old_tasks.end() && SameTask(*it->second, t)) {
      t = *it->second;
      still_open[t.key()] = true;
      continue;
    }
    // Keys name the event that opened the task, so the same key open before
    // and after (live or across a refold) is the same occurrence: the engine
    // changes it in place, and whoever holds its lease keeps it unless it
    // moves to another queue.
    if (it != old_tasks.end() && SameOccurrence(*it->second, t)) {
      t.set_id(it->second->id());
      still_open[t.key()] = true;
      out.tasks_to_update.push_back(ToSpec(t));
      continue;
    }
    if (it != old_tasks.end() || options.refold) {
      t.set_id(absl::StrCat(t.key(), "~v", options.version));
    }
    out.tasks_to_open.push_back(ToSpec(t));
  }
  for (const v1::PathwayTask& t : before.open_tasks()) {
    if (still_open.contains(t.key()) || t.id() == options.completed_task_id) {
      continue;
    }
    const auto done = std::find_if(
        options.task_outcomes.begin(), options.task_outcomes.end(),
        [&](const auto& key_outcome) { return key_outcome.first == t.key(); });
    if (done != options.task_outcomes.end()) {
      out.tasks_to_complete.push_back({t.id(), done->second});
    } else {
      out.tasks_to_close.push_back(t.id());
    }
  }

  absl::flat_hash_map<std::string, const v1::PathwayTimer*> old_timers;
  for (const v1::PathwayTimer& t : before.armed_timers())
    old_timers[t.id()] = &t;
  absl::flat_hash_map<std::string, bool> armed;
  for (const v1::PathwayTimer& t : after.armed_timers()) {
    armed[t.id()] = true;
    const auto it = old_timers.find(t.id());
    if (it == old_timers.end() || !SameTimer(*it->second, t) ||
        t.id() == options.fired_timer_id) {
      out.timers_to_arm.push_back(ToSpec(t));
    }
  }
  for (const v1::PathwayTimer& t : before.armed_timers()) {
    if (!armed.contains(t.id()) && t.id() != options.fired_timer_id) {
      out.timers_to_cancel.push_back(t.id());
    }
  }

  auto* tasks = after.mutable_open_tasks();
  std::sort(tasks->begin(), tasks->end(),
            [](const v1::PathwayTask& a, const v1::PathwayTask& b) {
              return a.id() < b.id();
            });
  auto* timers = after.mutable_armed_timers();
  std::sort(timers->begin(), timers->end(),
            [](const v1::PathwayTimer& a, const v1::PathwayTimer& b) {
              return a.id() < b.id();
            });
  auto by_id = [](const auto& a, const auto& b) { return a.id < b.id; };
  std::sort(out.tasks_to_open.begin(), out.tasks_to_open.end(), by_id);
  std::sort(out.tasks_to_update.begin(), out.tasks_to_update.end(), by_id);
  std::sort(out.timers_to_arm.begin(), out.timers_to_arm.end(), by_id);
  std::sort(out.tasks_to_close.begin(), out.tasks_to_close.end());
  std::sort(out.tasks_to_complete.begin(), out.tasks_to_complete.end(), by_id);
  std::sort(out.timers_to_cancel.begin(), out.timers_to_cancel.end());

  out.index_keys = IndexKeys(after);
  if (options.encode_state) out.next_state = SerializeState(after);
  return out;
}

std::vector<std::string> IndexKeys(const v1::PathwayState& s) {
  std::vector<std::string> keys;
  keys.push_back(absl::StrCat("stage/", StageName(s.stage())));
  const std::string centre =
      absl::StrCat("centre/", s.residence().reception_centre());
  const std::string region =
      absl::StrCat("region/", RegionName(s.residence().region()));
  // Who left a centre is no longer listed there, but its staff keep them in
  // scope to record a reappearance or a correction.
  auto scope_only = [](const std::string& key) {
    return absl::StrCat(returnpath::engine::kScopeOnlyKeyPrefix, key);
  };
  if (IsTerminal(s.stage())) {
    keys.push_back(scope_only(centre));
    keys.push_back(scope_only(region));
  } else {
    keys.push_back(s.residence().place_released() ? scope_only(centre)
                                                  : centre);
    keys.push_back(region);
    if (s.whereabouts_unknown()) keys.push_back("overlay/whereabouts_unknown");
    if (const std::optional<absl::CivilDay> due = NextDeadline(s)) {
      keys.push_back(absl::StrCat("due/", FormatDay(*due)));
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string SerializeState(const v1::PathwayState& s) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    s.SerializeToCodedStream(&coded);
  }
  return bytes;
}

}  // namespace returnpath::return_pathway
