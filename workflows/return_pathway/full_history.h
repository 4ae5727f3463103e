#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_FULL_HISTORY_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_FULL_HISTORY_H_

// Internal to the return pathway: the history a state keeps, and the one a
// refold reads. A state keeps of each event only the notes its application
// and later events left on it (HistoryEntry: a correction, a retraction, what
// it moved, the task it closed, a final rejection it derived); an event with
// none has no entry. Nothing in the stored state grows with what events say.
// The event's own facts (times, policy version, payload) stay in the log, which
// the refold reads them back from.

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "workflows/return_pathway/policy_set.h"
#include "workflows/return_pathway/step.h"

namespace returnpath::return_pathway {

// `state` with its history in full: an entry for each version up to its
// last, the facts from `in.log` (from `in` itself for its own version) under
// the notes `state` keeps. DATA_LOSS if a note names no event of the log.
absl::StatusOr<returnpath::v1::PathwayState> WithFullHistory(
    const returnpath::v1::PathwayState& state, const EventInput& in,
    const PolicySet& policies);

// The same in two steps, for a caller that lays several states over one
// read of the log: the entries of versions 1 to `up_to` of `in`'s stream
// (their facts only), then `state` with those up to its last version (and
// `in` for its own version) under its notes.
absl::StatusOr<std::vector<returnpath::v1::HistoryEntry>> LoggedEntries(
    const EventInput& in, uint64_t up_to, const PolicySet& policies);
absl::StatusOr<returnpath::v1::PathwayState> UnderNotes(
    const returnpath::v1::PathwayState& state,
    const std::vector<returnpath::v1::HistoryEntry>& logged,
    const EventInput& in);

// `state` as it stands with its history in full, read from `log`.
absl::StatusOr<returnpath::v1::PathwayState> WithFullHistory(
    const returnpath::v1::PathwayState& state,
    const returnpath::engine::EventLookup& log, const PolicySet& policies);

// Leaves in `entry` only its notes (and its recorded time, if it notes what
// it moved); false if it has none.
bool KeepNotesOnly(returnpath::v1::HistoryEntry* entry);

// The history of `state` as a state keeps it (KeepNotesOnly on each entry,
// the entries with no note dropped).
void KeepHistoryNotesOnly(returnpath::v1::PathwayState* state);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_FULL_HISTORY_H_
