// Who may call the daemon, through the real returnpathd: development
// principals only on loopback and only when asked for, one daemon per port,
// and principals an administrator adds, lists, rotates and revokes at run
// time (client library and returnctl).

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "clients/lib/time_text.h"
#include "gmock/gmock.h"
#include "engine/testing/test_store.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// returnpathd run to its exit on a fresh data directory with `flags`; a
// daemon that serves instead is killed after `timeout` (exit code -1).
ProcessResult RunDaemon(const std::vector<std::string>& flags,
                        absl::Duration timeout = absl::Seconds(20)) {
  const std::string dir =
      std::filesystem::temp_directory_path() /
      ("rp_pt_" + std::to_string(getpid()) + "_" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::vector<std::string> argv = {ReturnpathdPath(), "--data_dir=" + dir,
                                   "--policy_dir=" + PolicyDir(),
                                   "--clock=manual"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  ProcessResult result = RunProcess(argv, timeout);
  std::filesystem::remove_all(dir);
  return result;
}

std::string Output(const ProcessResult& r) { return r.out + r.err; }

TEST(DaemonStartTest, RefusesToStartWithoutPrincipals) {
  if (ReturnpathdPath().empty()) GTEST_SKIP();
  ProcessResult r = RunDaemon({"--listen=127.0.0.1:0"});
  EXPECT_GT(r.exit_code, 0) << Output(r);
  EXPECT_THAT(Output(r), AllOf(HasSubstr("--principals=FILE"),
                               HasSubstr("--dev_principals")));
}

TEST(DaemonStartTest, DevPrincipalsOnlyOnLoopback) {
  if (ReturnpathdPath().empty()) GTEST_SKIP();
  for (const char* listen : {"0.0.0.0:0", "127.x.example:0", "[::]:0"}) {
    ProcessResult r =
        RunDaemon({std::string("--listen=") + listen, "--dev_principals"});
    EXPECT_GT(r.exit_code, 0) << listen << "\n" << Output(r);
    EXPECT_THAT(Output(r), AllOf(HasSubstr("--dev_principals works only on a "
                                           "loopback address"),
                                 HasSubstr("--principals=FILE")))
        << listen;
  }
}

TEST(DaemonStartTest, SecondDaemonOnTheSamePortFailsAndSaysSo) {
  if (ReturnpathdPath().empty()) GTEST_SKIP();
  absl::StatusOr<std::unique_ptr<Daemon>> first = Daemon::Start();
  ASSERT_TRUE(first.ok()) << first.status();
  ProcessResult second =
      RunDaemon({"--listen=" + (*first)->address(), "--dev_principals"});
  EXPECT_GT(second.exit_code, 0) << Output(second);
  EXPECT_THAT(Output(second), HasSubstr("address in use"));
  EXPECT_TRUE(WaitForServing((*first)->NewChannel(), absl::Seconds(5)));
}

class PrincipalsTest : public IntegrationTest {
 protected:
  v1::AddPrincipalRequest Desk(const std::string& name) {
    v1::AddPrincipalRequest request;
    request.set_name(name);
    request.set_role(v1::ROLE_RECEPTION);
    request.add_scopes("centre/Oslo-1");
    return request;
  }
  // A call any reception principal may make: reading a pathway in scope.
  absl::Status ReadAs(const std::string& token) {
    return WithToken(token)->GetPathway("P-1").status();
  }
  std::string PrincipalsFileText() {
    std::ifstream in(daemon().principals_file());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

// The store holds persons' data: no other user of the machine may read it.
TEST_F(PrincipalsTest, TheStoreIsReadableByTheDaemonsUserOnly) {
  RP_SKIP_ON_POSTGRES("the modes of the store's files");
  RP_ASSERT_OK(Register({.id = "P-1"}));
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           daemon().data_dir() + "/store")) {
    const auto perms = entry.status().permissions();
    EXPECT_EQ(perms & (std::filesystem::perms::group_all |
                       std::filesystem::perms::others_all),
              std::filesystem::perms::none)
        << entry.path();
  }
}

TEST_F(PrincipalsTest, DevelopmentPrincipalsHaveOneDesksScopes) {
  absl::StatusOr<v1::ListPrincipalsResponse> list =
      As("admin").ListPrincipals();
  RP_ASSERT_OK(list);
  std::map<std::string, std::string> scopes;
  for (const v1::PrincipalSummary& p : list->principals())
    scopes[p.name()] = absl::StrJoin(p.scopes(), " ");
  EXPECT_EQ(scopes["reception"], "centre/Oslo-1 queue/reception/Oslo-1");
  EXPECT_EQ(scopes["adviser"], "queue/advisers/Oslo-1 centre/Oslo-1");
  EXPECT_EQ(scopes["police"], "queue/police/pu region/OSLO");
  EXPECT_EQ(scopes["auditor"], "*");
  EXPECT_EQ(scopes["admin"], "");
  RP_ASSERT_OK(Register({.id = "P-1"}));
  EXPECT_CODE(Register({.id = "P-2", .centre = "Bergen-1", .region = "vest"}),
              kPermissionDenied, "outside their scope");
}

TEST_F(PrincipalsTest, AddedTokenWorksAtOnceAndIsShownOnlyOnce) {
  RP_ASSERT_OK(Register({.id = "P-1"}));
  absl::StatusOr<v1::PrincipalResponse> added =
      As("admin").AddPrincipal(Desk("kari"));
  RP_ASSERT_OK(added);
  ASSERT_FALSE(added->token().empty());
  EXPECT_TRUE(added->principal().has_token());
  RP_EXPECT_OK(ReadAs(added->token()));

  absl::StatusOr<v1::ListPrincipalsResponse> list =
      As("admin").ListPrincipals();
  RP_ASSERT_OK(list);
  EXPECT_THAT(list->DebugString(),
              AllOf(HasSubstr("kari"), Not(HasSubstr(added->token()))));
  // The file is the registry: kari's digest is there, her token never.
  EXPECT_THAT(PrincipalsFileText(), AllOf(HasSubstr("name: \"kari\""),
                                          Not(HasSubstr(added->token()))));
}

TEST_F(PrincipalsTest, OnlyAnAdministratorManagesPrincipals) {
  for (const char* role : {"reception", "adviser", "police", "auditor"}) {
    EXPECT_CODE(As(role).AddPrincipal(Desk("kari")), kPermissionDenied,
                "may not manage principals");
    EXPECT_CODE(As(role).ListPrincipals(), kPermissionDenied,
                "may not manage principals");
    EXPECT_CODE(As(role).RevokePrincipal("reception"), kPermissionDenied,
                "may not manage principals");
    EXPECT_CODE(As(role).RotateToken("reception"), kPermissionDenied,
                "may not manage principals");
  }
  EXPECT_CODE(WithToken("")->ListPrincipals(), kUnauthenticated, "Bearer");
}

TEST_F(PrincipalsTest, BadRequestsNameTheField) {
  client::Client& admin = As("admin");
  v1::AddPrincipalRequest request = Desk("");
  EXPECT_CODE(admin.AddPrincipal(request), kInvalidArgument, "name");
  request = Desk(std::string(5000, 'k'));
  absl::Status too_long = admin.AddPrincipal(request).status();
  EXPECT_THAT(std::string(too_long.message()),
              AllOf(HasSubstr("name is longer than 64"),
                    Not(HasSubstr(std::string(65, 'k')))));
  request = Desk("kari");
  request.clear_role();
  EXPECT_CODE(admin.AddPrincipal(request), kInvalidArgument, "role");
  request = Desk("kari");
  request.add_scopes("region/oslo");
  EXPECT_CODE(admin.AddPrincipal(request), kInvalidArgument, "scopes[1]");
  EXPECT_CODE(admin.AddPrincipal(Desk("reception")), kAlreadyExists,
              "reception");
  EXPECT_CODE(admin.RevokePrincipal("nobody"), kNotFound, "nobody");
  EXPECT_CODE(admin.RevokePrincipal(""), kInvalidArgument, "name");
  request = Desk("kari");
  request.set_cert_subject("kari.oslo-1");
  absl::StatusOr<v1::PrincipalResponse> by_certificate =
      admin.AddPrincipal(request);
  RP_ASSERT_OK(by_certificate);
  EXPECT_TRUE(by_certificate->token().empty());
  EXPECT_CODE(admin.RotateToken("kari"), kFailedPrecondition,
              "client certificate");
}

// Revocation is effective on the very next call; the test measures the time
// from the revoke's answer to the first refused call.
TEST_F(PrincipalsTest, RevokedTokenIsRefusedOnTheNextCall) {
  RP_ASSERT_OK(Register({.id = "P-1"}));
  absl::StatusOr<v1::PrincipalResponse> added =
      As("admin").AddPrincipal(Desk("kari"));
  RP_ASSERT_OK(added);
  std::unique_ptr<client::Client> kari = WithToken(added->token());
  RP_ASSERT_OK(kari->GetPathway("P-1"));

  RP_ASSERT_OK(As("admin").RevokePrincipal("kari"));
  const auto answered = std::chrono::steady_clock::now();
  int calls = 0;
  absl::Status refused;
  while (calls < 100 && refused.ok()) {
    ++calls;
    refused = kari->GetPathway("P-1").status();
  }
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - answered)
                          .count();
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnauthenticated) << refused;
  EXPECT_EQ(calls, 1) << "calls after the revoke that still went through";
  RecordProperty("revoke_to_refusal_us", static_cast<int>(micros));
  std::cout << "revocation: first call after the revoke's answer refused ("
            << calls << " call, " << micros << " us)\n";
  EXPECT_THAT(PrincipalsFileText(), Not(HasSubstr("name: \"kari\"")));
  EXPECT_THAT(daemon().LogTail(),
              HasSubstr("msg=\"principal changed\" change=\"revoked\" "
                        "principal=\"kari\" role=\"ROLE_RECEPTION\""));
}

// A stream opened before the revoke ends at its next message instead of
// serving the revoked principal for as long as it stays open.
TEST_F(PrincipalsTest, RevocationEndsTheStreamsAlreadyOpen) {
  RP_ASSERT_OK(Register({.id = "P-1"}));
  v1::AddPrincipalRequest request;
  request.set_name("vera");
  request.set_role(v1::ROLE_AUDITOR);
  request.add_scopes("*");
  absl::StatusOr<v1::PrincipalResponse> added =
      As("admin").AddPrincipal(request);
  RP_ASSERT_OK(added);
  std::unique_ptr<client::Client> vera = WithToken(added->token());

  absl::Notification first_event, ended;
  int events = 0;
  absl::Status stream;
  std::thread subscriber([&] {
    stream = vera->SubscribeEvents({}, [&](const v1::EventEnvelope&) {
      if (++events == 1) first_event.Notify();
      return true;
    });
    ended.Notify();
  });
  ASSERT_TRUE(first_event.WaitForNotificationWithTimeout(absl::Seconds(15)));
  RP_ASSERT_OK(As("admin").RevokePrincipal("vera"));
  RP_ASSERT_OK(Record("P-1", "first-rejection", {{"notified", "2026-03-01"}}));
  const bool stopped = ended.WaitForNotificationWithTimeout(absl::Seconds(15));
  if (!stopped) daemon().Stop();  // so the subscriber returns and joins
  subscriber.join();
  EXPECT_TRUE(stopped) << "the revoked auditor's stream stayed open";
  EXPECT_EQ(stream.code(), absl::StatusCode::kUnauthenticated) << stream;
  EXPECT_EQ(events, 1) << "events served after the revoke";
}

TEST_F(PrincipalsTest, RotatedTokenReplacesTheOldOne) {
  RP_ASSERT_OK(Register({.id = "P-1"}));
  absl::StatusOr<v1::PrincipalResponse> added =
      As("admin").AddPrincipal(Desk("kari"));
  RP_ASSERT_OK(added);
  absl::StatusOr<v1::PrincipalResponse> rotated =
      As("admin").RotateToken("kari");
  RP_ASSERT_OK(rotated);
  EXPECT_NE(rotated->token(), added->token());
  EXPECT_CODE(ReadAs(added->token()), kUnauthenticated, "Bearer");
  RP_EXPECT_OK(ReadAs(rotated->token()));
}

TEST_F(PrincipalsTest, ExpiredPrincipalIsUnauthenticated) {
  RP_ASSERT_OK(Register({.id = "P-1"}));
  v1::AddPrincipalRequest request = Desk("kari");
  *request.mutable_expires() =
      client::ToTimestamp(Utc("2026-03-01T00:00:00Z") + absl::Hours(1));
  absl::StatusOr<v1::PrincipalResponse> added =
      As("admin").AddPrincipal(request);
  RP_ASSERT_OK(added);
  RP_EXPECT_OK(ReadAs(added->token()));
  RP_ASSERT_OK(AdvanceBy(absl::Hours(1)));
  absl::Status expired = ReadAs(added->token());
  EXPECT_EQ(expired.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(expired.message(), ReadAs("made-up").message());  // no oracle
}

// Principals from a file of the fixture's own, as a deployment gives them.
class DeployedPrincipalsTest : public PrincipalsTest {
 protected:
  DaemonOptions Options() const override {
    DaemonOptions options;
    v1::PrincipalEntry admin;
    admin.set_name("admin");
    admin.set_role(v1::ROLE_ADMIN);
    options.principals = {admin};
    return options;
  }
};

TEST_F(DeployedPrincipalsTest,
       UnwritableFileIsFailedPreconditionAndChangesNothing) {
  // Root ignores file modes: put a plain file where the directory was.
  const std::filesystem::path dir =
      std::filesystem::path(daemon().principals_file()).parent_path();
  std::filesystem::rename(dir, dir.string() + ".moved");
  std::ofstream(dir.string()) << "not a directory";
  EXPECT_CODE(As("admin").AddPrincipal(Desk("kari")), kFailedPrecondition,
              "principals file is not writable");
  absl::StatusOr<v1::ListPrincipalsResponse> list =
      As("admin").ListPrincipals();
  RP_ASSERT_OK(list);
  EXPECT_EQ(list->principals_size(), 1);
}

// The same through returnctl, as an administrator types it.
TEST_F(PrincipalsTest, ReturnctlAddsListsRotatesAndRevokes) {
  RP_ASSERT_OK(Register({.id = "P-1"}));
  ProcessResult r = Ctl({"--as=admin", "admin", "principals", "add", "--name",
                         "kari", "--role", "reception", "--scope",
                         "centre/Oslo-1", "--expires", "2026-12-31"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("added kari (reception; centre/Oslo-1)"));
  const std::string marker =
      "token (shown only now; the daemon keeps its digest): ";
  const size_t at = r.out.find(marker);
  ASSERT_NE(at, std::string::npos) << r.out;
  std::string token = r.out.substr(at + marker.size());
  token = token.substr(0, token.find('\n'));
  ProcessResult show = Ctl({"--token", token, "show", "--person", "P-1"});
  EXPECT_EQ(show.exit_code, 0) << show.err;

  r = Ctl({"--as=admin", "admin", "principals", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, AllOf(HasSubstr("kari"), HasSubstr("reception"),
                           HasSubstr("2026-12-31"), Not(HasSubstr(token)),
                           HasSubstr("6 principals")));

  r = Ctl({"--as=admin", "admin", "principals", "rotate", "--name", "kari"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(marker));
  show = Ctl({"--token", token, "show", "--person", "P-1"});
  EXPECT_EQ(show.exit_code, 3);
  EXPECT_THAT(show.err, HasSubstr("UNAUTHENTICATED"));

  r = Ctl({"--as=admin", "admin", "principals", "revoke", "--name", "kari"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("revoked kari"));
  r = Ctl({"--as=auditor", "admin", "principals", "list"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("PERMISSION_DENIED"));
  r = Ctl({"--as=admin", "admin", "principals", "add", "--name", "x", "--role",
           "pilot"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace returnpath::integration
