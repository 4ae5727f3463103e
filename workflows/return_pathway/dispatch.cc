#include "workflows/return_pathway/dispatch.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/status_macros.h"
#include "returnpath/v1/engine.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legacy_names.h"
#include "workflows/return_pathway/rules.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

const absl::flat_hash_map<std::string, Rule>& Rules() {
  static const auto* rules = [] {
    auto* out = new absl::flat_hash_map<std::string, Rule>();
    for (const KindEntry& entry : KindEntries()) {
      if (entry.apply != nullptr) {
        (*out)[entry.info.type] = Rule{entry.info.action, entry.apply};
      }
    }
    return out;
  }();
  return *rules;
}

}  // namespace

std::string TypeName(const google::protobuf::Any& any) {
  const absl::string_view url = any.type_url();
  const size_t slash = url.rfind('/');
  return std::string(slash == absl::string_view::npos ? url
                                                      : url.substr(slash + 1));
}

absl::StatusOr<const Rule*> FindRule(absl::string_view type_name) {
  const auto it = Rules().find(type_name);
  if (it == Rules().end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "payload: \"", type_name, "\" is not a return-pathway event"));
  }
  return &it->second;
}

bool IsCorrection(absl::string_view type_name) {
  const EventKindInfo* kind = FindPathwayEventKind(type_name);
  return kind != nullptr && !Rules().contains(type_name);
}

bool IsEngineEvent(absl::string_view type_name) {
  const EventKindInfo* kind = FindPathwayEventKind(type_name);
  return kind != nullptr && kind->recorded_by == RecordedBy::kEngine;
}

// Names the engine's own events with the names the state now uses.
absl::Status UseCurrentNames(EventInput* in) {
  v1::TimerFired fired;
  v1::TaskCompleted completed;
  if (in->payload.UnpackTo(&fired)) {
    RP_ASSIGN_OR_RETURN(std::string name, CurrentName(fired.timer_id(), *in));
    if (name == fired.timer_id()) return absl::OkStatus();
    fired.set_timer_id(std::move(name));
    in->payload.PackFrom(fired);
  } else if (in->payload.UnpackTo(&completed)) {
    RP_ASSIGN_OR_RETURN(std::string name,
                        CurrentName(completed.task_id(), *in));
    if (name == completed.task_id()) return absl::OkStatus();
    completed.set_task_id(std::move(name));
    in->payload.PackFrom(completed);
  } else {
    return absl::OkStatus();
  }
  in->legacy_name = true;
  return absl::OkStatus();
}

absl::StatusOr<EventInput> InputFromEnvelope(
    const v1::EventEnvelope& event, const PolicySet& policies,
    const returnpath::engine::EventLookup& log) {
  if (event.stream_id().empty()) {
    return absl::InvalidArgumentError("stream_id: missing");
  }
  if (event.stream_version() == 0) {
    return absl::InvalidArgumentError("stream_version: missing");
  }
  if (!event.has_effective_time()) {
    return absl::InvalidArgumentError("effective_time: missing");
  }
  if (!event.has_payload())
    return absl::InvalidArgumentError("payload: missing");
  EventInput in;
  in.stream_id = event.stream_id();
  in.version = event.stream_version();
  in.versions = {event.stream_version()};
  in.effective = FromTimestamp(event.effective_time());
  in.recorded = event.has_recorded_time() ? FromTimestamp(event.recorded_time())
                                          : in.effective;
  if (event.policy_version().empty()) {
    RP_ASSIGN_OR_RETURN(in.policy, policies.InForceAt(in.effective));
  } else {
    RP_ASSIGN_OR_RETURN(in.policy, policies.Find(event.policy_version()));
  }
  in.policy_version = in.policy->version();
  if (event.has_recorded_time()) {
    RP_RETURN_IF_ERROR(CheckNotInFuture(in.effective, in.recorded, *in.policy,
                                        "effective_time"));
  }
  in.payload = event.payload();
  in.caused_by_stream = event.caused_by_stream_id();
  in.log = &log;
  RP_RETURN_IF_ERROR(UseCurrentNames(&in));
  return in;
}

v1::HistoryEntry EntryFor(const EventInput& in,
                          absl::string_view closed_task_key) {
  v1::HistoryEntry entry;
  entry.set_version(in.version);
  *entry.mutable_effective_time() = ToTimestamp(in.effective);
  *entry.mutable_recorded_time() = ToTimestamp(in.recorded);
  entry.set_policy_version(in.policy_version);
  *entry.mutable_payload() = in.payload;
  entry.set_closed_task_key(std::string(closed_task_key));
  return entry;
}

}  // namespace returnpath::return_pathway
