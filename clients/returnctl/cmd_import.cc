// admin import FILE: persons' backlogs from a JSON lines or CSV file
// (clients/lib/backlog_file.h), checked whole, then sent in batches of persons
// (AdminService.Import), with progress once a second and a summary.

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/read_file.h"
#include "clients/lib/backlog_file.h"
#include "clients/lib/connection.h"
#include "clients/returnctl/commands.h"
#include "clients/returnctl/session.h"

namespace returnpath::returnctl {
namespace {

constexpr char kImportDetails[] =
    R"(One event per line: the person, the event kind (as `record` names it), the
effective time, and the fields (the kind's options without dashes).

JSON lines (.jsonl):
  {"person":"P-1","event":"register","effective":"2012-06-04","fields":{
     "household":"H-1","born":"1990-05-01","nationality":"AF",
     "centre":"Oslo-1","region":"oslo","dublin":false}}
  {"person":"P-1","event":"final-rejection","fields":{"notified":"2012-09-03"}}
  {"person":"P-1","event":"departure","effective":"2012-10-15T10:00:00+02:00",
     "fields":{"kind":"forced"}}
CSV (.csv): a header with `person`, `event`, optionally `effective`, and one
column per field used; an empty cell is not given; a switch is true or false;
repeated values are separated by `|`:
  person,event,effective,household,born,nationality,centre,region,notified,kind
  P-1,register,2012-06-04,H-1,1990-05-01,AF,Oslo-1,oslo,,
  P-1,final-rejection,,,,,,,2012-09-03,
  P-1,departure,2012-10-15T10:00:00+02:00,,,,,,,forced

`effective` is a date (00:00 Oslo) or an RFC 3339 time; a kind with a date of
its own (--notified, --lodged, --waived) may leave it out. Each person needs one
`register` line, the earliest. Lines may come in any order: each person's events
are recorded in effective-time order (ties in line order) in one atomic write.

Every line is checked first, then every person against the rules (a dry run
on the daemon); all problems are printed as FILE:LINE: ... and nothing is
written (exit 4). A person already imported from the same lines is left as it
is (rerunning a file records nothing twice); one imported from other lines, or
recorded outside an import, is refused and the others go on (exit 3).
Deadlines the file shows were met (a departure after the departure deadline)
open no task; those that were not open their task at once.)";

std::string Rate(size_t count, absl::Duration took) {
  const double seconds = std::max(absl::ToDoubleSeconds(took), 1e-6);
  return absl::StrFormat("%.0f", static_cast<double>(count) / seconds);
}

// What the batches did, so far.
struct Tally {
  size_t persons = 0, events = 0;  // answered
  size_t imported = 0, imported_events = 0, present = 0, refused = 0;
};

void Count(const v1::ImportResponse& response, const std::string& file,
           Tally* tally, Session& s) {
  for (const v1::PersonImportOutcome& outcome : response.outcomes()) {
    ++tally->persons;
    switch (outcome.result()) {
      case v1::IMPORT_RESULT_IMPORTED:
        ++tally->imported;
        tally->imported_events += outcome.events();
        break;
      case v1::IMPORT_RESULT_ALREADY_PRESENT:
        ++tally->present;
        break;
      default:
        ++tally->refused;
        s.err() << file << ":" << outcome.first_line() << ": person "
                << outcome.person_id() << " refused: " << outcome.reason()
                << "\n";
    }
  }
}

// The persons in requests of at most `batch` persons and about 2 MiB.
std::vector<v1::ImportRequest> Batches(const client::Backlog& backlog,
                                       size_t batch,
                                       const std::string& source) {
  std::vector<v1::ImportRequest> requests;
  size_t bytes = 0;
  for (const v1::PersonBacklog& person : backlog.persons) {
    const size_t size = person.ByteSizeLong();
    if (requests.empty() ||
        static_cast<size_t>(requests.back().persons_size()) >= batch ||
        bytes + size > (size_t{2} << 20)) {
      requests.emplace_back();
      requests.back().set_source(source);
      bytes = 0;
    }
    *requests.back().add_persons() = person;
    bytes += size;
  }
  return requests;
}

// Asks the daemon to check every person; prints each refusal. OK when none.
int CheckAll(std::vector<v1::ImportRequest> requests, const std::string& file,
             client::Client& client, Session& s, size_t* present) {
  size_t refused = 0;
  for (v1::ImportRequest& request : requests) {
    request.set_check_only(true);
    absl::StatusOr<v1::ImportResponse> checked = client.Import(request);
    if (!checked.ok()) return s.Fail(checked.status());
    for (const v1::PersonImportOutcome& outcome : checked->outcomes()) {
      if (outcome.result() == v1::IMPORT_RESULT_ALREADY_PRESENT) ++*present;
      if (outcome.result() != v1::IMPORT_RESULT_REFUSED) continue;
      ++refused;
      s.err() << file << ":" << outcome.line() << ": person "
              << outcome.person_id() << ": " << outcome.reason() << "\n";
    }
  }
  if (refused == 0) return kExitOk;
  s.err() << file << ": " << refused
          << " persons the rules refuse; nothing was written\n";
  return kExitProblemFound;
}

int RunImport(const Args& args, Session& s) {
  const std::string file = args.operand();
  absl::StatusOr<client::BacklogFormat> format =
      client::BacklogFormatOf(file, args.Get("format"));
  if (!format.ok()) return s.Usage(format.status().message());
  int exit = kExitOk;
  const std::optional<uint64_t> batch = s.NumberOption(args, "batch", &exit);
  if (exit != kExitOk) return exit;
  absl::StatusOr<std::string> text = engine::ReadFileText(file, "import file");
  if (!text.ok()) return s.Usage(text.status().message());

  const client::Backlog backlog = client::ReadBacklog(*text, *format);
  for (const client::BacklogError& error : backlog.errors)
    s.err() << file << ":" << error.line << ": " << error.message << "\n";
  if (!backlog.errors.empty()) {
    s.err() << file << ": " << backlog.errors.size()
            << " problems; nothing was written\n";
    return kExitProblemFound;
  }
  const std::string source = absl::StrCat(
      "import:", file.substr(file.size() > 100 ? file.size() - 100 : 0));
  std::vector<v1::ImportRequest> requests = Batches(
      backlog, std::clamp<uint64_t>(batch.value_or(200), 1, 1000), source);
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  size_t present = 0;
  exit = CheckAll(requests, file, *client, s, &present);
  if (exit != kExitOk || args.Has("check")) {
    if (exit == kExitOk) {
      s.out() << file << ": " << backlog.persons.size() << " persons, "
              << backlog.events << " events checked (" << present
              << " already in the store); nothing was written\n";
    }
    return exit;
  }

  Tally tally;
  const absl::Time start = absl::Now();
  absl::Time last_progress = start;
  for (const v1::ImportRequest& request : requests) {
    absl::StatusOr<v1::ImportResponse> response = client->Import(request);
    if (!response.ok()) return s.Fail(response.status());
    Count(*response, file, &tally, s);
    for (const v1::PersonBacklog& person : request.persons())
      tally.events += person.events_size();
    const absl::Time now = absl::Now();
    if (now - last_progress >= absl::Seconds(1)) {
      last_progress = now;
      s.err() << "imported " << tally.persons << "/" << backlog.persons.size()
              << " persons, " << tally.events << "/" << backlog.events
              << " events (" << Rate(tally.persons, now - start)
              << " persons/s, " << Rate(tally.events, now - start)
              << " events/s)\n";
    }
  }
  const absl::Duration took = absl::Now() - start;
  s.out() << file << ": imported " << tally.imported << " persons ("
          << tally.imported_events << " events), already present "
          << tally.present << ", refused " << tally.refused << "; "
          << Rate(tally.persons, took) << " persons/s, "
          << Rate(tally.events, took) << " events/s\n";
  return tally.refused == 0 ? kExitOk : kExitRefused;
}

}  // namespace

void AddImportCommands(CommandTable* table) {
  table->Add(
      {"admin import",
       "record persons' backlogs from a JSON lines or CSV file "
       "(administrators)",
       {{"format", "FORMAT", "jsonl or csv; default: by the file's extension"},
        {"batch", "N", "persons per request (1-1000); default 200"},
        {"check", "",
         "check the whole file with the daemon, write "
         "nothing"}},
       kImportDetails,
       "",
       RunImport,
       "FILE"});
}

}  // namespace returnpath::returnctl
