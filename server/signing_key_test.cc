#include "server/signing_key.h"

#include <sys/stat.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/read_file.h"
#include "engine/signature.h"
#include "engine/testing/file_modes.h"
#include "engine/testing/store_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::ModeOf;
using ::returnpath::engine::testing::TempDir;
using ::returnpath::engine::testing::WriteWithMode;
using ::testing::HasSubstr;

class SigningKeyTest : public ::testing::Test {
 protected:
  std::string Path(absl::string_view name) const {
    return absl::StrCat(dir_.path(), "/", name);
  }

  TempDir dir_;
};

TEST_F(SigningKeyTest, CreatesAPrivateKeyInTheDataDirAndLoadsItAgain) {
  absl::StatusOr<std::unique_ptr<SigningKey>> first =
      SigningKey::LoadOrCreate("", dir_.path());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(ModeOf(Path("signing_key.pem")), 0600u);
  EXPECT_EQ((*first)->public_key_path(), Path("signing_key.pem.pub"));
  EXPECT_EQ(ReadFileText(Path("signing_key.pem.pub"), "key").value_or(""),
            (*first)->public_key_pem());

  absl::StatusOr<std::unique_ptr<SigningKey>> again =
      SigningKey::LoadOrCreate("", dir_.path());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->key_id(), (*first)->key_id());
  const std::string signature = (*again)->Sign("message");
  EXPECT_TRUE(
      VerifyEd25519((*first)->public_key_pem(), "message", signature).ok());
}

TEST_F(SigningKeyTest, LoadsAKeyTheOperatorGives) {
  const Ed25519KeyPair pair = GenerateEd25519Key();
  WriteWithMode(Path("given.pem"), pair.private_key_pem, 0600);
  absl::StatusOr<std::unique_ptr<SigningKey>> key =
      SigningKey::LoadOrCreate(Path("given.pem"), "/nonexistent");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ((*key)->public_key_pem(), pair.public_key_pem);
}

TEST_F(SigningKeyTest, ABadKeyIsRefusedNamingTheFile) {
  WriteWithMode(Path("bad.pem"), "not a key\n", 0600);
  absl::StatusOr<std::unique_ptr<SigningKey>> key =
      SigningKey::LoadOrCreate(Path("bad.pem"), dir_.path());
  EXPECT_EQ(key.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      key.status().message(),
      absl::StrCat("signing key ", Path("bad.pem"), ": not a PEM private key"));
}

TEST_F(SigningKeyTest, AKeyOfAnotherKindIsRefused) {
  // A public key where the private one belongs.
  WriteWithMode(Path("public.pem"), GenerateEd25519Key().public_key_pem, 0600);
  EXPECT_THAT(SigningKey::LoadOrCreate(Path("public.pem"), dir_.path())
                  .status()
                  .message(),
              HasSubstr("not a PEM private key"));
}

TEST_F(SigningKeyTest, AMissingOrReadableKeyIsRefused) {
  absl::StatusOr<std::unique_ptr<SigningKey>> missing =
      SigningKey::LoadOrCreate(Path("missing.pem"), dir_.path());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(missing.status().message(), HasSubstr("cannot read it"));

  WriteWithMode(Path("open.pem"), GenerateEd25519Key().private_key_pem, 0644);
  EXPECT_EQ(
      SigningKey::LoadOrCreate(Path("open.pem"), dir_.path())
          .status()
          .message(),
      absl::StrCat("signing key ", Path("open.pem"),
                   ": others than its owner may read it (mode 0644); chmod "
                   "600 it"));
}

}  // namespace
}  // namespace returnpath::engine
