// Duties staff carry out by a due day: return conversations and age-adapted
// information (each due when the policy says, done by then), and overdue ones
// escalated to the region.

#include <algorithm>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/pathway.pb.h"
#include "workflows/return_pathway/compliance/checks.h"
#include "workflows/return_pathway/compliance/task_state.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/task_kinds.h"

namespace returnpath::return_pathway::compliance {
namespace {

namespace v1 = ::returnpath::v1;

std::string When(absl::Time t) { return FormatDay(OsloDate(t)); }

// `what` (e.g. "return conversation") opened on the day of `from` under
// `rule_name`: due on `due`, a day the checker computed from the policy. A
// task the workflow never moved must carry that due day; the duty must be
// done by the due day staff were given.
// When `t` closed (now, if it has not).
absl::Time ClosedAt(const Evidence& e, const v1::Task& t) {
  return t.closed_at_position() == 0 ? e.now()
                                     : e.MomentOf(t.closed_at_position());
}

// A due day moves on by the days the person was away while the task was
// open (it waits for them), so it is checked only for a person who was not.
void DutyInTime(const Evidence& e, const v1::Task& t, absl::string_view what,
                const v1::Policy* policy, absl::Time decided,
                absl::CivilDay due, absl::string_view late_rule,
                Findings* out) {
  const absl::Time opened = e.OpenedAt(t);
  const absl::Time stored_due = FromTimestamp(t.due_time());
  if (t.changes_size() == 0 && !EverPaused(t) &&
      !AwayDuring(e.KnownAt(t.opened_at_position()), decided, ClosedAt(e, t)) &&
      stored_due != OsloEndOfDay(due)) {
    engine::Finding f = MakeFinding(
        "task_due_not_per_policy", policy, {t.opened_at_position()}, opened,
        absl::StrCat(what, " ", t.id(), " is due ",
                     FormatDay(OsloLastDay(stored_due)), "; policy ",
                     policy->version(), " makes it due ", FormatDay(due)));
    f.dates.push_back(absl::StrCat("opened ", When(opened)));
    f.dates.push_back(absl::StrCat("due by policy ", FormatDay(due)));
    out->push_back(std::move(f));
  }
  if (t.state() == v1::TASK_STATE_PAUSED) return;  // the person is away
  const bool done = Done<v1::ReturnConversationHeld>(e, t);
  if (!done && !IsOpen(t)) return;  // cancelled: no longer required
  const absl::Time when = done ? e.MomentOf(t.closed_at_position()) : e.now();
  if (when < stored_due) return;
  const absl::CivilDay last = OsloLastDay(stored_due);
  const int64_t late = OsloDate(when) - last;
  engine::Finding f = MakeFinding(
      done ? std::string(late_rule) : absl::StrCat(what, "_overdue"), policy,
      {t.opened_at_position()}, when,
      done ? absl::StrCat(what, " ", t.id(), " was done on ", When(when), ", ",
                          late, " days after it was due on ", FormatDay(last))
           : absl::StrCat(what, " ", t.id(), " is not done, ", late,
                          " days after it was due on ", FormatDay(last)));
  if (done) f.positions.push_back(t.closed_at_position());
  f.dates.push_back(absl::StrCat("due ", FormatDay(last)));
  if (done) f.dates.push_back(absl::StrCat("done ", When(when)));
  f.days_late = late;
  out->push_back(std::move(f));
}

}  // namespace

void CheckConversations(const Evidence& e, Findings* out) {
  for (const v1::Task& t : e.stream().tasks) {
    if (t.kind() != kTaskReturnConversation) continue;
    const absl::Time at = e.OpenedAt(t);
    const v1::Policy* policy = e.PolicyAt(at);
    if (policy == nullptr) continue;
    const PersonFacts& known = e.KnownAt(t.opened_at_position());
    const bool after_first = t.rule() == "conversation_after_first_rejection";
    const Decision* decision = LatestAt(
        after_first ? known.first_rejections : known.final_rejections, at);
    if (decision == nullptr) {
      out->push_back(MakeFinding(
          "conversation_without_decision", policy, {t.opened_at_position()}, at,
          absl::StrCat("return conversation ", t.id(), " opened on ", When(at),
                       " under rule ", t.rule(), " with no such decision")));
      continue;
    }
    const v1::DayRule& rule =
        after_first ? policy->conversation_after_first_rejection()
                    : policy->conversation_after_final_rejection();
    DutyInTime(e, t, "return_conversation", policy, decision->at,
               LastDay(decision->day, rule.days(), rule.legal_calendar()),
               "conversation_late", out);
  }
}

void CheckChildInformation(const Evidence& e, Findings* out) {
  const PersonFacts& known = e.Known();
  for (const Decision& final : known.final_rejections) {
    if (known.terminal.has_value() && *known.terminal < final.at) break;
    if (final.policy == nullptr) continue;
    const v1::ChildInformationRule& rule = final.policy->child_information();
    const absl::CivilDay due = final.day + rule.due_days();
    // A following child gets it in its own history; a guardian, for each
    // other child of the household.
    std::vector<std::pair<std::string, absl::CivilDay>> children;
    if (known.follows_guardian && known.born.has_value()) {
      children.emplace_back("", *known.born);
    } else if (!known.follows_guardian) {
      for (const Member& m : known.members) {
        if (!m.following_child) children.emplace_back(m.person_id, m.born);
      }
    }
    for (const auto& child : children) {
      const int age = AgeOn(child.second, final.day);
      if (age < rule.min_age() || age >= rule.adult_age()) continue;
      const bool opened = std::any_of(
          e.stream().tasks.begin(), e.stream().tasks.end(),
          [&](const v1::Task& t) {
            return t.kind() == kTaskChildInformation &&
                   t.opened_at_position() >= final.position &&
                   (child.first.empty() ||
                    absl::EndsWith(KeyOf(t), absl::StrCat("-", child.first)));
          });
      if (opened) continue;
      const std::string who =
          child.first.empty() ? e.stream().stream_id : child.first;
      engine::Finding f = MakeFinding(
          "child_information_missing", final.policy, {final.position}, final.at,
          absl::StrCat("no age-adapted information task for ", who, " (aged ",
                       age, ") after the final rejection of ",
                       FormatDay(final.day)));
      f.dates.push_back(absl::StrCat("final rejection ", FormatDay(final.day)));
      f.dates.push_back(absl::StrCat("due by policy ", FormatDay(due)));
      out->push_back(std::move(f));
    }
  }
  // Each task against the decision known when it opened.
  for (const v1::Task& t : e.stream().tasks) {
    if (t.kind() != kTaskChildInformation) continue;
    const absl::Time at = e.OpenedAt(t);
    const Decision* final =
        LatestAt(e.KnownAt(t.opened_at_position()).final_rejections, at);
    if (final == nullptr || final->policy == nullptr) continue;
    DutyInTime(e, t, "child_information", final->policy, final->at,
               final->day + final->policy->child_information().due_days(),
               "child_information_late", out);
  }
}

namespace {

// Whether `escalation` watches `t`: the timer that fired it names t's key,
// or (an escalation a refold opened, whose firing is not in the log) its
// title quotes t's, or its causes are t's and one more.
bool Watches(const Evidence& e, const v1::Task& escalation, const v1::Task& t) {
  const auto& causes = escalation.caused_by_positions();
  if (causes.empty()) return false;
  const v1::EventEnvelope* cause = e.EventAt(causes[causes.size() - 1]);
  v1::TimerFired fired;
  if (cause != nullptr && cause->payload().UnpackTo(&fired) &&
      fired.kind() == kTimerEscalation && fired.payload() == KeyOf(t)) {
    return true;
  }
  return absl::EndsWith(escalation.title(), t.title()) ||
         (causes.size() == t.caused_by_positions_size() + 1 &&
          std::equal(t.caused_by_positions().begin(),
                     t.caused_by_positions().end(), causes.begin()) &&
          absl::StrContains(escalation.title(), t.kind() == kTaskRelocation
                                                    ? "Relocate"
                                                    : "onversation"));
}

}  // namespace

void CheckEscalations(const Evidence& e, Findings* out) {
  std::vector<const v1::Task*> escalations;
  for (const v1::Task& t : e.stream().tasks) {
    if (t.kind() == kTaskEscalation) escalations.push_back(&t);
  }
  for (const v1::Task& t : e.stream().tasks) {
    const absl::Time opened = e.OpenedAt(t);
    const v1::Policy* policy = e.PolicyAt(opened);
    if (policy == nullptr || EverPaused(t)) continue;
    const auto& kinds = policy->escalation().task_kinds();
    if (std::find(kinds.begin(), kinds.end(), t.kind()) == kinds.end()) {
      continue;
    }
    // Open in the engine when it came due: closed by an event recorded
    // after, or open past it now.
    const absl::Time due = FromTimestamp(t.due_time());
    const v1::EventEnvelope* closing = e.EventAt(t.closed_at_position());
    const bool overdue = closing != nullptr
                             ? FromTimestamp(closing->recorded_time()) > due
                             : IsOpen(t) && e.now() > due;
    if (!overdue ||
        std::any_of(escalations.begin(), escalations.end(),
                    [&](const v1::Task* x) { return Watches(e, *x, t); })) {
      continue;
    }
    engine::Finding f = MakeFinding(
        "overdue_not_escalated", policy, {t.opened_at_position()}, due,
        absl::StrCat(t.kind(), " ", t.id(), " was overdue on ", When(due),
                     " and no escalation to the region was opened"));
    f.dates.push_back(absl::StrCat("due ", FormatDay(OsloLastDay(due))));
    out->push_back(std::move(f));
  }
}

}  // namespace returnpath::return_pathway::compliance
