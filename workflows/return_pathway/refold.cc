#include "workflows/return_pathway/refold.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/dispatch.h"
#include "workflows/return_pathway/finalize.h"
#include "workflows/return_pathway/household.h"
#include "workflows/return_pathway/legal_calendar.h"
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
  in.position = e.position();
  in.positions = {e.position()};
  in.positions.insert(in.positions.end(), e.correction_positions().begin(),
                      e.correction_positions().end());
  in.effective = CurrentEffective(e);
  in.recorded = FromTimestamp(e.recorded_time());
  in.policy_version = e.corrected_policy_version().empty()
                          ? e.policy_version()
                          : e.corrected_policy_version();
  in.payload = CurrentPayload(e);
  in.replay = true;
  in.replay_closed_task_key = e.closed_task_key();
  return in;
}

// Refolds `history` and turns the result into the transition from `state`.
absl::StatusOr<Applied> Refold(
    const v1::PathwayState& state, const EventInput& in,
    const google::protobuf::RepeatedPtrField<v1::HistoryEntry>& history,
    const PolicySet& policies, absl::string_view action) {
  absl::StatusOr<v1::PathwayState> next =
      Replay(in.stream_id, history, policies);
  if (!next.ok()) {
    return Prefixed(next.status(), absl::StrCat("cannot ", action, ": "));
  }
  DiffOptions options;
  options.position = in.position;
  options.refold = true;
  Applied out;
  out.transition = Finish(state, *next, options);
  out.state = *std::move(next);
  return out;
}

// The entry a correction or retraction names, checked to be correctable.
absl::StatusOr<int> Target(const v1::PathwayState& state, uint64_t position,
                           absl::string_view action) {
  for (int i = 0; i < state.history_size(); ++i) {
    const v1::HistoryEntry& e = state.history(i);
    if (e.position() != position) continue;
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
  return absl::NotFoundError(
      absl::StrCat("cannot ", action, ": event ", position,
                   " is not in the history of person ", state.person_id()));
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
  v1::PathwayState s;
  uint64_t last = 0;
  for (const v1::HistoryEntry& entry : history) {
    last = std::max(last, entry.position());
    if (IsCorrection(TypeName(entry.payload())) || entry.retracted() ||
        entry.superseded_by_position() != 0) {
      continue;
    }
    EventInput in = ReplayInput(stream_id, entry);
    const std::string at = absl::StrCat("event ", entry.position(), " (");
    RP_ASSIGN_OR_RETURN(in.policy, policies.Find(in.policy_version));
    RP_ASSIGN_OR_RETURN(const Rule* rule, FindRule(TypeName(in.payload)));
    const bool registration =
        TypeName(in.payload) == v1::PersonRegistered::descriptor()->full_name();
    if ((s.stage() == v1::STAGE_UNSPECIFIED) != registration) {
      return absl::FailedPreconditionError(absl::StrCat(
          at, rule->action, ") would not follow a single registration"));
    }
    absl::Status status = AppliesAfterEnd(TypeName(in.payload))
                              ? absl::OkStatus()
                              : CheckNotEnded(s, rule->action);
    if (status.ok()) {
      Step st(&s, in);
      status = rule->apply(st);
    }
    if (!status.ok()) {
      return Prefixed(
          status, absl::StrCat(at, rule->action, ") would no longer apply: "));
    }
  }
  *s.mutable_history() = history;
  s.set_last_position(last);
  return s;
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
  RP_ASSIGN_OR_RETURN(const int index,
                      Target(state, correction.corrected_position(), action));
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
  target.add_correction_positions(in.position);
  if (correction.has_effective_time()) {
    const absl::Time effective = FromTimestamp(correction.effective_time());
    RP_ASSIGN_OR_RETURN(const v1::Policy* policy,
                        policies.InForceAt(effective));
    *target.mutable_corrected_effective_time() = correction.effective_time();
    target.set_corrected_policy_version(policy->version());
  }
  *history.Add() = EntryFor(in, "");
  return Refold(state, in, history, policies, action);
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
  RP_ASSIGN_OR_RETURN(const int index,
                      Target(state, retraction.retracted_position(), action));
  google::protobuf::RepeatedPtrField<v1::HistoryEntry> history =
      state.history();
  v1::HistoryEntry& target = history[index];
  if (TypeName(target.payload()) ==
      v1::PersonRegistered::descriptor()->full_name()) {
    return Refuse(action, "it registered the person; correct it instead");
  }
  target.set_retracted(true);
  *history.Add() = EntryFor(in, "");
  return Refold(state, in, history, policies, action);
}

bool IsLateTimelyAppeal(const v1::PathwayState& state, const EventInput& in) {
  const bool final_stage = state.stage() == v1::STAGE_FINAL_REJECTION ||
                           state.stage() == v1::STAGE_RETURN_PREPARATION ||
                           state.stage() == v1::STAGE_OVERSTAYED;
  if (!final_stage || state.final_rejection().derived_at_position() == 0 ||
      state.final_rejection().basis() !=
          v1::FINAL_REJECTION_BASIS_NOT_APPEALED) {
    return false;
  }
  const absl::CivilDay day = OsloDate(in.effective);
  return day >= StoredDay(state.appeal_window().counted_from()) &&
         day <= StoredDay(state.appeal_window().date());
}

absl::StatusOr<Applied> ApplyLateAppeal(const v1::PathwayState& state,
                                        const EventInput& in,
                                        const PolicySet& policies) {
  google::protobuf::RepeatedPtrField<v1::HistoryEntry> history =
      state.history();
  for (v1::HistoryEntry& e : history) {
    if (e.position() == state.final_rejection().derived_at_position()) {
      e.set_superseded_by_position(in.position);
    }
  }
  *history.Add() = EntryFor(in, "");
  return Refold(state, in, history, policies, "record an appeal");
}

}  // namespace returnpath::return_pathway
