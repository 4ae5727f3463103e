#include "workflows/return_pathway/step.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/task_kinds.h"

namespace returnpath::return_pathway {
namespace {

using returnpath::v1::PathwayState;
using returnpath::v1::PathwayTask;
using returnpath::v1::PathwayTimer;
using returnpath::v1::Stage;

std::string EscalationTimerId(absl::string_view key) {
  return absl::StrCat("escalate-", key);
}

std::string DepartureText(const returnpath::v1::DepartureRecord& d) {
  switch (d.kind()) {
    case returnpath::v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY:
      return "departed by assisted voluntary return";
    case returnpath::v1::DEPARTURE_KIND_FORCED:
      return "returned by force";
    case returnpath::v1::DEPARTURE_KIND_DUBLIN_TRANSFER:
      return "transferred under the Dublin regulation";
    default:
      return "departed";
  }
}

std::string Day(const returnpath::v1::Date& date) {
  return IsSet(date) ? FormatDay(StoredDay(date)) : "an unknown date";
}

// `due` moved on by the Oslo days from `from` to `to`, its time of day kept,
// so an end-of-day due stays one across a change of summer time.
absl::Time ShiftByOsloDays(absl::Time due, absl::Time from, absl::Time to) {
  const absl::CivilDay day = OsloDate(due);
  const absl::Duration into_day = due - OsloStartOfDay(day);
  return OsloStartOfDay(day + (OsloDate(to) - OsloDate(from))) + into_day;
}

}  // namespace

absl::CivilDay Step::today() const { return OsloDate(in_.effective); }

void Step::OpenTask(TaskDraft draft) {
  PathwayTask* task = state_.add_open_tasks();
  task->set_id(draft.key);
  task->set_key(draft.key);
  task->set_kind(std::string(draft.kind));
  task->set_queue(std::move(draft.queue));
  task->set_title(std::move(draft.title));
  *task->mutable_due() = ToTimestamp(draft.due);
  task->set_priority(draft.priority);
  task->set_rule(std::move(draft.rule));
  task->set_policy_version(in_.policy_version);
  for (uint64_t p : draft.caused_by) task->add_caused_by_versions(p);
  task->set_parent_key(std::move(draft.parent_key));
  if (state_.whereabouts_unknown() && NeedsThePerson(draft.kind)) {
    *task->mutable_paused_at() = ToTimestamp(in_.effective);
    return;
  }
  ArmEscalation(*task, draft.due, draft.caused_by);
}

void Step::ArmEscalation(const PathwayTask& task, absl::Time due,
                         std::vector<uint64_t> caused_by) {
  const auto& kinds = policy().escalation().task_kinds();
  if (std::find(kinds.begin(), kinds.end(), task.kind()) == kinds.end()) {
    return;
  }
  ArmTimer(EscalationTimerId(task.key()), kTimerEscalation, due, task.key(),
           std::move(caused_by));
}

void Step::PauseTasksNeedingThePerson() {
  for (PathwayTask& t : *state_.mutable_open_tasks()) {
    if (NeedsThePerson(t.kind()) && !t.has_paused_at()) {
      *t.mutable_paused_at() = ToTimestamp(in_.effective);
      CancelTimer(EscalationTimerId(t.key()));
    }
  }
  for (PathwayTask& t : *state_.mutable_open_tasks()) {
    const PathwayTask* parent =
        t.parent_key().empty() ? nullptr : FindTaskByKey(t.parent_key());
    if (parent != nullptr && parent->has_paused_at() && !t.has_paused_at()) {
      *t.mutable_paused_at() = ToTimestamp(in_.effective);
    }
  }
}

void Step::ResumePausedTasks() {
  std::vector<std::string> to_escalate;
  for (PathwayTask& t : *state_.mutable_open_tasks()) {
    if (!t.has_paused_at()) continue;
    const absl::Time was = FromTimestamp(t.due());
    const absl::Time due =
        ShiftByOsloDays(was, FromTimestamp(t.paused_at()), in_.effective);
    *t.mutable_due() = ToTimestamp(due);
    // Titles name the last day ("; due 2026-03-09"): they name the new one.
    t.set_title(absl::StrReplaceAll(
        t.title(), {{absl::StrCat("due ", FormatDay(OsloLastDay(was))),
                     absl::StrCat("due ", FormatDay(OsloLastDay(due)))}}));
    t.clear_paused_at();
    if (t.parent_key().empty()) to_escalate.push_back(t.key());
  }
  for (const std::string& key : to_escalate) {
    bool escalated = false;
    for (const PathwayTask& t : state_.open_tasks()) {
      escalated = escalated || t.parent_key() == key;
    }
    if (escalated) continue;
    // Not before this event: a firing dated before the resumption would be
    // refolded into the pause and re-armed again without end. Caused by this
    // event: a task's own causes depend on the path a refold took.
    const PathwayTask& task = *FindTaskByKey(key);
    ArmEscalation(task, std::max(FromTimestamp(task.due()), in_.effective),
                  in_.versions);
  }
}

const PathwayTask* Step::FindTaskByKey(absl::string_view key) const {
  for (const PathwayTask& task : state_.open_tasks()) {
    if (task.key() == key) return &task;
  }
  return nullptr;
}

const PathwayTask* Step::FindTaskById(absl::string_view id) const {
  for (const PathwayTask& task : state_.open_tasks()) {
    if (task.id() == id) return &task;
  }
  return nullptr;
}

bool Step::CloseTask(absl::string_view key) {
  auto* tasks = state_.mutable_open_tasks();
  const std::string closed(key);
  const auto it =
      std::find_if(tasks->begin(), tasks->end(),
                   [&](const PathwayTask& t) { return t.key() == closed; });
  if (it == tasks->end()) return false;
  tasks->erase(it);
  CancelTimer(EscalationTimerId(closed));
  std::vector<std::string> escalations;
  for (const PathwayTask& t : state_.open_tasks()) {
    if (t.parent_key() == closed) escalations.push_back(t.key());
  }
  for (const std::string& e : escalations) CloseTask(e);
  return true;
}

void Step::CloseTasksOfKind(absl::string_view kind) {
  std::vector<std::string> keys;
  for (const PathwayTask& t : state_.open_tasks()) {
    if (t.kind() == kind) keys.push_back(t.key());
  }
  for (const std::string& key : keys) CloseTask(key);
}

void Step::CompleteTask(absl::string_view key, absl::string_view outcome) {
  if (CloseTask(key)) task_outcomes.emplace_back(key, outcome);
}

void Step::CloseAllTasks() {
  while (state_.open_tasks_size() > 0) CloseTask(state_.open_tasks(0).key());
}

bool Step::HasOpenTaskOfKind(absl::string_view kind) const {
  for (const PathwayTask& t : state_.open_tasks()) {
    if (t.kind() == kind) return true;
  }
  return false;
}

void Step::ArmTimer(absl::string_view id, absl::string_view kind,
                    absl::Time due, absl::string_view payload,
                    std::vector<uint64_t> caused_by) {
  CancelTimer(id);
  PathwayTimer* timer = state_.add_armed_timers();
  timer->set_id(std::string(id));
  timer->set_kind(std::string(kind));
  *timer->mutable_due() = ToTimestamp(due);
  timer->set_payload(std::string(payload));
  for (uint64_t p : caused_by) timer->add_caused_by_versions(p);
}

const PathwayTimer* Step::FindTimer(absl::string_view id) const {
  for (const PathwayTimer& timer : state_.armed_timers()) {
    if (timer.id() == id) return &timer;
  }
  return nullptr;
}

void Step::CancelTimer(absl::string_view id) {
  auto* timers = state_.mutable_armed_timers();
  timers->erase(
      std::remove_if(timers->begin(), timers->end(),
                     [&](const PathwayTimer& t) { return t.id() == id; }),
      timers->end());
}

void Step::CancelTimersOfKind(absl::string_view kind) {
  auto* timers = state_.mutable_armed_timers();
  timers->erase(
      std::remove_if(timers->begin(), timers->end(),
                     [&](const PathwayTimer& t) { return t.kind() == kind; }),
      timers->end());
}

void Step::CancelAllTimers() { state_.clear_armed_timers(); }

std::string Step::FillQueue(const std::string& pattern) const {
  return absl::StrReplaceAll(
      pattern, {{"{centre}", state_.residence().reception_centre()},
                {"{region}", RegionName(state_.residence().region())}});
}

std::string Step::ReceptionQueue() const {
  return FillQueue(policy().queues().reception());
}
std::string Step::AdvisersQueue() const {
  return FillQueue(policy().queues().advisers());
}
std::string Step::RegionQueue() const {
  return FillQueue(policy().queues().region());
}
std::string Step::PoliceQueue() const {
  return FillQueue(policy().queues().police());
}

std::vector<std::string> Step::PlaceQueues() const {
  return {ReceptionQueue(), AdvisersQueue(), RegionQueue(), PoliceQueue()};
}

void Step::ReaddressTasks(const std::vector<std::string>& before) {
  const std::vector<std::string> after = PlaceQueues();
  for (PathwayTask& t : *state_.mutable_open_tasks()) {
    for (size_t i = 0; i < before.size() && i < after.size(); ++i) {
      if (t.queue() == before[i]) {
        t.set_queue(after[i]);
        break;
      }
    }
  }
}

std::string Step::Key(absl::string_view prefix) const {
  return absl::StrCat(prefix, "-v", in_.version, key_suffix);
}

absl::Status Refuse(absl::string_view action, absl::string_view reason) {
  return absl::FailedPreconditionError(
      absl::StrCat("cannot ", action, ": ", reason));
}

std::string RegionName(returnpath::v1::Region region) {
  return std::string(
      absl::StripPrefix(returnpath::v1::Region_Name(region), "REGION_"));
}

std::string StageName(Stage stage) {
  return std::string(
      absl::StripPrefix(returnpath::v1::Stage_Name(stage), "STAGE_"));
}

bool IsTerminal(Stage stage) {
  return stage == returnpath::v1::STAGE_DEPARTED_VOLUNTARY ||
         stage == returnpath::v1::STAGE_DEPARTED_FORCED ||
         stage == returnpath::v1::STAGE_DEPARTED_DUBLIN ||
         stage == returnpath::v1::STAGE_PERMIT_GRANTED;
}

std::string DescribeStage(const PathwayState& s) {
  switch (s.stage()) {
    case returnpath::v1::STAGE_UNSPECIFIED:
      return "the person is not registered";
    case returnpath::v1::STAGE_ASYLUM_PENDING:
      return "the asylum claim is still pending";
    case returnpath::v1::STAGE_FIRST_REJECTION:
      return absl::StrCat("the first rejection was notified on ",
                          Day(s.appeal_window().counted_from()),
                          " and the appeal window is open until ",
                          Day(s.appeal_window().date()));
    case returnpath::v1::STAGE_APPEAL_PENDING:
      return absl::StrCat("an appeal lodged on ", Day(s.appeal().lodged_on()),
                          " is pending with deferred implementation");
    case returnpath::v1::STAGE_FINAL_REJECTION:
      return absl::StrCat(
          "a final rejection was notified on ",
          Day(s.final_rejection().notified_on()),
          s.departure_deadline().suspended()
              ? " and the departure deadline is suspended"
              : absl::StrCat(" and the departure deadline is ",
                             Day(s.departure_deadline().date())));
    case returnpath::v1::STAGE_RETURN_PREPARATION:
      return absl::StrCat("an IOM application submitted on ",
                          Day(s.iom().applied_on()),
                          " is pending after the final rejection of ",
                          Day(s.final_rejection().notified_on()));
    case returnpath::v1::STAGE_OVERSTAYED:
      return absl::StrCat("the departure deadline ",
                          Day(s.departure_deadline().date()), " has passed");
    case returnpath::v1::STAGE_CASE_REOPENED:
      return absl::StrCat("the case was reopened on ", Day(s.reopened_on()),
                          " and awaits a new decision");
    case returnpath::v1::STAGE_PERMIT_GRANTED:
      return absl::StrCat("the pathway ended on ", Day(s.terminal_on()),
                          ": a residence permit was granted");
    default:
      return absl::StrCat("the pathway ended on ", Day(s.terminal_on()),
                          ": the person ", DepartureText(s.departure()));
  }
}

}  // namespace returnpath::return_pathway
