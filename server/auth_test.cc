#include "server/auth.h"

#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

ManualClock* TestClock() {
  static auto* clock = new ManualClock(absl::FromUnixSeconds(1772323200));
  return clock;
}

v1::PrincipalFile SampleFile() {
  v1::PrincipalFile file;
  auto* reception = file.add_principal();
  reception->set_name("kari");
  reception->set_role(v1::ROLE_RECEPTION);
  reception->set_token_sha256(Sha256Hex("kari-token"));
  reception->add_scopes("centre/oslo-1");
  auto* adviser = file.add_principal();
  adviser->set_name("ola");
  adviser->set_role(v1::ROLE_ADVISER);
  adviser->set_cert_subject("ola.adviser");
  adviser->add_scopes("queue/advisers/*");
  return file;
}

TEST(AuthenticatorTest, FindsPrincipalsByTokenAndCertificate) {
  auto auth = Authenticator::FromProto(SampleFile(), TestClock());
  ASSERT_TRUE(auth.ok()) << auth.status();
  auto kari = (*auth)->ByToken("kari-token");
  ASSERT_TRUE(kari.ok());
  EXPECT_EQ(kari->name, "kari");
  EXPECT_EQ((*auth)->ByCertSubject("ola.adviser")->role, v1::ROLE_ADVISER);
  EXPECT_EQ((*auth)->ByToken("wrong").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ((*auth)->ByToken("").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(AuthenticatorTest, RejectsEntriesWithoutRoleOrCredential) {
  v1::PrincipalFile file = SampleFile();
  file.mutable_principal(0)->clear_role();
  EXPECT_EQ(Authenticator::FromProto(file, TestClock()).status().code(),
            absl::StatusCode::kInvalidArgument);
  file = SampleFile();
  file.mutable_principal(1)->clear_cert_subject();
  auto status = Authenticator::FromProto(file, TestClock()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("principal[1] (ola)"), std::string::npos);
}

TEST(AuthenticatorTest, ExpiredReadsLikeUnknown) {
  ManualClock clock(absl::FromUnixSeconds(1000));
  v1::PrincipalFile file = SampleFile();
  file.mutable_principal(0)->mutable_expires()->set_seconds(2000);
  auto auth = Authenticator::FromProto(file, &clock);
  ASSERT_TRUE(auth.ok()) << auth.status();
  EXPECT_TRUE((*auth)->ByToken("kari-token").ok());
  clock.Advance(absl::Seconds(1000));
  absl::Status expired = (*auth)->ByToken("kari-token").status();
  EXPECT_EQ(expired.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(expired.message(), (*auth)->ByToken("wrong").status().message());
  EXPECT_TRUE((*auth)->ByCertSubject("ola.adviser").ok());
}

TEST(AuthenticatorTest, ReplaceIsSeenByTheNextLookupAndNeverHalfDone) {
  auto auth = Authenticator::FromProto(SampleFile(), TestClock());
  ASSERT_TRUE(auth.ok());
  v1::PrincipalFile without_kari = SampleFile();
  without_kari.mutable_principal()->DeleteSubrange(0, 1);
  // Readers run while the set flips; each sees one set or the other whole.
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) {
      absl::StatusOr<Principal> ola = (*auth)->ByCertSubject("ola.adviser");
      ASSERT_TRUE(ola.ok());
      (void)(*auth)->ByToken("kari-token");
    }
  });
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE((*auth)->Replace(i % 2 ? SampleFile() : without_kari).ok());
  }
  ASSERT_TRUE((*auth)->Replace(without_kari).ok());
  stop = true;
  reader.join();
  EXPECT_EQ((*auth)->ByToken("kari-token").status().code(),
            absl::StatusCode::kUnauthenticated);
  v1::PrincipalFile broken = SampleFile();
  broken.mutable_principal(1)->set_name("kari");  // a name used twice
  EXPECT_EQ((*auth)->Replace(broken).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE((*auth)->ByCertSubject("ola.adviser").ok());  // unchanged
}

TEST(AuthenticatorTest, StillAdmittedOnlyWhileTheSamePrincipalIsCurrent) {
  ManualClock clock(absl::FromUnixSeconds(1000));
  v1::PrincipalFile file = SampleFile();
  file.mutable_principal(1)->mutable_expires()->set_seconds(2000);
  auto auth = Authenticator::FromProto(file, &clock);
  ASSERT_TRUE(auth.ok()) << auth.status();
  const Principal kari = *(*auth)->ByToken("kari-token");
  const Principal ola = *(*auth)->ByCertSubject("ola.adviser");
  EXPECT_TRUE((*auth)->StillAdmitted(kari).ok());

  v1::PrincipalFile wider = file;  // kari's scopes change under her stream
  wider.mutable_principal(0)->add_scopes("centre/bergen-1");
  ASSERT_TRUE((*auth)->Replace(wider).ok());
  EXPECT_EQ((*auth)->StillAdmitted(kari).code(),
            absl::StatusCode::kUnauthenticated);
  v1::PrincipalFile without_kari = file;
  without_kari.mutable_principal()->DeleteSubrange(0, 1);
  ASSERT_TRUE((*auth)->Replace(without_kari).ok());
  EXPECT_EQ((*auth)->StillAdmitted(kari).code(),
            absl::StatusCode::kUnauthenticated);

  EXPECT_TRUE((*auth)->StillAdmitted(ola).ok());
  clock.SetTime(absl::FromUnixSeconds(2000));
  EXPECT_EQ((*auth)->StillAdmitted(ola).code(),
            absl::StatusCode::kUnauthenticated);
}

// A token is passed on command lines (returnctl --token): one that began
// with "-" would be read as an option. Unprefixed, about one in 64 did.
TEST(BearerTokenTest, NeverLooksLikeAnOptionAndNeverRepeats) {
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    absl::StatusOr<std::string> token = NewBearerToken();
    ASSERT_TRUE(token.ok()) << token.status();
    ASSERT_TRUE(absl::StartsWith(*token, "rpt_")) << *token;
    ASSERT_EQ(token->size(), 4 + 43u) << *token;
    ASSERT_TRUE(seen.insert(*token).second) << *token;
  }
}

TEST(ScopeTest, ExactPrefixAndWildcard) {
  Principal p{
      "x", v1::ROLE_ADVISER, {"centre/oslo-1", "queue/advisers/*"}, {}, ""};
  EXPECT_TRUE(ScopeCovers(p, "centre/oslo-1"));
  EXPECT_FALSE(ScopeCovers(p, "centre/oslo-10"));
  EXPECT_TRUE(ScopeCovers(p, "queue/advisers/oslo-1"));
  EXPECT_FALSE(ScopeCovers(p, "queue/police/pu"));
  Principal all{"y", v1::ROLE_POLICE, {"*"}, {}, ""};
  EXPECT_TRUE(ScopeCovers(all, "queue/police/pu"));
}

TEST(ScopeTest, RequireRoleAndScopeNameTheAction) {
  Principal p{"kari", v1::ROLE_RECEPTION, {"centre/oslo-1"}, {}, ""};
  EXPECT_TRUE(RequireRole(p, {v1::ROLE_RECEPTION}, "record an event").ok());
  auto denied = RequireRole(p, {v1::ROLE_AUDITOR}, "verify the log");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("verify the log"), std::string::npos);
  EXPECT_TRUE(RequireScope(p, {"stage/X", "centre/oslo-1"}, "read").ok());
  EXPECT_EQ(RequireScope(p, {"centre/bergen"}, "read").code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace returnpath::engine
