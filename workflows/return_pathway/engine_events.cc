// The engine's events: a timer came due, a worker completed a task.

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/household.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/rules.h"
#include "workflows/return_pathway/task_kinds.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

std::string Day(const v1::Date& date) { return FormatDay(StoredDay(date)); }

void OnDeadlineExpired(Step& st, absl::Time due,
                       const std::vector<uint64_t>& caused_by) {
  v1::PathwayState& s = st.s();
  s.mutable_departure_deadline()->set_expired(true);
  if (s.iom().pending()) {
    TaskDraft draft;
    draft.key = st.Key("deadline-follow-up");
    draft.kind = kTaskDeadlineFollowUp;
    draft.queue = st.AdvisersQueue();
    draft.title =
        absl::StrCat(s.person_id(), " did not leave by the departure deadline ",
                     Day(s.departure_deadline().date()),
                     "; an IOM application submitted on ",
                     Day(s.iom().applied_on()), " is pending: follow up");
    draft.due = due;
    draft.priority = st.policy().overstay().adviser_follow_up_priority();
    draft.rule = "overstay";
    draft.caused_by = caused_by;
    st.OpenTask(std::move(draft));
    return;
  }
  s.set_stage(v1::STAGE_OVERSTAYED);
  OpenPoliceReferral(st, caused_by);
}

void OnEscalationDue(Step& st, const v1::PathwayTimer& timer,
                     const std::vector<uint64_t>& caused_by) {
  const v1::PathwayTask* overdue = st.FindTaskByKey(timer.payload());
  if (overdue == nullptr || overdue->has_paused_at()) return;
  const absl::Time due = FromTimestamp(timer.due());
  TaskDraft draft;
  draft.key = st.Key("escalation");
  draft.kind = kTaskEscalation;
  draft.queue = st.RegionQueue();
  draft.title = absl::StrCat("Overdue since ", FormatDay(OsloDate(due) - 1),
                             ": ", overdue->title());
  draft.due = due;
  draft.priority = st.policy().escalation().priority();
  draft.rule = "escalation";
  draft.caused_by.assign(overdue->caused_by_versions().begin(),
                         overdue->caused_by_versions().end());
  draft.caused_by.push_back(st.in().version);
  draft.parent_key = overdue->key();
  st.OpenTask(std::move(draft));
}

void OnReviewDue(Step& st, const v1::PathwayTimer& timer,
                 const std::vector<uint64_t>& caused_by) {
  v1::PathwayState& s = st.s();
  const absl::Time due = FromTimestamp(timer.due());
  const v1::ReviewRule& rule = st.policy().long_stayer_review();
  if (s.stage() == v1::STAGE_FINAL_REJECTION ||
      s.stage() == v1::STAGE_OVERSTAYED) {
    TaskDraft draft;
    draft.key = st.Key("review");
    draft.kind = kTaskLongStayerReview;
    draft.queue = st.AdvisersQueue();
    draft.title =
        absl::StrCat("Review of ", s.person_id(), ": final rejection notified ",
                     Day(s.final_rejection().notified_on()), ", stage ",
                     StageName(s.stage()));
    draft.due = due;
    draft.priority = rule.priority();
    draft.rule = "long_stayer_review";
    draft.caused_by = caused_by;
    st.OpenTask(std::move(draft));
  }
  if (s.stage() == v1::STAGE_FINAL_REJECTION ||
      s.stage() == v1::STAGE_OVERSTAYED ||
      s.stage() == v1::STAGE_RETURN_PREPARATION) {
    std::vector<uint64_t> rearm(timer.caused_by_versions().begin(),
                                timer.caused_by_versions().end());
    st.ArmTimer(timer.id(), timer.kind(),
                OsloStartOfDay(OsloDate(due) + rule.interval_days()), "",
                std::move(rearm));
  }
}

void OnIomFollowUpDue(Step& st, const v1::PathwayTimer& timer,
                      const std::vector<uint64_t>& caused_by) {
  v1::PathwayState& s = st.s();
  if (!s.iom().pending() ||
      timer.payload() != absl::StrCat(s.iom().version())) {
    return;
  }
  TaskDraft draft;
  draft.key = st.Key("iom-follow-up");
  draft.kind = kTaskIomFollowUp;
  draft.queue = st.AdvisersQueue();
  draft.title = absl::StrCat(s.person_id(), " has not departed ",
                             st.policy().iom().no_departure_follow_up_days(),
                             " days after the IOM application of ",
                             Day(s.iom().applied_on()), ": follow up");
  draft.due = FromTimestamp(timer.due());
  draft.priority = st.policy().iom().follow_up_priority();
  draft.rule = "iom_follow_up";
  draft.caused_by = caused_by;
  st.OpenTask(std::move(draft));
}

void OnPlaceReleaseDue(Step& st, const v1::PathwayTimer& timer,
                       const std::vector<uint64_t>& caused_by) {
  v1::PathwayState& s = st.s();
  if (!s.whereabouts_unknown()) return;
  TaskDraft draft;
  draft.key = st.Key("place-release");
  draft.kind = kTaskPlaceRelease;
  draft.queue = st.ReceptionQueue();
  draft.title = absl::StrCat("Release the reception place of ", s.person_id(),
                             " at ", s.residence().reception_centre(),
                             ": disappeared since ", Day(s.disappeared_on()));
  draft.due = FromTimestamp(timer.due());
  draft.priority = st.policy().disappearance().place_release_priority();
  draft.rule = "disappearance";
  draft.caused_by = caused_by;
  st.OpenTask(std::move(draft));
  s.mutable_residence()->set_place_released(true);
}

// What `timer` coming due does; the caller disarmed it.
absl::Status Expire(Step& st, const v1::PathwayTimer& timer) {
  std::vector<uint64_t> caused_by(timer.caused_by_versions().begin(),
                                  timer.caused_by_versions().end());
  caused_by.push_back(st.in().version);
  const absl::Time due = FromTimestamp(timer.due());
  if (timer.kind() == kTimerAppealWindow) {
    st.s().mutable_appeal_window()->set_expired(true);
    if (st.s().stage() != v1::STAGE_FIRST_REJECTION) return absl::OkStatus();
    // Not appealed in time: the rejection is final from the day after the
    // window's last day (footnote 1).
    st.derived_final_rejection = true;
    return ApplyFinalRejection(st, OsloDate(due), 0,
                               v1::FINAL_REJECTION_BASIS_NOT_APPEALED,
                               std::move(caused_by), st.in().version);
  }
  if (timer.kind() == kTimerDepartureDeadline) {
    OnDeadlineExpired(st, due, caused_by);
  } else if (timer.kind() == kTimerEscalation) {
    OnEscalationDue(st, timer, caused_by);
  } else if (timer.kind() == kTimerLongStayerReview) {
    OnReviewDue(st, timer, caused_by);
  } else if (timer.kind() == kTimerIomFollowUp) {
    OnIomFollowUpDue(st, timer, caused_by);
  } else if (timer.kind() == kTimerPlaceRelease) {
    OnPlaceReleaseDue(st, timer, caused_by);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status OnTimerFired(const v1::TimerFired& e, Step& st) {
  const v1::PathwayTimer* armed = st.FindTimer(e.timer_id());
  // A timer that is no longer armed, or was re-armed for another time, is
  // stale: the event is kept in the history but changes nothing. (A timer
  // that a refold moved is armed again and fires at its own time; one an
  // earlier event found overdue already fired there.)
  if (armed == nullptr || FromTimestamp(armed->due()) > st.in().recorded ||
      (e.has_due_time() &&
       FromTimestamp(e.due_time()) != FromTimestamp(armed->due()))) {
    return absl::OkStatus();
  }
  const v1::PathwayTimer timer = *armed;
  st.CancelTimer(timer.id());
  // The engine removed the timer it fired, unless it knew it by a legacy
  // name: then the transition cancels it.
  if (!st.in().legacy_name) st.fired_timer_id = timer.id();
  return Expire(st, timer);
}

absl::Status FireOverdueTimers(Step& st) {
  // A timer event leaves a timer due at its own time to the engine, which
  // fires each in turn.
  const bool timer_event = st.in().payload.Is<v1::TimerFired>();
  // A household share timer tells the co-guardians; under one's news the
  // answer would go back to it (a cycle): it waits for the next event.
  const bool told = st.in().payload.Is<v1::HouseholdTasksShared>();
  const bool member_joined = st.in().payload.Is<v1::HouseholdMemberJoined>();
  const absl::Time until = st.in().effective;
  for (int fired = 1;; ++fired) {
    const v1::PathwayTimer* next = nullptr;
    for (const v1::PathwayTimer& t : st.s().armed_timers()) {
      const absl::Time due = FromTimestamp(t.due());
      if (due > until || (timer_event && due == until)) continue;
      if (told && t.kind() == kTimerHouseholdShare) continue;
      // Nor does a co-guardian's catch-up under another guardian's news (it
      // may be on the causing chain), by the event's type, so that a fold
      // of the history fires it where the live event did.
      if ((told || member_joined) && t.kind() == kTimerHouseholdCatchUp &&
          IsCoGuardian(st.s(), t.payload())) {
        continue;
      }
      if (next == nullptr || due < FromTimestamp(next->due()) ||
          (due == FromTimestamp(next->due()) && t.id() < next->id())) {
        next = &t;
      }
    }
    if (next == nullptr) return absl::OkStatus();
    const v1::PathwayTimer timer = *next;
    st.CancelTimer(timer.id());
    // What it opens is named apart from what the event itself opens.
    st.key_suffix = absl::StrCat(".", fired);
    const absl::Status status = Expire(st, timer);
    st.key_suffix.clear();
    RP_RETURN_IF_ERROR(status);
  }
}

absl::Status OnTaskCompleted(const v1::TaskCompleted& e, Step& st) {
  std::string key;
  if (st.in().replay) {
    key = st.in().replay_closed_task_key;
    if (key.empty() || st.FindTaskByKey(key) == nullptr)
      return absl::OkStatus();
  } else {
    // Completion is idempotent: a task no longer open is left alone.
    const v1::PathwayTask* task = st.FindTaskById(e.task_id());
    if (task == nullptr) return absl::OkStatus();
    key = task->key();
    if (st.in().legacy_name) {
      // The engine completed the task under its legacy name: the transition
      // completes it under this one.
      st.task_outcomes.emplace_back(key, e.outcome());
    } else {
      st.completed_task_id = task->id();
    }
  }
  const std::string kind = st.FindTaskByKey(key)->kind();
  if (kind == kTaskReturnConversation) {
    st.s().set_return_conversations_held(st.s().return_conversations_held() +
                                         1);
  }
  st.closed_task_key = key;
  st.CloseTask(key);
  RecordRelocationByTask(e, kind, st);
  return absl::OkStatus();
}

}  // namespace returnpath::return_pathway
