#include "workflows/return_pathway/machine.h"

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "returnpath/v1/household.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/dispatch.h"
#include "workflows/return_pathway/finalize.h"
#include "workflows/return_pathway/full_history.h"
#include "workflows/return_pathway/household.h"
#include "workflows/return_pathway/moves.h"
#include "workflows/return_pathway/refold.h"
#include "workflows/return_pathway/rules.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

bool Is(absl::string_view type, const google::protobuf::Descriptor* d) {
  return type == d->full_name();
}

}  // namespace

absl::StatusOr<Applied> ApplyEvent(const v1::PathwayState& state,
                                   const v1::EventEnvelope& event,
                                   const PolicySet& policies,
                                   const returnpath::engine::EventLookup& log) {
  Applied out;
  out.state = state;
  RP_ASSIGN_OR_RETURN(out.transition,
                      ApplyEventInPlace(&out.state, event, policies, log));
  return out;
}

absl::StatusOr<returnpath::engine::Transition> ApplyEventInPlace(
    v1::PathwayState* changing, const v1::EventEnvelope& event,
    const PolicySet& policies, const returnpath::engine::EventLookup& log,
    const InPlace& in_place) {
  const v1::PathwayState& state = *changing;
  RP_ASSIGN_OR_RETURN(const EventInput in,
                      InputFromEnvelope(event, policies, log));
  const std::string type = TypeName(in.payload);
  if (!IsCorrection(type)) RP_RETURN_IF_ERROR(FindRule(type).status());
  const bool fresh = state.stage() == v1::STAGE_UNSPECIFIED;
  if (Is(type, v1::PersonRegistered::descriptor())) {
    if (!fresh) {
      return absl::AlreadyExistsError(
          absl::StrCat("person ", state.person_id(), " is already registered"));
    }
  } else if (fresh) {
    return absl::NotFoundError(
        absl::StrCat("person ", in.stream_id, " is not registered"));
  }
  if (!fresh && in.version <= state.last_version()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "stream_version: ", in.version,
        " is not after the last applied version ", state.last_version()));
  }
  // Corrections, retractions and backdated events refold the history, read
  // back in full from the log, and replace the state whole.
  absl::StatusOr<Applied> (*refold)(const v1::PathwayState&, const EventInput&,
                                    const PolicySet&) = nullptr;
  // A refold of a guardian also corrects what the children followed; a
  // child's correction of what it followed reaches no one else.
  bool refold_household = true;
  if (Is(type, v1::EventCorrected::descriptor())) {
    refold = ApplyCorrection;
  } else if (Is(type, v1::EventRetracted::descriptor())) {
    refold = ApplyRetraction;
  } else if (Is(type, v1::GuardianFollowsCorrected::descriptor())) {
    refold = ApplyFollowsCorrected;
    refold_household = false;
  } else if (IsBackdated(state, in)) {
    // Children follow a guardian's fact recorded late as they follow one
    // recorded on time.
    refold = ApplyBackdated;
  }
  if (refold != nullptr) {
    RP_ASSIGN_OR_RETURN(const v1::PathwayState full,
                        WithFullHistory(state, in, policies));
    RP_ASSIGN_OR_RETURN(Applied applied, refold(full, in, policies));
    if (refold_household) {
      RP_RETURN_IF_ERROR(
          AddRefoldedHouseholdEvents(full, in, policies, &applied));
    }
    KeepHistoryNotesOnly(&applied.state);
    if (!in_place.skip_encoding) {
      applied.transition.next_state = SerializeState(applied.state);
    }
    if (in_place.replaced != nullptr) in_place.replaced->Swap(changing);
    *changing = std::move(applied.state);
    return std::move(applied.transition);
  }
  RP_ASSIGN_OR_RETURN(const Rule* rule, FindRule(type));
  if (!AppliesAfterEnd(type)) {
    RP_RETURN_IF_ERROR(CheckNotEnded(state, rule->action));
  }

  // Finish compares only the open tasks and armed timers with the ones
  // before; copying just those spares copying the person's history.
  v1::PathwayState before;
  *before.mutable_open_tasks() = state.open_tasks();
  *before.mutable_armed_timers() = state.armed_timers();
  const HouseholdBefore household = HouseholdSnapshot(state);
  Step st(changing, in);
  RP_RETURN_IF_ERROR(FireOverdueTimers(st));
  RP_RETURN_IF_ERROR(rule->apply(st));
  v1::HistoryEntry* entry = changing->add_history();
  *entry = EntryFor(in, st.closed_task_key);
  entry->set_derived_final_rejection(st.derived_final_rejection);
  entry->set_departed_with_guardian(st.departed_with_guardian);
  for (std::string& line : DescribeMoves(
           before, *changing, [&] { return CauseOf(before, *entry); },
           /*refold=*/false, st.closed_task_key, st.task_outcomes)) {
    entry->add_moved(std::move(line));
  }
  if (!KeepNotesOnly(entry)) changing->mutable_history()->RemoveLast();
  changing->set_last_version(in.version);
  if (!changing->has_applied_until() ||
      FromTimestamp(changing->applied_until()) < in.effective) {
    *changing->mutable_applied_until() = ToTimestamp(in.effective);
  }
  DiffOptions options;
  options.version = in.version;
  options.fired_timer_id = st.fired_timer_id;
  options.completed_task_id = st.completed_task_id;
  options.task_outcomes = std::move(st.task_outcomes);
  options.encode_state = !in_place.skip_encoding;
  returnpath::engine::Transition transition =
      Finish(before, *changing, options);
  transition.related_events = HouseholdEvents(household, *changing, in);
  return transition;
}

}  // namespace returnpath::return_pathway
