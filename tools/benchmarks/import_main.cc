// Suite 9: import. A deployment starts with the persons already mid-pathway
// (autumn 2010: about 3,300 with a final rejection living in reception).
// Writes the SYNTHETIC population as it stood on a day as an import file
// (import_file.h: 3,300 persons, --quick 330), starts returnpathd with a
// manual clock at that day, drops the persons the daemon's check refuses
// (`returnctl admin import --check`), and times `returnctl admin import
// FILE` end to end (reading, checking every line and every person, the
// writes), then the rerun that finds every person already present.

#include <set>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "engine/status_macros.h"
#include "tools/benchmarks/common.h"
#include "tools/benchmarks/daemon.h"
#include "tools/benchmarks/import_file.h"
#include "tools/benchmarks/population.h"

ABSL_FLAG(std::string, returnctl, "build/clients/returnctl/returnctl",
          "the returnctl binary that imports");

namespace returnpath::bench {
namespace {

constexpr absl::CivilDay kToday(2013, 9, 2);

// The persons `--check` refused ("FILE:LINE: person ID: why" lines).
std::set<std::string> RefusedPersons(const std::string& err) {
  std::set<std::string> refused;
  for (absl::string_view line : absl::StrSplit(err, '\n')) {
    const size_t at = line.find(": person ");
    if (at == absl::string_view::npos) continue;
    absl::string_view rest = line.substr(at + 9);
    refused.insert(std::string(rest.substr(0, rest.find(':'))));
  }
  return refused;
}

// The file without the lines of `persons`.
ImportFile Without(const ImportFile& file,
                   const std::set<std::string>& persons) {
  ImportFile out;
  std::set<std::string> kept;
  for (absl::string_view line : absl::StrSplit(file.text, '\n')) {
    if (line.empty()) continue;
    const size_t start = line.find("\"person\":\"") + 10;
    const std::string person(line.substr(start, line.find('"', start) - start));
    if (persons.count(person) != 0) continue;
    absl::StrAppend(&out.text, line, "\n");
    ++out.events;
    kept.insert(person);
  }
  out.persons = kept.size();
  return out;
}

absl::Status Run(SuiteReport& report) {
  const size_t persons = absl::GetFlag(FLAGS_quick) ? 330 : 3300;
  RP_ASSIGN_OR_RETURN(ImportFile generated,
                      PopulationAsImportFile(persons, kToday));
  RP_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("import"));
  const std::string path = dir.path() + "/backlog.jsonl";
  RP_RETURN_IF_ERROR(WriteStringToFile(path, generated.text));
  RP_ASSIGN_OR_RETURN(
      Daemon daemon,
      StartDaemon(
          dir.path() + "/data",
          {"--clock=manual",
           absl::StrCat("--clock_start=",
                        absl::FormatTime(absl::RFC3339_sec, At(kToday, 12),
                                         absl::UTCTimeZone()))},
          absl::GetFlag(FLAGS_log_dir) + "/returnpathd-9.log",
          absl::Minutes(2)));
  const std::vector<std::string> import = {
      absl::GetFlag(FLAGS_returnctl),
      absl::StrCat("--server=127.0.0.1:", daemon.port),
      absl::StrCat("--token_file=", daemon.data_dir, "/tokens/admin.token"),
      "--timeout=5m",
      "admin",
      "import",
      path};

  std::vector<std::string> check = import;
  check.push_back("--check");
  const process::ProcessResult checked =
      process::RunProcess(check, absl::Minutes(10));
  const std::set<std::string> refused = RefusedPersons(checked.err);
  const ImportFile file = Without(generated, refused);
  RP_RETURN_IF_ERROR(WriteStringToFile(path, file.text));
  // Kept beside the logs: the file a failure is about.
  RP_RETURN_IF_ERROR(WriteStringToFile(
      absl::GetFlag(FLAGS_log_dir) + "/import-backlog.jsonl", file.text));
  report.Add("persons in the file", static_cast<double>(file.persons),
             "persons",
             absl::StrCat(refused.size(), " of ", generated.persons,
                          " generated left out: the rules refuse their "
                          "synthetic history"));
  report.Add("events in the file", static_cast<double>(file.events), "events",
             absl::StrCat(static_cast<double>(file.events) / file.persons,
                          " per person"));

  for (const char* run : {"import", "rerun (every person already present)"}) {
    const absl::Time start = absl::Now();
    const process::ProcessResult r =
        process::RunProcess(import, absl::Minutes(10));
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    if (r.exit_code != 0) {
      return absl::InternalError(
          absl::StrCat("returnctl admin import exited with ", r.exit_code, ": ",
                       r.err.substr(0, 2000)));
    }
    report.Add(absl::StrCat(run, ": wall time"), seconds, "s",
               absl::StrCat("returnctl says: ", r.out));
    report.Add(absl::StrCat(run, ": persons per second"),
               file.persons / seconds, "persons/s");
    report.Add(absl::StrCat(run, ": events per second"), file.events / seconds,
               "events/s");
  }
  report.Note(
      "End to end: returnctl reads the file, checks every line, asks the "
      "daemon to check every person (a dry run of the rules), then imports "
      "in requests of 200 persons, one atomic write per person; the daemon "
      "fsyncs every group. The daemon's manual clock stands at the file's "
      "day, so timers the imported histories left past due fire as the "
      "import goes on.");
  return absl::OkStatus();
}

}  // namespace
}  // namespace returnpath::bench

int main(int argc, char** argv) {
  return returnpath::bench::SuiteMain(argc, argv, 9,
                                      "Import (3,300 persons mid-pathway)",
                                      returnpath::bench::Run);
}
