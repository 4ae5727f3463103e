// Co-guardians share the household's tasks: one relocation task and one
// return conversation per household (docs/households.md). The guardian
// whose decision comes first holds them; each co-guardian learns of them
// through a HouseholdTasksShared in its own history and opens none of its
// own, and moves with the family when the holder's task relocates it.

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "workflows/return_pathway/household.h"
#include "workflows/return_pathway/rules.h"
#include "workflows/return_pathway/task_kinds.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

constexpr absl::string_view kShareAction = "share a household task";

bool IsHouseholdTaskKind(absl::string_view kind) {
  return kind == kTaskRelocation || kind == kTaskReturnConversation;
}

bool SameTasks(const std::vector<v1::HouseholdTask>& a,
               const std::vector<v1::HouseholdTask>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const v1::HouseholdTask& x, const v1::HouseholdTask& y) {
                      return x.task_id() == y.task_id();
                    });
}

// The household tasks `in` closed without carrying them out: gone from the
// holder's open tasks, but not completed by a worker, not a relocation that
// moved the family, not a conversation that was held.
std::vector<v1::HouseholdTask> Released(
    const HouseholdBefore& before, const v1::PathwayState& after,
    const std::vector<v1::HouseholdTask>& now, const EventInput& in) {
  v1::TaskCompleted completed;
  const bool completion = in.payload.UnpackTo(&completed);
  std::vector<v1::HouseholdTask> out;
  for (const v1::HouseholdTask& t : before.tasks) {
    const bool open = std::any_of(now.begin(), now.end(), [&](const auto& n) {
      return n.task_id() == t.task_id();
    });
    const bool carried_out =
        (completion && completed.task_id() == t.task_id()) ||
        (t.kind() == kTaskRelocation &&
         Relocated(before.residence, after.residence())) ||
        (t.kind() == kTaskReturnConversation &&
         after.return_conversations_held() > before.conversations_held);
    if (!open && !carried_out) out.push_back(t);
  }
  return out;
}

// Whether a task of `kind` (and `rule`, if not empty) is the one `held` is.
bool Matches(const v1::HouseholdTask& held, absl::string_view kind,
             absl::string_view rule) {
  return held.kind() == kind && (rule.empty() || held.rule() == rule);
}

void ArmShareTimer(Step& st) {
  st.ArmTimer(st.Key("household-share"), kTimerHouseholdShare,
              st.in().effective, "", st.in().versions);
}

// The household tasks the holder dropped that this guardian is still due:
// it opens them itself (each rule checks that no other co-guardian holds
// one) and tells the guardians through its share timer, since telling them
// in this write would reach back to the holder.
void TakeOver(const v1::HouseholdTasksShared& e, Step& st) {
  bool took = false;
  for (const v1::HouseholdTask& t : e.released()) {
    const int open = st.s().open_tasks_size();
    if (t.kind() == kTaskRelocation) {
      OpenRelocationIfDue(st);
    } else {
      OpenConversationIfDue(st, t.rule());
    }
    took = took || st.s().open_tasks_size() > open;
  }
  if (took) ArmShareTimer(st);
}

}  // namespace

bool NamesGuardian(const v1::HouseholdMemberJoined& member,
                   absl::string_view guardian) {
  return std::find(member.guardian_ids().begin(), member.guardian_ids().end(),
                   guardian) != member.guardian_ids().end();
}

std::vector<std::string> CoGuardians(const v1::PathwayState& s) {
  std::set<std::string> out;
  for (const v1::HouseholdMemberJoined& m : s.household()) {
    if (m.role() == v1::HOUSEHOLD_ROLE_GUARDIAN) out.insert(m.person_id());
    out.insert(m.guardian_ids().begin(), m.guardian_ids().end());
  }
  if (s.person().household_role() == v1::HOUSEHOLD_ROLE_GUARDIAN) {
    out.insert(s.person().guardian_ids().begin(),
               s.person().guardian_ids().end());
  }
  out.erase(s.person_id());
  return {out.begin(), out.end()};
}

bool IsCoGuardian(const v1::PathwayState& s, absl::string_view person_id) {
  const std::vector<std::string> co_guardians = CoGuardians(s);
  return std::binary_search(co_guardians.begin(), co_guardians.end(),
                            person_id);
}

bool InHousehold(const v1::PathwayState& s) {
  return !s.household().empty() || !CoGuardians(s).empty();
}

void PassOnMember(const v1::HouseholdMemberJoined& joined,
                  const v1::PathwayState& after, const EventInput& in,
                  std::vector<returnpath::engine::RelatedEvent>* out) {
  for (const std::string& g : CoGuardians(after)) {
    if (!NamesGuardian(joined, g) && g != joined.person_id()) {
      out->push_back(To(g, joined, in));
    }
  }
}

void TellCoGuardian(const v1::PathwayState& after,
                    const std::string& co_guardian, const EventInput& in,
                    std::vector<returnpath::engine::RelatedEvent>* out) {
  // Its own children first: they tell the co-guardian who this guardian is.
  for (const bool own : {true, false}) {
    for (const v1::HouseholdMemberJoined& m : after.household()) {
      if (m.person_id() == co_guardian || NamesGuardian(m, co_guardian) ||
          NamesGuardian(m, after.person_id()) != own) {
        continue;
      }
      out->push_back(To(co_guardian, m, in));
    }
  }
  const std::vector<v1::HouseholdTask> tasks = HouseholdTasksOf(after);
  if (tasks.empty()) return;
  v1::HouseholdTasksShared shared;
  shared.set_holder_id(after.person_id());
  for (const v1::HouseholdTask& t : tasks) *shared.add_open() = t;
  out->push_back(To(co_guardian, shared, in));
}

bool CoGuardianHolds(const v1::PathwayState& s, absl::string_view kind,
                     absl::string_view rule) {
  return std::any_of(
      s.household_tasks_held().begin(), s.household_tasks_held().end(),
      [&](const v1::HouseholdTask& held) { return Matches(held, kind, rule); });
}

std::vector<v1::HouseholdTask> HouseholdTasksOf(const v1::PathwayState& s) {
  std::vector<v1::HouseholdTask> out;
  for (const v1::PathwayTask& t : s.open_tasks()) {
    if (!IsHouseholdTaskKind(t.kind())) continue;
    v1::HouseholdTask& task = out.emplace_back();
    task.set_holder_id(s.person_id());
    task.set_task_id(t.id());
    task.set_kind(t.kind());
    task.set_rule(t.rule());
  }
  return out;
}

bool ShareTimerFired(const HouseholdBefore& before,
                     const v1::PathwayState& after) {
  return std::any_of(
      before.share_timers.begin(), before.share_timers.end(),
      [&](const std::string& id) {
        return std::none_of(
            after.armed_timers().begin(), after.armed_timers().end(),
            [&](const v1::PathwayTimer& t) { return t.id() == id; });
      });
}

void ShareTasks(const HouseholdBefore& before, const v1::PathwayState& after,
                const EventInput& in, bool announce,
                std::vector<returnpath::engine::RelatedEvent>* out) {
  const std::vector<std::string> co_guardians = CoGuardians(after);
  if (co_guardians.empty()) return;
  const std::vector<v1::HouseholdTask> tasks = HouseholdTasksOf(after);
  const bool relocated = Relocated(before.residence, after.residence());
  const bool new_co_guardian = co_guardians.size() != before.co_guardians;
  if (!announce && !relocated && SameTasks(before.tasks, tasks) &&
      !(new_co_guardian && !tasks.empty())) {
    return;
  }
  v1::HouseholdTasksShared shared;
  shared.set_holder_id(after.person_id());
  for (const v1::HouseholdTask& t : tasks) *shared.add_open() = t;
  for (v1::HouseholdTask& t : Released(before, after, tasks, in)) {
    *shared.add_released() = std::move(t);
  }
  if (relocated) *shared.mutable_relocated_to() = after.residence();
  for (const std::string& co_guardian : co_guardians) {
    returnpath::engine::RelatedEvent related;
    related.stream_id = co_guardian;
    related.effective_time = in.effective;
    related.payload.PackFrom(shared);
    out->push_back(std::move(related));
  }
}

absl::Status OnTasksShared(const v1::HouseholdTasksShared& e, Step& st) {
  v1::PathwayState& s = st.s();
  if (st.in().recording &&
      (e.holder_id().empty() || st.in().caused_by_stream != e.holder_id())) {
    return Refuse(kShareAction,
                  "it is recorded only with the holding guardian's own event");
  }
  // A co-guardian whose pathway ended does not hold the family back.
  if (IsTerminal(s.stage())) return absl::OkStatus();
  const std::vector<std::string> co_guardians = CoGuardians(s);
  if (!std::binary_search(co_guardians.begin(), co_guardians.end(),
                          e.holder_id())) {
    return Refuse(kShareAction,
                  absl::StrCat(e.holder_id(), " is not a co-guardian of ",
                               s.person_id()));
  }
  auto* held = s.mutable_household_tasks_held();
  held->erase(std::remove_if(held->begin(), held->end(),
                             [&](const v1::HouseholdTask& t) {
                               return t.holder_id() == e.holder_id();
                             }),
              held->end());
  for (const v1::HouseholdTask& t : e.released()) {
    if (!IsHouseholdTaskKind(t.kind()) || t.holder_id() != e.holder_id()) {
      return absl::InvalidArgumentError(
          "released: only the holder's relocation and conversation tasks");
    }
  }
  for (const v1::HouseholdTask& t : e.open()) {
    if (!IsHouseholdTaskKind(t.kind()) || t.holder_id() != e.holder_id()) {
      return absl::InvalidArgumentError(
          "open: only the holder's relocation and conversation tasks");
    }
    *held->Add() = t;
    // Only after a refold can this guardian hold the same task: the
    // household's is the one held elsewhere.
    std::vector<std::string> own;
    for (const v1::PathwayTask& mine : s.open_tasks()) {
      const bool same_rule =
          t.kind() == kTaskRelocation || mine.rule() == t.rule();
      if (mine.kind() == t.kind() && same_rule) own.push_back(mine.key());
    }
    for (const std::string& key : own) st.CloseTask(key);
  }
  std::sort(held->begin(), held->end(),
            [](const v1::HouseholdTask& a, const v1::HouseholdTask& b) {
              return std::tie(a.holder_id(), a.task_id()) <
                     std::tie(b.holder_id(), b.task_id());
            });
  if (e.has_relocated_to()) RelocateWith(e.relocated_to(), st);
  TakeOver(e, st);
  return absl::OkStatus();
}

}  // namespace returnpath::return_pathway
