#include "workflows/return_pathway/refold.h"

#include <algorithm>
#include <numeric>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "returnpath/v1/engine.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/dispatch.h"
#include "workflows/return_pathway/finalize.h"
#include "workflows/return_pathway/household.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/moves.h"
#include "workflows/return_pathway/rules.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

// `status` with `prefix` before its message, same code.
absl::Status Prefixed(const absl::Status& status, absl::string_view prefix) {
  return absl::Status(status.code(), absl::StrCat(prefix, status.message()));
}

EventInput ReplayInput(absl::string_view stream_id, const v1::HistoryEntry& e) {
  EventInput in;
  in.stream_id = std::string(stream_id);
  in.version = e.version();
  in.versions = {e.version()};
  in.versions.insert(in.versions.end(), e.correction_versions().begin(),
                     e.correction_versions().end());
  in.effective = CurrentEffective(e);
  in.recorded = FromTimestamp(e.recorded_time());
  in.policy_version = e.corrected_policy_version().empty()
                          ? e.policy_version()
                          : e.corrected_policy_version();
  in.payload = CurrentPayload(e);
  in.replay = true;
  in.recording = false;
  in.replay_closed_task_key = e.closed_task_key();
  return in;
}

// Where a fold from nothing stopped: the event that would no longer apply.
struct FoldFailure {
  uint64_t version = 0;
  std::string action;
  absl::Status status;
};

// Tasks a fold left closed because an event carried them out (a forced
// return effects the police referral): (key, outcome), as the live path
// reports them in Step::task_outcomes.
using TaskOutcomes = std::vector<std::pair<std::string, std::string>>;

// Keeps in `outcomes` what `st` carried out, and drops any task open again.
void NoteOutcomes(Step& st, TaskOutcomes& outcomes) {
  for (auto& done : st.task_outcomes) outcomes.push_back(std::move(done));
  std::erase_if(outcomes, [&](const auto& done) {
    return st.FindTaskByKey(done.first) != nullptr;
  });
}

// The order events apply in: the registration first (a decision may predate
// it), then the household members who joined (a guardian's decision names
// them, whenever they were registered), then by effective time, ties by
// version.
int FoldRank(const v1::HistoryEntry& e) {
  if (e.payload().Is<v1::PersonRegistered>()) return 0;
  if (e.payload().Is<v1::HouseholdMemberJoined>()) return 1;
  return 2;
}

std::vector<int> EffectiveOrder(
    const google::protobuf::RepeatedPtrField<v1::HistoryEntry>& history) {
  std::vector<std::tuple<int, absl::Time, uint64_t>> at;
  at.reserve(history.size());
  for (const v1::HistoryEntry& e : history) {
    at.emplace_back(FoldRank(e), CurrentEffective(e), e.version());
  }
  std::vector<int> order(history.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return at[a] < at[b]; });
  return order;
}

bool Applies(const v1::HistoryEntry& entry) {
  return !IsCorrection(TypeName(entry.payload())) && !entry.retracted() &&
         entry.superseded_by_version() == 0;
}

// Folds `history` from nothing in effective-time order (see Replay).
absl::StatusOr<v1::PathwayState> Fold(
    absl::string_view stream_id,
    const google::protobuf::RepeatedPtrField<v1::HistoryEntry>& history,
    const PolicySet& policies, FoldFailure* failure,
    FoldObserver* observer = nullptr, TaskOutcomes* outcomes = nullptr,
    uint64_t recording_version = 0, const EventInput* live = nullptr) {
  v1::PathwayState s;
  uint64_t last = 0;
  absl::Time until = absl::InfinitePast();
  absl::flat_hash_set<uint64_t> derived, departed_with_guardian;
  for (const v1::HistoryEntry& entry : history) {
    last = std::max(last, entry.version());
  }
  for (const int i : EffectiveOrder(history)) {
    const v1::HistoryEntry& entry = history[i];
    if (!Applies(entry)) continue;
    EventInput in = ReplayInput(stream_id, entry);
    in.recording = entry.version() == recording_version;
    if (live != nullptr) in.log = live->log;
    if (live != nullptr && entry.version() == live->version) {
      // The event being recorded, as the live path sees it: a related event
      // names the event that caused it.
      in.caused_by_stream = live->caused_by_stream;
    }
    RP_ASSIGN_OR_RETURN(in.policy, policies.Find(in.policy_version));
    RP_ASSIGN_OR_RETURN(const Rule* rule, FindRule(TypeName(in.payload)));
    failure->version = entry.version();
    failure->action = std::string(rule->action);
    const bool registration =
        TypeName(in.payload) == v1::PersonRegistered::descriptor()->full_name();
    if ((s.stage() == v1::STAGE_UNSPECIFIED) != registration) {
      failure->status = absl::FailedPreconditionError(
          "it would not follow a single registration");
      return failure->status;
    }
    absl::Status status = AppliesAfterEnd(TypeName(in.payload))
                              ? absl::OkStatus()
                              : CheckNotEnded(s, rule->action);
    if (status.ok()) {
      if (observer != nullptr) observer->Before(s);
      Step st(&s, in);
      status = FireOverdueTimers(st);
      if (status.ok()) status = rule->apply(st);
      if (observer != nullptr && status.ok()) observer->After(in, s);
      if (st.derived_final_rejection) derived.insert(entry.version());
      if (st.departed_with_guardian) {
        departed_with_guardian.insert(entry.version());
      }
      if (outcomes != nullptr) NoteOutcomes(st, *outcomes);
    }
    if (!status.ok()) {
      failure->status = status;
      return status;
    }
    until = std::max(until, in.effective);
  }
  *s.mutable_history() = history;
  for (v1::HistoryEntry& e : *s.mutable_history()) {
    e.set_derived_final_rejection(derived.contains(e.version()));
    e.set_departed_with_guardian(departed_with_guardian.contains(e.version()));
  }
  s.set_last_version(last);
  if (until != absl::InfinitePast()) {
    *s.mutable_applied_until() = ToTimestamp(until);
  }
  return s;
}

// "the event at version 9 (apply a timer) would no longer apply: <why>".
absl::Status WouldNoLongerApply(const FoldFailure& failure) {
  return Prefixed(failure.status,
                  absl::StrCat("the event at version ", failure.version, " (",
                               failure.action, ") would no longer apply: "));
}

// Refolds `history` (its last entry is the event `in`) and turns the result
// into the transition from `state`, noting on that entry what it moved. The
// event at `recording_version` (0: none) is the fact being recorded now:
// only it meets the refusals that guard recording. `target_version` names
// the event a correction or retraction `in` is about (0: none).
absl::StatusOr<Applied> Refold(
    const v1::PathwayState& state, const EventInput& in,
    const google::protobuf::RepeatedPtrField<v1::HistoryEntry>& history,
    const PolicySet& policies, absl::string_view action,
    uint64_t recording_version, DiffOptions options = {},
    uint64_t target_version = 0) {
  FoldFailure failure;
  TaskOutcomes outcomes;
  absl::StatusOr<v1::PathwayState> next =
      Fold(in.stream_id, history, policies, &failure, /*observer=*/nullptr,
           &outcomes, recording_version, &in);
  if (!next.ok()) {
    if (failure.version == in.version) return next.status();
    return Prefixed(WouldNoLongerApply(failure),
                    absl::StrCat("cannot ", action, ": "));
  }
  v1::HistoryEntry& entry = *next->mutable_history()->rbegin();
  for (std::string& line : DescribeMoves(
           state, *next, [&] { return CauseOf(state, entry, target_version); },
           /*refold=*/true, entry.closed_task_key(), outcomes)) {
    entry.add_moved(std::move(line));
  }
  options.version = in.version;
  options.refold = true;
  options.encode_state = false;  // the caller keeps the history's notes only
  // Carried out in the refold as live: completed, not cancelled (Finish
  // applies an outcome only to a task that was open before).
  options.task_outcomes.insert(options.task_outcomes.end(),
                               std::make_move_iterator(outcomes.begin()),
                               std::make_move_iterator(outcomes.end()));
  Applied out;
  out.transition = Finish(state, *next, options);
  out.state = *std::move(next);
  return out;
}

// The entry a correction or retraction `in` names by `position`, checked to
// be correctable.
absl::StatusOr<int> Target(const v1::PathwayState& state, const EventInput& in,
                           uint64_t position, absl::string_view action) {
  const absl::Status absent = absl::NotFoundError(
      absl::StrCat("cannot ", action, ": event ", position,
                   " is not in the history of person ", state.person_id()));
  absl::StatusOr<v1::EventEnvelope> named = in.log->EventAt(position);
  if (absl::IsNotFound(named.status())) return absent;
  RP_RETURN_IF_ERROR(named.status());
  if (named->stream_id() != in.stream_id) return absent;
  for (int i = 0; i < state.history_size(); ++i) {
    const v1::HistoryEntry& e = state.history(i);
    if (e.version() != named->stream_version()) continue;
    const std::string type = TypeName(e.payload());
    if (IsCorrection(type)) {
      return Refuse(action,
                    "it is itself a correction or retraction; name the "
                    "event it corrected");
    }
    if (IsEngineEvent(type)) {
      return Refuse(action,
                    "the engine recorded it (a timer or a completed "
                    "task); correct the event behind it");
    }
    if (e.retracted()) return Refuse(action, "it was already retracted");
    return i;
  }
  return absent;
}

}  // namespace

const google::protobuf::Any& CurrentPayload(const v1::HistoryEntry& entry) {
  return entry.has_replacement() ? entry.replacement() : entry.payload();
}

absl::Time CurrentEffective(const v1::HistoryEntry& entry) {
  return FromTimestamp(entry.has_corrected_effective_time()
                           ? entry.corrected_effective_time()
                           : entry.effective_time());
}

absl::StatusOr<v1::PathwayState> Replay(
    absl::string_view stream_id,
    const google::protobuf::RepeatedPtrField<v1::HistoryEntry>& history,
    const PolicySet& policies) {
  FoldFailure failure;
  absl::StatusOr<v1::PathwayState> s =
      Fold(stream_id, history, policies, &failure);
  if (!s.ok() && !failure.status.ok()) return WouldNoLongerApply(failure);
  return s;
}

absl::Status ReplayObserved(
    absl::string_view stream_id,
    const google::protobuf::RepeatedPtrField<v1::HistoryEntry>& history,
    const PolicySet& policies, FoldObserver& observer) {
  FoldFailure failure;
  return Fold(stream_id, history, policies, &failure, &observer).status();
}

absl::StatusOr<Applied> RefoldHistory(
    const v1::PathwayState& state, const EventInput& in,
    const google::protobuf::RepeatedPtrField<v1::HistoryEntry>& history,
    const PolicySet& policies, absl::string_view action) {
  return Refold(state, in, history, policies, action, /*recording_version=*/0);
}

bool IsBackdated(const v1::PathwayState& state, const EventInput& in) {
  return state.has_applied_until() &&
         in.effective < FromTimestamp(state.applied_until());
}

absl::StatusOr<Applied> ApplyBackdated(const v1::PathwayState& state,
                                       const EventInput& in,
                                       const PolicySet& policies) {
  RP_ASSIGN_OR_RETURN(const Rule* rule, FindRule(TypeName(in.payload)));
  // The engine's own events, as the live path sees them: the timer loop
  // removed the timer, the task queue completed the task.
  DiffOptions options;
  std::string closed_key;
  v1::TimerFired fired;
  v1::TaskCompleted completed;
  // One the engine knew by a legacy name it did not remove or complete.
  if (in.payload.UnpackTo(&fired)) {
    if (!in.legacy_name) options.fired_timer_id = fired.timer_id();
  } else if (in.payload.UnpackTo(&completed)) {
    for (const v1::PathwayTask& t : state.open_tasks()) {
      if (t.id() != completed.task_id()) continue;
      closed_key = t.key();
      if (in.legacy_name) {
        options.task_outcomes.emplace_back(t.key(), completed.outcome());
      } else {
        options.completed_task_id = t.id();
      }
    }
  }
  google::protobuf::RepeatedPtrField<v1::HistoryEntry> history =
      state.history();
  v1::HistoryEntry* entry = history.Add();
  *entry = EntryFor(in, closed_key);
  entry->set_refolded(true);
  return Refold(state, in, history, policies,
                absl::StrCat(rule->action, " effective ",
                             FormatDay(OsloDate(in.effective))),
                in.version, options);
}

absl::StatusOr<Applied> ApplyCorrection(const v1::PathwayState& state,
                                        const EventInput& in,
                                        const PolicySet& policies) {
  v1::EventCorrected correction;
  if (!in.payload.UnpackTo(&correction)) {
    return absl::InvalidArgumentError(
        "payload: does not parse as returnpath.v1.EventCorrected");
  }
  const std::string action =
      absl::StrCat("correct event ", correction.corrected_position());
  if (correction.reason().empty()) {
    return absl::InvalidArgumentError("reason: a correction must say why");
  }
  RP_ASSIGN_OR_RETURN(
      const int index,
      Target(state, in, correction.corrected_position(), action));
  google::protobuf::RepeatedPtrField<v1::HistoryEntry> history =
      state.history();
  v1::HistoryEntry& target = history[index];
  const std::string type = TypeName(target.payload());
  if (!correction.has_replacement() ||
      TypeName(correction.replacement()) != type) {
    return absl::InvalidArgumentError(absl::StrCat(
        "replacement: must be a ", type,
        " like the event it corrects; retract it and record the right event "
        "instead"));
  }
  *target.mutable_replacement() = correction.replacement();
  target.add_correction_versions(in.version);
  if (correction.has_effective_time()) {
    const absl::Time effective = FromTimestamp(correction.effective_time());
    RP_RETURN_IF_ERROR(
        CheckNotInFuture(effective, in.recorded, *in.policy, "effective_time"));
    RP_ASSIGN_OR_RETURN(const v1::Policy* policy,
                        policies.InForceAt(effective));
    *target.mutable_corrected_effective_time() = correction.effective_time();
    target.set_corrected_policy_version(policy->version());
  }
  *history.Add() = EntryFor(in, "");
  history.rbegin()->set_refolded(true);
  // The corrected fact is recorded anew; the rest of the history stands.
  return Refold(state, in, history, policies, action, target.version(),
                /*options=*/{}, target.version());
}

absl::StatusOr<Applied> ApplyRetraction(const v1::PathwayState& state,
                                        const EventInput& in,
                                        const PolicySet& policies) {
  v1::EventRetracted retraction;
  if (!in.payload.UnpackTo(&retraction)) {
    return absl::InvalidArgumentError(
        "payload: does not parse as returnpath.v1.EventRetracted");
  }
  const std::string action =
      absl::StrCat("retract event ", retraction.retracted_position());
  if (retraction.reason().empty()) {
    return absl::InvalidArgumentError("reason: a retraction must say why");
  }
  RP_ASSIGN_OR_RETURN(
      const int index,
      Target(state, in, retraction.retracted_position(), action));
  google::protobuf::RepeatedPtrField<v1::HistoryEntry> history =
      state.history();
  v1::HistoryEntry& target = history[index];
  if (TypeName(target.payload()) ==
      v1::PersonRegistered::descriptor()->full_name()) {
    return Refuse(action, "it registered the person; correct it instead");
  }
  target.set_retracted(true);
  const uint64_t target_version = target.version();
  *history.Add() = EntryFor(in, "");
  history.rbegin()->set_refolded(true);
  return Refold(state, in, history, policies, action, /*recording_version=*/0,
                /*options=*/{}, target_version);
}

}  // namespace returnpath::return_pathway
