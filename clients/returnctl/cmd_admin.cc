// admin ...: the daemon's clock (advancing it works only with --clock=manual).

#include "absl/strings/str_cat.h"
#include "clients/lib/time_text.h"
#include "clients/returnctl/commands.h"
#include "clients/returnctl/session.h"

namespace returnpath::returnctl {
namespace {

int PrintClock(absl::StatusOr<v1::ClockResponse> response, Session& s) {
  if (!response.ok()) return s.Fail(response.status());
  if (s.json()) return s.Json(*response);
  const absl::Time now = client::FromTimestamp(response->now());
  s.out() << client::TimeText(now) << " Europe/Oslo ("
          << absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", now, absl::UTCTimeZone())
          << ")\n";
  return kExitOk;
}

int RunNow(const Args& args, Session& s) {
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::StatusOr<absl::Time> now = client->Now();
  if (!now.ok()) return s.Fail(now.status());
  v1::ClockResponse response;
  *response.mutable_now() = client::ToTimestamp(*now);
  return PrintClock(response, s);
}

int RunAdvance(const Args& args, Session& s) {
  if (args.Has("by") == args.Has("until"))
    return s.Usage("give exactly one of --by, --until");
  int exit = kExitOk;
  v1::AdvanceClockRequest request;
  if (args.Has("by")) {
    std::optional<absl::Duration> by = s.DurationOption(args, "by", &exit);
    if (exit != kExitOk) return exit;
    *request.mutable_by() = client::ToDurationProto(*by);
  } else {
    std::optional<absl::Time> until = s.TimeOption(args, "until", false, &exit);
    if (exit != kExitOk) return exit;
    *request.mutable_until() = client::ToTimestamp(*until);
  }
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  return PrintClock(client->AdvanceClock(request), s);
}

}  // namespace

void AddAdminCommands(CommandTable* table) {
  table->Add({"admin now", "the daemon's clock", {}, "", "", RunNow});
  table->Add({"admin advance-clock",
              "move the daemon's test clock forward; timers that come due fire "
              "(only with "
              "returnpathd --clock=manual)",
              {{"by", "DURATION", "e.g. 22d, 36h"},
               {"until", "DATE|TIME", "e.g. 2026-04-01 (00:00 Europe/Oslo)"}},
              "Give exactly one of --by, --until.",
              "",
              RunAdvance});
}

}  // namespace returnpath::returnctl
