// audit ...: what auditors ask, answered from history alone: a person's
// timeline, the global log, the pathway as of a time, chain verification,
// replay check, monthly statistics, the access log and a live feed.

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "clients/lib/event_text.h"
#include "clients/lib/time_text.h"
#include "clients/returnctl/commands.h"
#include "clients/returnctl/output.h"
#include "clients/returnctl/pathway_text.h"
#include "clients/returnctl/session.h"

namespace returnpath::returnctl {
namespace {

// Streams events into a timeline (or JSON lines as they come).
int RunEvents(
    Session& s, bool with_person,
    const std::function<absl::Status(client::OnMessage<v1::EventEnvelope>)>&
        read) {
  std::vector<v1::EventEnvelope> events;
  int exit = kExitOk;
  absl::Status status = read([&](const v1::EventEnvelope& event) {
    if (s.json()) {
      exit = s.Json(event);
      return exit == kExitOk;
    }
    events.push_back(event);
    return true;
  });
  if (!status.ok()) return s.Fail(status);
  if (s.json()) return exit;
  PrintTimeline(events, with_person, s.out());
  s.out() << events.size() << (events.size() == 1 ? " event" : " events")
          << " (times Europe/Oslo)\n";
  return kExitOk;
}

int RunHistory(const Args& args, Session& s) {
  int exit = kExitOk;
  v1::HistoryRequest request;
  request.set_person_id(args.Get("person"));
  std::optional<uint64_t> from = s.NumberOption(args, "from-version", &exit);
  if (exit != kExitOk) return exit;
  request.set_from_version(from.value_or(0));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  uint64_t last = 0;
  bool erased = false;
  const int events =
      RunEvents(s, false, [&](client::OnMessage<v1::EventEnvelope> on) {
        return client->History(request, [&](const v1::EventEnvelope& event) {
          last = std::max(last, event.position());
          erased = erased || event.payload().Is<v1::StreamErased>();
          return on(event);
        });
      });
  // An erased person's pathway, where the moves were kept, is gone.
  if (events != kExitOk || s.json() || last == 0 || erased) return events;
  // What the events moved is kept in the pathway, not in the events.
  v1::AsOfRequest as_of;
  as_of.set_person_id(request.person_id());
  as_of.set_position(last);
  absl::StatusOr<v1::PathwayView> view = client->PathwayAsOf(as_of);
  if (!view.ok()) return s.Fail(view.status());
  v1::PathwayState state;
  if (view->state().UnpackTo(&state)) PrintMoves(state, 0, s.out());
  return kExitOk;
}

int RunLog(const Args& args, Session& s) {
  int exit = kExitOk;
  v1::LogRequest request;
  std::optional<uint64_t> from = s.NumberOption(args, "from", &exit);
  if (exit != kExitOk) return exit;
  std::optional<uint64_t> limit = s.NumberOption(args, "limit", &exit);
  if (exit != kExitOk) return exit;
  request.set_from_position(from.value_or(0));
  request.set_limit(limit.value_or(0));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  return RunEvents(s, true, [&](client::OnMessage<v1::EventEnvelope> on) {
    return client->Log(request, on);
  });
}

int RunSubscribe(const Args& args, Session& s) {
  int exit = kExitOk;
  v1::SubscribeEventsRequest request;
  std::optional<uint64_t> from = s.NumberOption(args, "from", &exit);
  if (exit != kExitOk) return exit;
  std::optional<uint64_t> count = s.NumberOption(args, "count", &exit);
  if (exit != kExitOk) return exit;
  request.set_from_position(from.value_or(0));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  uint64_t seen = 0;
  absl::Status status =
      client->SubscribeEvents(request, [&](const v1::EventEnvelope& event) {
        if (s.json()) {
          if (s.Json(event) != kExitOk) return false;
        } else {
          s.out() << event.position() << "  " << event.stream_id() << " v"
                  << event.stream_version() << "  "
                  << EffectiveText(event.effective_time()) << "  "
                  << EventText(event) << "  (" << event.principal()
                  << ")\n";
          s.out().flush();
        }
        ++seen;
        return !count.has_value() || seen < *count;
      });
  if (!status.ok()) return s.Fail(status);
  return kExitOk;
}

int RunAsOf(const Args& args, Session& s) {
  int exit = kExitOk;
  v1::AsOfRequest request;
  request.set_person_id(args.Get("person"));
  const int given =
      args.Has("date") + args.Has("position") + args.Has("recorded");
  if (given != 1)
    return s.Usage("give exactly one of --date, --position, --recorded");
  std::string label;
  if (args.Has("date")) {
    std::optional<absl::Time> at =
        s.TimeOption(args, "date", /*end_of_day=*/true, &exit);
    if (exit != kExitOk) return exit;
    *request.mutable_effective_time() = client::ToTimestamp(*at);
    label =
        absl::StrCat("what had legally happened by ", client::TimeText(*at));
  } else if (args.Has("recorded")) {
    std::optional<absl::Time> at =
        s.TimeOption(args, "recorded", /*end_of_day=*/true, &exit);
    if (exit != kExitOk) return exit;
    *request.mutable_recorded_time() = client::ToTimestamp(*at);
    label = absl::StrCat("what staff knew at ", client::TimeText(*at));
  } else {
    std::optional<uint64_t> position = s.NumberOption(args, "position", &exit);
    if (exit != kExitOk) return exit;
    request.set_position(*position);
    label = absl::StrCat("what the engine knew at position ", *position);
  }
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::StatusOr<v1::PathwayView> view = client->PathwayAsOf(request);
  if (!view.ok()) return s.Fail(view.status());
  if (s.json()) return s.Json(*view);
  s.out() << "As of " << label << " (Europe/Oslo):\n";
  PrintPathway(*view, s.out());
  return kExitOk;
}

int RunVerify(const Args& args, Session& s) {
  int exit = kExitOk;
  v1::VerifyRequest request;
  std::optional<uint64_t> from = s.NumberOption(args, "from", &exit);
  if (exit != kExitOk) return exit;
  std::optional<uint64_t> to = s.NumberOption(args, "to", &exit);
  if (exit != kExitOk) return exit;
  request.set_from_position(from.value_or(0));
  request.set_to_position(to.value_or(0));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  std::optional<v1::VerifyOutcome> outcome;
  {
    Progress progress("verify");
    absl::Status status =
        client->Verify(request, [&](const v1::VerifyResponse& response) {
          if (response.has_progress()) {
            progress.Update(response.progress().done(),
                            response.progress().total());
          } else if (response.has_outcome()) {
            outcome = response.outcome();
          }
          return true;
        });
    if (!status.ok()) return s.Fail(status);
  }
  if (!outcome.has_value()) {
    s.err() << "returnctl: the daemon ended verify without an outcome\n";
    return kExitRefused;
  }
  if (s.json()) {
    exit = s.Json(*outcome);
    if (exit != kExitOk) return exit;
  } else if (outcome->ok()) {
    s.out() << "OK: " << outcome->message() << " (" << outcome->checked()
            << " events checked; chain head "
            << client::ShortHash(outcome->chain_head()) << ")\n";
  } else if (outcome->first_bad_position() == 0) {
    s.out() << "PROBLEM: " << outcome->message() << "\n";
  } else {
    s.out() << "PROBLEM at position " << outcome->first_bad_position() << ": "
            << outcome->message() << " (" << outcome->checked()
            << " events checked before it)\n";
  }
  return outcome->ok() ? kExitOk : kExitProblemFound;
}

int RunReplayCheck(const Args& args, Session& s) {
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  std::optional<v1::ReplayOutcome> outcome;
  uint64_t differences = 0;
  int exit = kExitOk;
  {
    Progress progress("replay-check");
    absl::Status status = client->ReplayCheck(
        v1::ReplayCheckRequest(), [&](const v1::ReplayCheckResponse& r) {
          if (r.has_progress()) {
            progress.Update(r.progress().done(), r.progress().total());
            return true;
          }
          if (r.has_difference()) {
            ++differences;
            if (s.json()) {
              exit = s.Json(r.difference());
            } else {
              s.out() << "DIFFERENCE " << r.difference().person_id() << " ("
                      << r.difference().what()
                      << "): " << r.difference().detail() << "\n";
            }
          }
          if (r.has_outcome()) outcome = r.outcome();
          return exit == kExitOk;
        });
    if (!status.ok()) return s.Fail(status);
  }
  if (exit != kExitOk) return exit;
  if (!outcome.has_value()) {
    s.err() << "returnctl: the daemon ended replay-check without an outcome\n";
    return kExitRefused;
  }
  if (s.json()) {
    exit = s.Json(*outcome);
    if (exit != kExitOk) return exit;
  } else {
    s.out() << "replayed " << outcome->streams() << " pathways, "
            << outcome->events() << " events: "
            << (outcome->differences() == 0
                    ? "no differences"
                    : absl::StrCat(outcome->differences(), " differences"))
            << "\n";
  }
  return outcome->differences() == 0 && differences == 0 ? kExitOk
                                                         : kExitProblemFound;
}

int RunStats(const Args& args, Session& s) {
  v1::StatisticsRequest request;
  const int exit = SetTimeRange(args, s, &request);
  if (exit != kExitOk) return exit;
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::StatusOr<v1::StatisticsResponse> response = client->Statistics(request);
  if (!response.ok()) return s.Fail(response.status());
  if (s.json()) return s.Json(*response);
  // category -> month -> group -> count
  std::map<std::string, std::map<std::string, std::map<std::string, uint64_t>>>
      cells;
  std::map<std::string, std::set<std::string>> groups;
  for (const v1::StatisticsRow& row : response->rows()) {
    cells[row.category()][row.month()][row.group()] += row.count();
    groups[row.category()].insert(row.group());
  }
  if (cells.empty()) {
    s.out() << "no events in the period\n";
    return kExitOk;
  }
  for (const auto& [category, months] : cells) {
    s.out() << category
            << " (per month of the effective date, by nationality)\n";
    std::vector<std::string> headers = {"MONTH"};
    for (const std::string& group : groups[category]) {
      headers.push_back(group.empty() ? "?" : group);
    }
    headers.push_back("TOTAL");
    Table table(headers);
    std::map<std::string, uint64_t> column_totals;
    uint64_t grand = 0;
    for (const auto& [month, by_group] : months) {
      std::vector<std::string> row = {month};
      uint64_t total = 0;
      for (const std::string& group : groups[category]) {
        auto it = by_group.find(group);
        const uint64_t count = it == by_group.end() ? 0 : it->second;
        row.push_back(absl::StrCat(count));
        total += count;
        column_totals[group] += count;
      }
      row.push_back(absl::StrCat(total));
      grand += total;
      table.AddRow(std::move(row));
    }
    std::vector<std::string> totals = {"TOTAL"};
    for (const std::string& group : groups[category]) {
      totals.push_back(absl::StrCat(column_totals[group]));
    }
    totals.push_back(absl::StrCat(grand));
    table.AddRow(std::move(totals));
    table.Print(s.out(), "  ");
    s.out() << "\n";
  }
  return kExitOk;
}

int RunAccessLog(const Args& args, Session& s) {
  int exit = kExitOk;
  v1::AccessLogRequest request;
  request.set_person_id(args.Get("person"));
  request.set_principal(args.Get("principal"));
  std::optional<uint64_t> limit = s.NumberOption(args, "limit", &exit);
  if (exit != kExitOk) return exit;
  exit = SetTimeRange(args, s, &request);
  if (exit != kExitOk) return exit;
  request.set_limit(limit.value_or(0));
  request.set_page_token(args.Get("page-token"));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::StatusOr<v1::AccessLogResponse> response = client->AccessLog(request);
  if (!response.ok()) return s.Fail(response.status());
  if (s.json()) return s.Json(*response);
  Table table(
      {"#", "TIME", "PRINCIPAL", "ROLE", "METHOD", "PERSON", "PURPOSE"});
  for (const v1::AccessRecord& record : response->records()) {
    table.AddRow({absl::StrCat(record.sequence()),
                  client::TimeText(record.time()), record.principal(),
                  record.role(), record.method(),
                  record.person_id().empty() ? "-" : record.person_id(),
                  record.purpose().empty() ? "-" : record.purpose()});
  }
  table.Print(s.out());
  s.out() << response->records_size()
          << " records, newest first (times Europe/Oslo)\n";
  if (!response->next_page_token().empty()) {
    s.out() << "more: --page-token " << response->next_page_token() << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddAuditCommands(CommandTable* table) {
  table->Add({"audit history",
              "a person's timeline: effective date, recorded time, principal, "
              "policy, hash, "
              "event",
              {{"person", "ID", "the person (case number)", true},
               {"from-version", "N", "start at this version (default 1)"}},
              "",
              "",
              RunHistory});
  table->Add({"audit log",
              "every event in global order",
              {{"from", "POSITION", "start here (default 1)"},
               {"limit", "N", "at most N events (default: to the end)"}},
              "",
              "",
              RunLog});
  table->Add(
      {"audit as-of",
       "a person's pathway as it stood at a time or position",
       {{"person", "ID", "the person (case number)", true},
        {"date", "DATE|TIME",
         "what had legally happened by then (a date: by the end of that day)"},
        {"position", "N", "what the engine knew at this log position"},
        {"recorded", "DATE|TIME",
         "what staff knew at that time (a date: by the end of that day)"}},
       "Give exactly one of --date, --position, --recorded.",
       "",
       RunAsOf});
  table->Add({"audit verify",
              "check that no stored event or access record was altered or "
              "removed (hashes and chains; the access log when checking to "
              "the end); exit 4 if one was",
              {{"from", "POSITION", "first position (default 1)"},
               {"to", "POSITION", "last position (default: the end)"}},
              "",
              "",
              RunVerify});
  table->Add({"audit replay-check",
              "rebuild every pathway from its history and compare with the "
              "stored one; exit 4 "
              "on a difference",
              {},
              "",
              "",
              RunReplayCheck});
  table->Add({"audit stats",
              "assisted returns, forced returns, disappearances ... per month "
              "and nationality",
              {{"from", "DATE", "effective from (inclusive)"},
               {"to", "DATE", "effective to (exclusive)"}},
              "",
              "",
              RunStats});
  table->Add({"audit access-log",
              "who read which person's data, when, how and why (newest "
              "first, one page at a time)",
              {{"person", "ID", "only reads of this person"},
               {"principal", "NAME", "only reads by this principal"},
               {"from", "DATE|TIME", "only reads at or after this time"},
               {"to", "DATE|TIME", "only reads before this time"},
               {"limit", "N", "records per page (default 100, at most 1000)"},
               {"page-token", "TOKEN", "the next page, as the last one said"}},
              "Reading the access log is itself logged, for each person it "
              "shows.",
              "",
              RunAccessLog});
  table->Add({"audit subscribe",
              "follow the event log live (catches up first)",
              {{"from", "POSITION", "start here (default 1)"},
               {"count", "N", "stop after N events"}},
              "",
              "",
              RunSubscribe});
}

}  // namespace returnpath::returnctl
