#include "workflows/return_pathway/full_history.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "workflows/return_pathway/dispatch.h"

namespace returnpath::return_pathway {

namespace v1 = ::returnpath::v1;

absl::StatusOr<std::vector<v1::HistoryEntry>> LoggedEntries(
    const EventInput& in, uint64_t up_to, const PolicySet& policies) {
  RP_ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> events,
                      in.log->StreamEvents(in.stream_id, up_to));
  std::vector<v1::HistoryEntry> out;
  out.reserve(events.size());
  for (const v1::EventEnvelope& event : events) {
    RP_ASSIGN_OR_RETURN(const EventInput facts,
                        InputFromEnvelope(event, policies, *in.log));
    out.push_back(EntryFor(facts, ""));
  }
  return out;
}

absl::StatusOr<v1::PathwayState> UnderNotes(
    const v1::PathwayState& state, const std::vector<v1::HistoryEntry>& logged,
    const EventInput& in) {
  v1::PathwayState out = state;
  google::protobuf::RepeatedPtrField<v1::HistoryEntry> notes;
  notes.Swap(out.mutable_history());
  auto note = notes.begin();
  auto add = [&](v1::HistoryEntry entry) {
    if (note != notes.end() && note->version() == entry.version()) {
      entry.MergeFrom(*note++);
    }
    *out.add_history() = std::move(entry);
  };
  for (const v1::HistoryEntry& entry : logged) {
    if (entry.version() > state.last_version()) break;
    add(entry);
  }
  if (state.last_version() >= in.version) add(EntryFor(in, ""));
  if (note != notes.end()) {
    return absl::DataLossError(
        absl::StrCat("the state of ", in.stream_id, " keeps a note on version ",
                     note->version(), ", which its log does not hold"));
  }
  return out;
}

absl::StatusOr<v1::PathwayState> WithFullHistory(const v1::PathwayState& state,
                                                 const EventInput& in,
                                                 const PolicySet& policies) {
  RP_ASSIGN_OR_RETURN(
      const std::vector<v1::HistoryEntry> logged,
      LoggedEntries(in, std::min(state.last_version(), in.version - 1),
                    policies));
  return UnderNotes(state, logged, in);
}

absl::StatusOr<v1::PathwayState> WithFullHistory(
    const v1::PathwayState& state, const returnpath::engine::EventLookup& log,
    const PolicySet& policies) {
  EventInput after_it;
  after_it.stream_id = state.person_id();
  after_it.version = state.last_version() + 1;
  after_it.log = &log;
  return WithFullHistory(state, after_it, policies);
}

bool KeepNotesOnly(v1::HistoryEntry* entry) {
  entry->clear_effective_time();
  // Shown beside what the event moved (returnctl show).
  if (entry->moved().empty()) entry->clear_recorded_time();
  entry->clear_policy_version();
  entry->clear_payload();
  const uint64_t version = entry->version();
  entry->clear_version();
  const bool noted = entry->ByteSizeLong() > 0;
  entry->set_version(version);
  return noted;
}

void KeepHistoryNotesOnly(v1::PathwayState* state) {
  google::protobuf::RepeatedPtrField<v1::HistoryEntry>& history =
      *state->mutable_history();
  int kept = 0;
  for (int i = 0; i < history.size(); ++i) {
    if (!KeepNotesOnly(history.Mutable(i))) continue;
    if (kept != i) history.SwapElements(kept, i);
    ++kept;
  }
  history.DeleteSubrange(kept, history.size() - kept);
}

}  // namespace returnpath::return_pathway
