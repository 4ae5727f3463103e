// register and record <event>: one subcommand per domain event kind, built
// from the client library's event table so options and help are declared once.

#include <optional>

#include "absl/strings/str_cat.h"
#include "clients/lib/event_kinds.h"
#include "clients/returnctl/commands.h"
#include "clients/returnctl/session.h"

namespace returnpath::returnctl {
namespace {

using client::BuiltEvent;
using client::EventKind;

std::vector<Option> ToOptions(const EventKind& kind) {
  std::vector<Option> options;
  for (const client::EventArgSpec& spec : kind.args) {
    options.push_back(
        {spec.name, spec.value_name, spec.help, spec.required, spec.repeated});
  }
  return options;
}

std::vector<Option> RecordOptions(const EventKind& kind) {
  std::vector<Option> options = {
      {"person", "ID", "the person (case number)", true},
  };
  for (Option& option : ToOptions(kind)) options.push_back(std::move(option));
  std::vector<Option> common = {
      {"effective", "TIME",
       "when it happened legally: a date (00:00 Europe/Oslo) or an RFC 3339 "
       "time; default: "
       "the event's own date, else the daemon's clock"},
      {"expected-version", "N",
       "the version you last saw (ABORTED if the pathway moved on); 0: a new "
       "person"},
      {"idempotency-key", "KEY",
       "a retry with the same key records nothing new"},
      {"correlation-id", "ID", "ties related commands together in the log"},
  };
  options.insert(options.end(), common.begin(), common.end());
  return options;
}

client::EventArgs ToEventArgs(const Args& args) {
  client::EventArgs out;
  for (const auto& [name, values] : args.values()) {
    for (const std::string& value : values) out.Add(name, value);
  }
  return out;
}

// The corrected event after `--`: "<kind> [options]".
int BuildReplacement(const Args& args, Session& s,
                     std::optional<BuiltEvent>* out) {
  const std::vector<std::string>& rest = args.rest();
  if (rest.empty())
    return s.Usage(
        "give the corrected event after --, e.g. -- appeal --lodged "
        "2026-03-10");
  const EventKind* kind = client::FindEventKind(rest[0]);
  if (kind == nullptr || kind->name == "correction" ||
      kind->name == "retraction") {
    return s.Usage(absl::StrCat(
        "'", rest[0], "' after -- is not an event kind to correct to"));
  }
  Args replacement_args;
  std::string error =
      ParseOptions(ToOptions(*kind), rest, 1, &replacement_args);
  if (!error.empty())
    return s.Usage(absl::StrCat("the corrected ", kind->name, ": ", error));
  client::EventArgs event_args = ToEventArgs(replacement_args);
  event_args.Add("person", args.Get("person"));
  absl::StatusOr<BuiltEvent> built = client::BuildEvent(*kind, event_args);
  if (!built.ok()) return s.Usage(built.status().message());
  *out = *std::move(built);
  return kExitOk;
}

int RunRecord(const EventKind& kind, const Args& args, Session& s) {
  std::optional<BuiltEvent> replacement;
  if (kind.takes_replacement) {
    int exit = BuildReplacement(args, s, &replacement);
    if (exit != kExitOk) return exit;
  }
  absl::StatusOr<BuiltEvent> event =
      client::BuildEvent(kind, ToEventArgs(args),
                         replacement.has_value() ? &*replacement : nullptr);
  if (!event.ok()) return s.Usage(event.status().message());

  int exit = kExitOk;
  client::RecordOptions options;
  options.effective_time =
      s.TimeOption(args, "effective", /*end_of_day=*/false, &exit);
  if (exit != kExitOk) return exit;
  options.expected_version = s.NumberOption(args, "expected-version", &exit);
  if (exit != kExitOk) return exit;
  options.idempotency_key = args.Get("idempotency-key");
  options.correlation_id = args.Get("correlation-id");
  if (options.effective_time.has_value()) {
    absl::StatusOr<absl::Time> checked = client::ResolveEffectiveTime(
        *event, options.effective_time, absl::InfinitePast());
    if (!checked.ok()) return s.Usage(checked.status().message());
  }

  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  const std::string person = args.Get("person");
  absl::StatusOr<v1::RecordEventResponse> response =
      client->Record(person, *event, options);
  if (!response.ok()) return s.Fail(response.status());
  if (s.json()) return s.Json(*response);
  s.out() << (kind.name == "register"
                  ? "registered "
                  : absl::StrCat("recorded ", kind.name, " for "))
          << person << ": version " << response->version() << ", position "
          << response->position();
  if (response->deduplicated()) {
    s.out()
        << " (already recorded by an earlier call with this idempotency key)";
  }
  s.out() << "\n";
  return kExitOk;
}

}  // namespace

void AddRecordCommands(CommandTable* table) {
  for (const EventKind& kind : client::EventKinds()) {
    Command command;
    command.path = kind.name == "register" ? "register"
                                           : absl::StrCat("record ", kind.name);
    command.summary = kind.summary;
    command.options = RecordOptions(kind);
    command.details =
        absl::StrCat("Records a ", kind.message,
                     " in the person's history (role reception, or police for "
                     "the events it may record).");
    if (kind.takes_replacement) {
      command.rest_usage = "-- <event> [its options]";
      absl::StrAppend(&command.details,
                      "\nAfter -- give the event as it should have been, e.g.\n"
                      "  returnctl record correction --person P-1 --position 7 "
                      "--reason typo "
                      "-- first-rejection --notified 2026-03-03");
    }
    command.run = [&kind](const Args& args, Session& s) {
      return RunRecord(kind, args, s);
    };
    table->Add(std::move(command));
  }
}

}  // namespace returnpath::returnctl
