#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_MOVES_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_MOVES_H_

// Internal to the return pathway: sentences on what an event moved under
// people (tasks cancelled, opened or re-ranked; deadlines, stage and support
// tier recomputed), kept on the event's history entry (HistoryEntry.moved) so
// caseworkers and auditors read why a task went away.

#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "returnpath/v1/pathway_state.pb.h"

namespace returnpath::return_pathway {

// "the IOM application", "the departure deadline's expiry".
std::string EventWords(const returnpath::v1::HistoryEntry& entry);

// Why `entry` (the event being applied, not yet in `before`) moves what it
// moves: "the IOM application at version 12 (effective 2026-03-20) comes
// before the departure deadline's expiry at version 9 (2026-03-23)" for a
// fact applied before others, "the correction at version 7 of the final
// rejection at version 2" for a correction (`target_version` names the
// event it corrects or retracts), and so on. Versions are the person's own
// event numbers (a timeline's VER).
std::string CauseOf(const returnpath::v1::PathwayState& before,
                    const returnpath::v1::HistoryEntry& entry,
                    uint64_t target_version = 0);

// One sentence per change from `before` to `after` that people hold, each
// ending in ": <cause>" (asked for only if something moved). Tasks closed
// (`cancelled` when `refold`), re-ranked or moved; when `refold` also tasks
// opened, deadlines, stage, support tier and relocation exemption.
// `completed_key` is the task the event completed (not a move); `outcomes`
// the tasks it carried out, (key, outcome): "completed (effected)".
std::vector<std::string> DescribeMoves(
    const returnpath::v1::PathwayState& before,
    const returnpath::v1::PathwayState& after,
    absl::FunctionRef<std::string()> cause, bool refold,
    absl::string_view completed_key,
    const std::vector<std::pair<std::string, std::string>>& outcomes);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_MOVES_H_
