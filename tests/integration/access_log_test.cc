// The access log over gRPC: each read logged with the caller's purpose, read
// back newest first by person, principal and time, page by page; reading it is
// logged too; Verify checks its chain and finds a record changed under the
// daemon; returnctl shows it.

#include <optional>
#include <set>
#include <string>

#include "engine/testing/edit_store.h"
#include "gmock/gmock.h"
#include "tests/integration/scoped_fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

using AccessLogTest = ScopedTest;

auto All = [](const auto&) { return true; };

TEST_F(AccessLogTest, EachReadIsLoggedWithWhoHowAndWhy) {
  client::Client& reception = Client("reception-oslo");
  reception.set_purpose("checking the address before the meeting");
  RP_ASSERT_OK(reception.GetPathway("P-O1"));
  reception.set_purpose("");
  RP_ASSERT_OK(reception.GetPathway("P-O1"));

  std::vector<v1::AccessRecord> records = AccessRecords("P-O1");
  ASSERT_GE(records.size(), 2u);
  // Newest first: the read without a purpose, then the one with it.
  EXPECT_EQ(records[0].principal(), "reception-oslo");
  EXPECT_EQ(records[0].method(), "GetPathway");
  EXPECT_EQ(records[0].role(), "ROLE_RECEPTION");
  EXPECT_EQ(records[0].purpose(), "");
  EXPECT_EQ(records[1].purpose(), "checking the address before the meeting");
  EXPECT_GT(records[0].sequence(), records[1].sequence());
  for (size_t i = 1; i < records.size(); ++i) {
    EXPECT_GT(records[i - 1].sequence(), records[i].sequence());
  }
}

TEST_F(AccessLogTest, APurposeThatIsNotPlainTextIsRefusedAndNothingIsRead) {
  client::Client& reception = Client("reception-oslo");
  const size_t before = AccessRecords("P-O2").size();
  reception.set_purpose(std::string(300, 'x'));
  const absl::Status refused = reception.GetPathway("P-O2").status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("purpose metadata"));
  reception.set_purpose("");
  // Only auditor-all's own reads of the log were added.
  for (const v1::AccessRecord& record : AccessRecords("P-O2")) {
    if (record.principal() == "reception-oslo") {
      EXPECT_NE(record.method(), "GetPathway") << record.DebugString();
    }
  }
  EXPECT_GE(AccessRecords("P-O2").size(), before);
}

TEST_F(AccessLogTest, ReadsByPrincipalAndTimeRange) {
  RP_ASSERT_OK(Client("reception-bergen").GetPathway("P-B1"));
  RP_ASSERT_OK(Client("reception-bergen").GetPathway("P-B2"));

  v1::AccessLogRequest by_bergen;
  by_bergen.set_principal("reception-bergen");
  absl::StatusOr<v1::AccessLogResponse> read =
      Client("auditor-all").AccessLog(by_bergen);
  RP_ASSERT_OK(read);
  std::vector<std::string> persons;
  for (const v1::AccessRecord& record : read->records()) {
    EXPECT_EQ(record.principal(), "reception-bergen");
    if (record.method() == "GetPathway") persons.push_back(record.person_id());
  }
  EXPECT_EQ(persons, (std::vector<std::string>{"P-B2", "P-B1"}));

  // The clock stands still here: both reads share one time, which `from`
  // includes and `to` leaves out (the engine's tests move the clock).
  const google::protobuf::Timestamp at = read->records(0).time();
  auto count = [&](const v1::AccessLogRequest& request) {
    absl::StatusOr<v1::AccessLogResponse> got =
        Client("auditor-all").AccessLog(request);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? got->records_size() : -1;
  };
  v1::AccessLogRequest from = by_bergen;
  *from.mutable_from() = at;
  EXPECT_EQ(count(from), 2);
  from.mutable_from()->set_nanos(at.nanos() + 1000);
  EXPECT_EQ(count(from), 0);
  v1::AccessLogRequest to = by_bergen;
  *to.mutable_to() = at;
  EXPECT_EQ(count(to), 0);
  to.mutable_to()->set_nanos(at.nanos() + 1000);
  EXPECT_EQ(count(to), 2);
}

TEST_F(AccessLogTest, PagesFollowEachOtherAndATokenServesOnlyItsQuery) {
  for (int i = 0; i < 7; ++i) {
    RP_ASSERT_OK(Client("reception-oslo").GetPathway("P-O1"));
  }
  v1::AccessLogRequest request;
  request.set_principal("reception-oslo");
  request.set_limit(3);
  std::vector<uint64_t> sequences;
  std::string token;
  int pages = 0;
  do {
    request.set_page_token(token);
    absl::StatusOr<v1::AccessLogResponse> page =
        Client("auditor-all").AccessLog(request);
    RP_ASSERT_OK(page);
    EXPECT_LE(page->records_size(), 3);
    for (const v1::AccessRecord& record : page->records()) {
      sequences.push_back(record.sequence());
    }
    token = page->next_page_token();
    if (pages == 0) {
      v1::AccessLogRequest other = request;
      other.set_principal("reception-bergen");
      other.set_page_token(token);
      EXPECT_EQ(Client("auditor-all").AccessLog(other).status().code(),
                absl::StatusCode::kInvalidArgument);
    }
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(sequences.size(), 7u);
  EXPECT_EQ(pages, 3);
  EXPECT_TRUE(std::is_sorted(sequences.rbegin(), sequences.rend()));
  EXPECT_EQ(std::set<uint64_t>(sequences.begin(), sequences.end()).size(), 7u);
}

TEST_F(AccessLogTest, ReadingTheAccessLogIsLoggedForThePersonsItShows) {
  RP_ASSERT_OK(Client("reception-oslo").GetPathway("P-O2"));
  v1::AccessLogRequest request;
  request.set_person_id("P-O2");
  Client("auditor-oslo").set_purpose("quarterly review");
  RP_ASSERT_OK(Client("auditor-oslo").AccessLog(request));
  Client("auditor-oslo").set_purpose("");
  bool logged = false;
  for (const v1::AccessRecord& record : AccessRecords("P-O2")) {
    logged |= record.principal() == "auditor-oslo" &&
              record.method() == "AccessLog" &&
              record.purpose() == "quarterly review";
  }
  EXPECT_TRUE(logged);
}

TEST_F(AccessLogTest, VerifyChecksTheAccessLogAndFindsAChangedRecord) {
  RP_ASSERT_OK(Client("reception-oslo").GetPathway("P-O1"));
  std::optional<v1::VerifyOutcome> outcome;
  RP_ASSERT_OK(
      Client("auditor-all")
          .Verify(v1::VerifyRequest(), [&](const v1::VerifyResponse& response) {
            if (response.has_outcome()) {
              outcome = response.outcome();
            }
            return true;
          }));
  ASSERT_TRUE(outcome.has_value());
  EXPECT_TRUE(outcome->ok()) << outcome->message();
  EXPECT_TRUE(outcome->access_log_checked());
  EXPECT_GE(outcome->access_records(), 1u);

  // Someone with the disk changes who read: the chain shows it.
  daemon().Stop();
  engine::testing::EditStore(
      daemon().data_dir() + "/store", engine::Table::kAccessLog,
      [](engine::testing::RawTable& access_log) {
        std::string key(1, '\x01');
        key.append(7, '\0');
        key.push_back('\x01');  // record 1
        std::optional<std::string> value = access_log.Get(key);
        ASSERT_TRUE(value.has_value());
        const size_t at = value->find("reception-oslo");
        ASSERT_NE(at, std::string::npos);
        value->replace(at, 14, "reception-XXXX");
        access_log.Put(key, *value);
      });
  DaemonOptions options = Options();
  options.clock_start = "";  // resume at the store's time
  options.store_of = daemon().data_dir();
  absl::StatusOr<std::unique_ptr<Daemon>> reopened = Daemon::Start(options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  client::ConnectionOptions auditor;
  auditor.server = (*reopened)->address();
  auditor.token = "auditor-all-token";
  auditor.use_env_token = false;
  absl::StatusOr<std::unique_ptr<client::Client>> client =
      client::Client::Connect(auditor);
  ASSERT_TRUE(client.ok()) << client.status();
  outcome.reset();
  RP_ASSERT_OK((*client)->Verify(v1::VerifyRequest(),
                                 [&](const v1::VerifyResponse& response) {
                                   if (response.has_outcome()) {
                                     outcome = response.outcome();
                                   }
                                   return true;
                                 }));
  ASSERT_TRUE(outcome.has_value());
  EXPECT_FALSE(outcome->ok());
  EXPECT_EQ(outcome->first_bad_position(), 0u);  // the events are intact
  EXPECT_THAT(outcome->message(),
              HasSubstr("the access log is not intact: access record 1: the "
                        "stored hash does not match the stored bytes"));
}

TEST_F(AccessLogTest, ReturnctlShowsThePurposeAndThePageToken) {
  ProcessResult read = Ctl({"--token", "reception-oslo-token", "--purpose",
                            "phone call", "show", "--person", "P-O1"});
  ASSERT_EQ(read.exit_code, 0) << read.err;
  RP_ASSERT_OK(Client("reception-oslo").GetPathway("P-O1"));
  ProcessResult log = Ctl({"--token", "auditor-all-token", "audit",
                           "access-log", "--person", "P-O1", "--limit", "1"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_THAT(log.out, HasSubstr("more: --page-token "));
  const size_t token_at = log.out.find("--page-token ") + 13;
  const std::string token =
      log.out.substr(token_at, log.out.find('\n', token_at) - token_at);
  ProcessResult next =
      Ctl({"--token", "auditor-all-token", "audit", "access-log", "--person",
           "P-O1", "--limit", "1", "--page-token", token});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_THAT(next.out, HasSubstr("phone call"));
}

}  // namespace
}  // namespace returnpath::integration
