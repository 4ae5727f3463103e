// What an operator watches, after a known workload: the Prometheus endpoint
// (--metrics_listen) counts what happened, and the request log has one line
// per call with persons only as keyed hashes.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "engine/testing/test_store.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The body of GET /metrics on 127.0.0.1:`port` (HTTP/1.0: read to the end).
absl::StatusOr<std::string> Scrape(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    ::close(fd);
    return absl::UnavailableError("cannot connect to the metrics port");
  }
  const std::string request = "GET /metrics HTTP/1.0\r\n\r\n";
  (void)!::write(fd, request.data(), request.size());
  std::string response;
  char buffer[65536];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof(buffer))) > 0;) {
    response.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t body = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.1 200", 0) != 0 || body == std::string::npos) {
    return absl::UnavailableError("not a 200 answer: " +
                                  response.substr(0, 200));
  }
  return response.substr(body + 4);
}

// The value of the series `series` (name and labels exactly as exposed,
// e.g. `x_total{code="OK"}`); -1 if absent.
double Value(const std::string& metrics, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(metrics, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      double value = 0;
      if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) {
        return value;
      }
    }
  }
  return -1;
}

// The request log's lines (msg="request") in the daemon's output.
std::vector<std::string> RequestLines(const std::string& log) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    if (absl::StrContains(line, "msg=\"request\"")) {
      lines.emplace_back(line);
    }
  }
  return lines;
}

class MetricsTest : public IntegrationTest {
 protected:
  DaemonOptions Options() const override {
    DaemonOptions options = NationalTeam();
    // Tasks counted at each scrape, so a scrape shows what just happened.
    options.extra_flags = {"--metrics_listen=127.0.0.1:0",
                           "--metrics_tasks_every=0s"};
    return options;
  }

  int MetricsPort() {
    std::smatch match;
    const std::string log = daemon().LogTail(1 << 20);
    const std::regex serving("metrics_port=\"([0-9]+)\"");
    if (!std::regex_search(log, match, serving)) return 0;
    return std::stoi(match[1]);
  }

  std::string ScrapeOrFail() {
    absl::StatusOr<std::string> metrics = Scrape(MetricsPort());
    EXPECT_TRUE(metrics.ok()) << metrics.status();
    return metrics.ok() ? *metrics : "";
  }
};

constexpr char kRecordOk[] =
    "returnpath_rpc_requests_total{code=\"OK\",method=\"/"
    "returnpath.v1.PathwayService/RecordEvent\"}";
constexpr char kRecordDenied[] =
    "returnpath_rpc_requests_total{code=\"PERMISSION_DENIED\",method=\"/"
    "returnpath.v1.PathwayService/RecordEvent\"}";
constexpr char kPoliceOpen[] =
    "returnpath_tasks{queue=\"police/pu\",state=\"open\"}";

TEST_F(MetricsTest, AScrapeAfterAKnownWorkloadShowsItsCounts) {
  ASSERT_GT(MetricsPort(), 0) << daemon().LogTail();
  RP_ASSERT_OK(Register({.id = "P-31"}));
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T08:00:00Z")));
  RP_ASSERT_OK(Record("P-31", "final-rejection", {{"notified", "2026-03-02"}}));
  EXPECT_CODE(Record("P-31", "departure", {{"kind", "voluntary"}}, "auditor"),
              kPermissionDenied, "");

  const std::string before_reads = ScrapeOrFail();
  EXPECT_EQ(Value(before_reads, kRecordOk), 2);
  EXPECT_EQ(Value(before_reads, kRecordDenied), 1);
  EXPECT_EQ(Value(before_reads, kPoliceOpen), -1);  // no police task yet
  RP_ASSERT_OK(View("P-31"));
  RP_ASSERT_OK(View("P-31"));
  const std::string after_reads = ScrapeOrFail();
  EXPECT_EQ(Value(after_reads, "returnpath_access_log_records_total") -
                Value(before_reads, "returnpath_access_log_records_total"),
            2);
  EXPECT_EQ(Value(after_reads,
                  "returnpath_rpc_latency_seconds_count{method=\"/"
                  "returnpath.v1.PathwayService/GetPathway\"}"),
            2);

  // The departure deadline (2026-03-23) passes: the timer fires, the police
  // get a referral.
  const double fired_before =
      Value(after_reads, "returnpath_timers_fired_total");
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-24T06:00:00Z")));
  RP_ASSERT_OK(WaitForTimer("P-31", "departure_deadline"));
  const std::string after_deadline = ScrapeOrFail();
  EXPECT_GE(Value(after_deadline, "returnpath_timers_fired_total"),
            fired_before + 1);
  EXPECT_GE(Value(after_deadline, "returnpath_timer_firing_lag_seconds_count"),
            1);
  EXPECT_EQ(Value(after_deadline, kPoliceOpen), 1);
  EXPECT_EQ(Value(after_deadline, "returnpath_timers_due"), 0);
  // A fresh store: every event appended since start is the whole log.
  const double last = Value(after_deadline, "returnpath_last_position");
  EXPECT_GT(last, 2);
  EXPECT_EQ(Value(after_deadline, "returnpath_events_appended_total"), last);
  EXPECT_GE(
      Value(after_deadline, "returnpath_group_commits_total{result=\"ok\"}"),
      1);
  if (!engine::testing::TestStoreIsPostgres()) {  // the database's own disk
    EXPECT_GT(Value(after_deadline, "returnpath_free_disk_bytes"), 0);
  }
  EXPECT_EQ(Value(after_deadline, "returnpath_sequencer_queued_commands"), 0);
}

// A daemon counts tasks in the background (the default): a scrape serves the
// last count, with its age, and never waits for a new one.
class BackgroundTaskCountTest : public MetricsTest {
 protected:
  DaemonOptions Options() const override {
    DaemonOptions options = MetricsTest::Options();
    options.extra_flags = {"--metrics_listen=127.0.0.1:0",
                           "--metrics_tasks_every=1h"};
    return options;
  }
};

TEST_F(BackgroundTaskCountTest, AScrapeServesTheLastCountWithItsAge) {
  ASSERT_GT(MetricsPort(), 0) << daemon().LogTail();
  std::string metrics;
  for (int i = 0; i < 100; ++i) {  // the first count runs as the daemon starts
    metrics = ScrapeOrFail();
    if (Value(metrics, "returnpath_tasks_count_seconds") >= 0) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_GE(Value(metrics, "returnpath_tasks_count_seconds"), 0) << metrics;
  EXPECT_GE(Value(metrics, "returnpath_tasks_counted_seconds_ago"), 0);
  // A task opened now is not in the counts until the next one, an hour on.
  RP_ASSERT_OK(Register({.id = "P-32"}));
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T08:00:00Z")));
  RP_ASSERT_OK(Record("P-32", "final-rejection", {{"notified", "2026-03-02"}}));
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-24T06:00:00Z")));
  RP_ASSERT_OK(WaitForTimer("P-32", "departure_deadline"));
  EXPECT_EQ(Value(ScrapeOrFail(), kPoliceOpen), -1);
}

TEST_F(MetricsTest, EveryCallIsOneLogLineWithThePersonHashed) {
  RP_ASSERT_OK(Register({.id = "P-4711"}));
  EXPECT_CODE(Record("P-4711", "departure", {{"kind", "voluntary"}}, "auditor"),
              kPermissionDenied, "");
  RP_ASSERT_OK(View("P-4711"));
  const std::vector<std::string> lines =
      RequestLines(daemon().LogTail(1 << 20));
  int recorded = 0, refused = 0, read = 0;
  for (const std::string& line : lines) {
    EXPECT_THAT(line, Not(HasSubstr("P-4711"))) << line;
    EXPECT_THAT(line, HasSubstr("latency_ms=")) << line;
    if (!absl::StrContains(line, "PathwayService/")) continue;
    EXPECT_THAT(line, HasSubstr("persons=\"")) << line;
    if (absl::StrContains(line, "RecordEvent") &&
        absl::StrContains(line, "code=\"OK\"")) {
      ++recorded;
      EXPECT_THAT(line, HasSubstr("level=info"));
      EXPECT_THAT(line, HasSubstr("principal=\"reception\""));
    }
    if (absl::StrContains(line, "PERMISSION_DENIED")) {
      ++refused;
      EXPECT_THAT(line, HasSubstr("level=warning"));
      EXPECT_THAT(line, HasSubstr("principal=\"auditor\""));
      EXPECT_THAT(line, HasSubstr("reason=\""));
    }
    if (absl::StrContains(line, "GetPathway")) ++read;
  }
  EXPECT_EQ(recorded, 1) << daemon().LogTail();
  EXPECT_EQ(refused, 1) << daemon().LogTail();
  EXPECT_EQ(read, 1) << daemon().LogTail();
}

}  // namespace
}  // namespace returnpath::integration
