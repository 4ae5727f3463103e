#ifndef RETURNPATH_CLIENTS_LIB_EVENT_KINDS_H_
#define RETURNPATH_CLIENTS_LIB_EVENT_KINDS_H_

// The return pathway's domain events in the users' words, built from simple
// arguments ("--notified 2026-03-02"). One table describes every kind once:
// returnctl turns it into `register` and the `record <kind>` subcommands with
// their help, and programs and tests build the same events from it.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/lib/event_args.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/message.h"
#include "returnpath/v1/pathway.pb.h"

namespace returnpath::client {

// A built event: the domain message packed as Any, and the legal date it
// carries (notified_on, lodged_on, ...), which sets the effective time.
struct BuiltEvent {
  google::protobuf::Any event;
  std::optional<v1::Date> legal_date;
};

struct EventKind {
  std::string name;     // "first-rejection"
  std::string message;  // "returnpath.v1.FirstRejection"
  std::string summary;  // one line for help
  // Each fills its field of the message (EventArgSpec::field).
  std::vector<EventArgSpec> args;
  // A correction carries the corrected event, built from its own kind.
  bool takes_replacement = false;
  // The argument whose date is the event's legal date ("notified"); empty
  // for kinds without one.
  std::string legal_date;
  // What the table cannot say (a rule across arguments, a value read by
  // hand), run after the fields are filled; null for most kinds.
  // `replacement` is set only for kinds that take one.
  absl::Status (*finish)(const EventArgs& args, const BuiltEvent* replacement,
                         google::protobuf::Message* event) = nullptr;
};

// "register" (PersonRegistered) first, then every kind `record` takes.
const std::vector<EventKind>& EventKinds();
const EventKind* FindEventKind(absl::string_view name);

// Checks required arguments (INVALID_ARGUMENT naming the option) and builds.
// `args` must hold "person" for kinds that name the person (register).
absl::StatusOr<BuiltEvent> BuildEvent(const EventKind& kind,
                                      const EventArgs& args,
                                      const BuiltEvent* replacement = nullptr);
absl::StatusOr<BuiltEvent> BuildEvent(absl::string_view kind,
                                      const EventArgs& args,
                                      const BuiltEvent* replacement = nullptr);

// The effective time to send: `explicit_time` if given (INVALID_ARGUMENT if
// its Oslo date differs from the event's legal date), else 00:00 Europe/Oslo
// on the legal date, else `now` (the daemon's clock).
absl::StatusOr<absl::Time> ResolveEffectiveTime(
    const BuiltEvent& event, std::optional<absl::Time> explicit_time,
    absl::Time now);

// Forces every domain message into the binary so Any payloads and the
// pathway state can be unpacked and printed as JSON. Idempotent.
void LinkDomainMessages();

}  // namespace returnpath::client

#endif  // RETURNPATH_CLIENTS_LIB_EVENT_KINDS_H_
