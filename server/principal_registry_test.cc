#include "server/principal_registry.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/principal_file.h"

namespace returnpath::engine {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

class PrincipalRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rp_registry_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "principals.textproto").string();
    v1::PrincipalFile file;
    v1::PrincipalEntry* admin = file.add_principal();
    admin->set_name("admin");
    admin->set_role(v1::ROLE_ADMIN);
    admin->set_token_sha256(Sha256Hex("admin-token"));
    ASSERT_TRUE(WritePrincipalFile(path_, file).ok());
    auto registry = PrincipalRegistry::Open(path_, &clock_);
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = *std::move(registry);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  v1::AddPrincipalRequest Kari() {
    v1::AddPrincipalRequest request;
    request.set_name("kari");
    request.set_role(v1::ROLE_RECEPTION);
    request.add_scopes("centre/Oslo-1");
    return request;
  }
  const Authenticator& auth() { return *registry_->authenticator(); }
  std::string FileText() {
    std::ifstream in(path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  ManualClock clock_{absl::FromUnixSeconds(1772323200)};
  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<PrincipalRegistry> registry_;
};

TEST_F(PrincipalRegistryTest, AddedTokenWorksAtOnceAndIsStoredOnlyHashed) {
  absl::StatusOr<v1::PrincipalResponse> added = registry_->Add(Kari());
  ASSERT_TRUE(added.ok()) << added.status();
  ASSERT_FALSE(added->token().empty());
  EXPECT_EQ(auth().ByToken(added->token())->name, "kari");
  EXPECT_THAT(FileText(), AllOf(HasSubstr(Sha256Hex(added->token())),
                                Not(HasSubstr(added->token()))));
  // Durable: a registry opened afresh from the file knows kari.
  auto reopened = PrincipalRegistry::Open(path_, &clock_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE((*reopened)->authenticator()->ByToken(added->token()).ok());
  for (const v1::PrincipalSummary& p : registry_->List()) {
    EXPECT_THAT(p.DebugString(), Not(HasSubstr(added->token())));
    EXPECT_TRUE(p.has_token());
  }
}

TEST_F(PrincipalRegistryTest, RefusesBadAndDuplicateEntries) {
  v1::AddPrincipalRequest request = Kari();
  request.clear_role();
  EXPECT_THAT(registry_->Add(request).status().message(), HasSubstr("role"));
  request = Kari();
  request.add_scopes("centre/");
  EXPECT_THAT(registry_->Add(request).status().message(),
              HasSubstr("scopes[1]"));
  request = Kari();
  request.mutable_expires()->set_seconds(1772323200 - 1);
  EXPECT_EQ(registry_->Add(request).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(registry_->Add(Kari()).ok());
  EXPECT_EQ(registry_->Add(Kari()).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(registry_->List().size(), 2u);
}

TEST_F(PrincipalRegistryTest, RevokeAndRotateTakeEffectOnTheNextLookup) {
  absl::StatusOr<v1::PrincipalResponse> added = registry_->Add(Kari());
  ASSERT_TRUE(added.ok());
  absl::StatusOr<v1::PrincipalResponse> rotated = registry_->Rotate("kari");
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_EQ(auth().ByToken(added->token()).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(auth().ByToken(rotated->token()).ok());
  ASSERT_TRUE(registry_->Revoke("kari").ok());
  EXPECT_EQ(auth().ByToken(rotated->token()).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(FileText(), Not(HasSubstr("kari")));
  EXPECT_EQ(registry_->Revoke("kari").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(registry_->Revoke("admin").status().code(),
            absl::StatusCode::kFailedPrecondition);  // the last administrator
}

TEST_F(PrincipalRegistryTest, ExpiryFollowsTheClock) {
  v1::AddPrincipalRequest request = Kari();
  request.mutable_expires()->set_seconds(1772323200 + 3600);
  absl::StatusOr<v1::PrincipalResponse> added = registry_->Add(request);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_TRUE(auth().ByToken(added->token()).ok());
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(auth().ByToken(added->token()).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(PrincipalRegistryTest, AnUnwritableFileChangesNothing) {
  std::filesystem::remove_all(dir_);  // root ignores permissions; a gone
                                      // directory stops it too
  absl::StatusOr<v1::PrincipalResponse> added = registry_->Add(Kari());
  EXPECT_EQ(added.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(added.status().message(), HasSubstr("not writable"));
  EXPECT_EQ(registry_->List().size(), 1u);
}

}  // namespace
}  // namespace returnpath::engine
