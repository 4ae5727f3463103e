#include "workflows/return_pathway/machine.h"

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "workflows/return_pathway/dispatch.h"
#include "workflows/return_pathway/finalize.h"
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
                                   const PolicySet& policies) {
  RP_ASSIGN_OR_RETURN(const EventInput in, InputFromEnvelope(event, policies));
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
  if (!fresh && in.position <= state.last_position()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "position: ", in.position, " is not after the last applied position ",
        state.last_position()));
  }
  if (Is(type, v1::EventCorrected::descriptor())) {
    return ApplyCorrection(state, in, policies);
  }
  if (Is(type, v1::EventRetracted::descriptor())) {
    return ApplyRetraction(state, in, policies);
  }
  RP_ASSIGN_OR_RETURN(const Rule* rule, FindRule(type));
  RP_RETURN_IF_ERROR(CheckNotEnded(state, rule->action));
  if (Is(type, v1::AppealLodged::descriptor()) &&
      IsLateTimelyAppeal(state, in)) {
    return ApplyLateAppeal(state, in, policies);
  }

  Applied out;
  out.state = state;
  Step st(&out.state, in);
  RP_RETURN_IF_ERROR(rule->apply(st));
  *out.state.add_history() = EntryFor(in, st.closed_task_key);
  out.state.set_last_position(in.position);
  DiffOptions options;
  options.position = in.position;
  options.fired_timer_id = st.fired_timer_id;
  options.completed_task_id = st.completed_task_id;
  out.transition = Finish(state, out.state, options);
  return out;
}

}  // namespace returnpath::return_pathway
