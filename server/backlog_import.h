#ifndef RETURNPATH_SERVER_BACKLOG_IMPORT_H_
#define RETURNPATH_SERVER_BACKLOG_IMPORT_H_

// AdminService.Import: persons' backlogs recorded as they stood before the
// deployment. Checked whole before anything is written (every field, then a
// dry run of the workflow over each new person's events in effective-time
// order); then each person's events go into one atomic append (several events
// of one stream, AppendRequest::events) under the idempotency key
// "import/<person>", so rerunning the same lines records nothing twice and
// other lines for an already imported person are refused. Because a person's
// history is applied in one write, timers it shows were dealt with (a
// departure deadline followed by a departure) fire inside that write, before
// the event that dealt with them: no task for them is ever served.

#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/event_store.h"
#include "engine/workflow.h"
#include "returnpath/v1/services.pb.h"

namespace returnpath::engine {

// Most persons in one request, and events for one person.
inline constexpr int kMaxImportPersons = 1000;
inline constexpr int kMaxBacklogEvents = 1000;

// The idempotency key a person's import is written under.
std::string ImportKey(absl::string_view person_id);

// The person's events in effective-time order, ties in line order.
std::vector<v1::BacklogEvent> InEffectiveOrder(const v1::PersonBacklog& person);

// Every field of the request: INVALID_ARGUMENT naming the line and field;
// then the workflow's dry run for each person the store does not hold yet,
// its refusal (its own code) naming the person and line. Nothing is written.
absl::Status CheckImport(const v1::ImportRequest& request, EventStore& store,
                         const Workflow& workflow, absl::Time now);

// A check_only request: every field as CheckImport (INVALID_ARGUMENT), then
// per person CHECKED, ALREADY_PRESENT (the store holds them) or REFUSED with
// the rules' reason naming the line. Nothing is written.
absl::StatusOr<v1::ImportResponse> CheckOnly(const v1::ImportRequest& request,
                                             EventStore& store,
                                             const Workflow& workflow,
                                             absl::Time now);

// Writes each person of a checked request in one append each, without
// waiting; `done` runs once every person is answered (on the sequencer
// thread), with one outcome per person in the request's order, or with a
// storage failure (then the persons answered before it stand, and a rerun
// completes the rest).
void WriteImport(
    const v1::ImportRequest& request, EventStore& store,
    const std::string& principal,
    absl::AnyInvocable<void(absl::StatusOr<v1::ImportResponse>)> done);

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_BACKLOG_IMPORT_H_
