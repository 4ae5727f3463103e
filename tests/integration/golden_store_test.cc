// A store written by an earlier release (tests/golden/make_store_v1.sh) opens
// under today's daemon: it is migrated to the workflow's state schema before
// serving, and every person reads as the earlier release showed them, but
// for the names of what their events opened: those numbered the event by
// its global position, and number it by the person's own version since
// state schema 2 ("relocate-14" became "relocate-v3").

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

const char kGolden[] = GOLDEN_STORE_DIR;

// Position -> version of each event a timeline (`audit history`) lists.
std::map<uint64_t, uint64_t> VersionsByPosition(const std::string& timeline) {
  std::map<uint64_t, uint64_t> out;
  for (absl::string_view line : absl::StrSplit(timeline, '\n')) {
    std::vector<absl::string_view> f =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    uint64_t position = 0, version = 0;
    if (f.size() > 2 && absl::SimpleAtoi(f[0], &position) &&
        absl::SimpleAtoi(f[1], &version)) {
      out[position] = version;
    }
  }
  return out;
}

std::vector<std::string> SortedLines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  std::sort(lines.begin(), lines.end());
  return lines;
}

// `shown` (what the earlier release printed) with the names and sentences
// that numbered events by position numbering them by version, and runs of
// spaces (table alignment) as one. The first line ("last position") stays.
std::string AsSchemaTwo(const std::string& shown,
                        const std::map<uint64_t, uint64_t>& versions) {
  static const std::regex numbered(
      "(appeal-window|child-info|conversation|deadline-follow-up|"
      "departure-deadline|disappeared|escalation|household-share|"
      "iom-follow-up|place-release|police-referral|relocate|review)-([0-9]+)|"
      "~([0-9]+)|position ([0-9]+)");
  auto version = [&](const std::string& position) {
    const auto it = versions.find(std::stoull(position));
    return it == versions.end() ? std::string("?") : absl::StrCat(it->second);
  };
  const size_t body = shown.find('\n') + 1;
  std::string out = shown.substr(0, body);
  std::string rest = shown.substr(body);
  std::smatch m;
  while (std::regex_search(rest, m, numbered)) {
    out += m.prefix().str();
    if (m[1].matched) {
      absl::StrAppend(&out, m[1].str(), "-v", version(m[2].str()));
    } else if (m[3].matched) {
      absl::StrAppend(&out, "~v", version(m[3].str()));
    } else {
      absl::StrAppend(&out, "version ", version(m[4].str()));
    }
    rest = m.suffix().str();
  }
  out += rest;
  return std::regex_replace(out, std::regex(" +"), " ");
}

class GoldenStoreTest : public IntegrationTest {
 protected:
  DaemonOptions Options() const override {
    DaemonOptions options =
        WithPrincipals({{"golden", v1::ROLE_RECEPTION, {"*"}},
                        {"auditor", v1::ROLE_AUDITOR, {"*"}},
                        {"admin", v1::ROLE_ADMIN, {}}});
    // Where the script left the clock; the adviser's 12-hour lease still runs.
    options.clock_start = "2026-06-30T22:00:00Z";
    options.prepare_data_dir = [](const std::string& data_dir) {
      std::error_code error;
      std::filesystem::copy(absl::StrCat(kGolden, "/store"),
                            absl::StrCat(data_dir, "/store"),
                            std::filesystem::copy_options::recursive, error);
      if (error) {
        return absl::InternalError(
            absl::StrCat("cannot copy the golden store: ", error.message()));
      }
      return absl::OkStatus();
    };
    return options;
  }

  ProcessResult CtlWith(const std::string& name,
                        std::vector<std::string> args) {
    args.insert(args.begin(), {"--token", daemon().Token(name)});
    return Ctl(args);
  }
};

TEST_F(GoldenStoreTest, MigratesThenShowsEveryPersonAsTheOldReleaseDid) {
  EXPECT_THAT(daemon().LogTail(),
              HasSubstr("migrated the store to state schema "
                        "\\\"returnpath.v1.PathwayState/3\\\": 10 streams"));
  int persons = 0;
  for (const auto& file : std::filesystem::directory_iterator(
           absl::StrCat(kGolden, "/expected"))) {
    const std::string person = file.path().stem();
    ProcessResult shown = CtlWith("golden", {"show", "--person", person});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    ProcessResult timeline =
        CtlWith("auditor", {"audit", "history", "--person", person});
    ASSERT_EQ(timeline.exit_code, 0) << timeline.err;
    // Tasks are listed by name, which now sorts differently: lines compare
    // as sets.
    EXPECT_THAT(
        SortedLines(std::regex_replace(shown.out, std::regex(" +"), " ")),
        ::testing::ElementsAreArray(SortedLines(AsSchemaTwo(
            process::ReadFile(file.path()), VersionsByPosition(timeline.out)))))
        << person;
    ++persons;
  }
  // Their tasks' states are in what `show` prints: the adviser's lease is
  // still held.
  EXPECT_EQ(persons, 10);

  ProcessResult verified = CtlWith("auditor", {"audit", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  ProcessResult rebuilt = CtlWith("auditor", {"audit", "replay-check"});
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.out << rebuilt.err;
  EXPECT_THAT(rebuilt.out, HasSubstr("no differences"));
}

TEST_F(GoldenStoreTest, ChainsTheAccessLogTheOldReleaseWrote) {
  // The script's adviser polled a task, and its auditor read the whole log.
  v1::AccessLogRequest by_adviser;
  by_adviser.set_principal("adviser");
  absl::StatusOr<v1::AccessLogResponse> polled =
      WithToken(daemon().Token("auditor"))->AccessLog(by_adviser);
  RP_ASSERT_OK(polled);
  ASSERT_EQ(polled->records_size(), 1) << polled->DebugString();
  EXPECT_EQ(polled->records(0).method(), "PollTasks");
  EXPECT_EQ(polled->records(0).role(), "ROLE_ADVISER");
  EXPECT_FALSE(polled->records(0).person_id().empty());
  v1::AccessLogRequest by_auditor;
  by_auditor.set_principal("auditor");
  absl::StatusOr<v1::AccessLogResponse> read =
      WithToken(daemon().Token("auditor"))->AccessLog(by_auditor);
  RP_ASSERT_OK(read);
  int whole_log_reads = 0;
  for (const v1::AccessRecord& record : read->records()) {
    whole_log_reads += record.method() == "Log";
  }
  EXPECT_EQ(whole_log_reads, 10);  // one for each person

  ProcessResult verified = CtlWith("auditor", {"audit", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("records, chain and indexes intact"));
}

}  // namespace
}  // namespace returnpath::integration
