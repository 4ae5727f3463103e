#include "engine/signature.h"

#include <string>

#include "engine/digest.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

TEST(SignatureTest, ASignatureVerifiesUnderItsKeyOnly) {
  const Ed25519KeyPair key = GenerateEd25519Key();
  const Ed25519KeyPair other = GenerateEd25519Key();
  const std::string message = SigningInput("test record", "payload");
  absl::StatusOr<std::string> signature =
      SignEd25519(key.private_key_pem, message);
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_EQ(signature->size(), 64u);
  EXPECT_TRUE(VerifyEd25519(key.public_key_pem, message, *signature).ok());
  EXPECT_EQ(VerifyEd25519(other.public_key_pem, message, *signature).code(),
            absl::StatusCode::kDataLoss);
  std::string changed = message;
  changed.back() ^= 1;
  EXPECT_EQ(VerifyEd25519(key.public_key_pem, changed, *signature).code(),
            absl::StatusCode::kDataLoss);
  // The context is part of what is signed.
  EXPECT_EQ(VerifyEd25519(key.public_key_pem,
                          SigningInput("other record", "payload"), *signature)
                .code(),
            absl::StatusCode::kDataLoss);
}

TEST(SignatureTest, ThePublicKeyFollowsFromThePrivateOne) {
  const Ed25519KeyPair key = GenerateEd25519Key();
  EXPECT_EQ(Ed25519PublicKeyOf(key.private_key_pem).value_or(""),
            key.public_key_pem);
  EXPECT_EQ(PublicKeyId(key.public_key_pem).value_or("").size(), 32u);
}

TEST(SignatureTest, SomethingElseIsNotAKey) {
  EXPECT_EQ(VerifyEd25519("not a key", "m", "s").message(),
            "not a PEM public key");
  EXPECT_EQ(SignEd25519("not a key", "m").status().message(),
            "not a PEM private key");
  const Ed25519KeyPair key = GenerateEd25519Key();
  EXPECT_EQ(SignEd25519(key.public_key_pem, "m").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SignatureTest, RecordsDigestDependsOnEveryRecordAndItsBoundaries) {
  const std::string start = RecordsDigestStart("ctx");
  const std::string ab = NextRecordsDigest(NextRecordsDigest(start, "a"), "b");
  EXPECT_NE(ab, NextRecordsDigest(start, "ab"));
  EXPECT_NE(ab, NextRecordsDigest(NextRecordsDigest(start, "a"), "c"));
  EXPECT_EQ(NextRecordsDigest(start, "a"), Sha256(start + "a"));
}

}  // namespace
}  // namespace returnpath::engine
