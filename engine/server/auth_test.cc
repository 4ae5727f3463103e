#include "engine/server/auth.h"

#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

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
  auto auth = Authenticator::FromProto(SampleFile());
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
  EXPECT_EQ(Authenticator::FromProto(file).status().code(),
            absl::StatusCode::kInvalidArgument);
  file = SampleFile();
  file.mutable_principal(1)->clear_cert_subject();
  auto status = Authenticator::FromProto(file).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("principal[1] (ola)"), std::string::npos);
}

TEST(ScopeTest, ExactPrefixAndWildcard) {
  Principal p{"x", v1::ROLE_ADVISER, {"centre/oslo-1", "queue/advisers/*"}, {}};
  EXPECT_TRUE(ScopeCovers(p, "centre/oslo-1"));
  EXPECT_FALSE(ScopeCovers(p, "centre/oslo-10"));
  EXPECT_TRUE(ScopeCovers(p, "queue/advisers/oslo-1"));
  EXPECT_FALSE(ScopeCovers(p, "queue/police/pu"));
  Principal all{"y", v1::ROLE_POLICE, {"*"}, {}};
  EXPECT_TRUE(ScopeCovers(all, "queue/police/pu"));
}

TEST(ScopeTest, RequireRoleAndScopeNameTheAction) {
  Principal p{"kari", v1::ROLE_RECEPTION, {"centre/oslo-1"}, {}};
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
