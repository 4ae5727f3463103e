#include "engine/aead.h"

#include <string>

#include "engine/digest.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

const std::string kKey = std::string(32, 'k');

std::string Seal(absl::string_view plaintext, absl::string_view aad) {
  absl::StatusOr<std::string> sealed = AeadSeal(kKey, plaintext, aad);
  EXPECT_TRUE(sealed.ok()) << sealed.status();
  return sealed.value_or("");
}

TEST(AeadTest, OpensWhatItSealed) {
  for (const std::string plaintext : {"", "x", "an event's payload bytes"}) {
    const std::string sealed = Seal(plaintext, "aad");
    EXPECT_EQ(sealed.size(), plaintext.size() + kAeadOverhead);
    absl::StatusOr<std::string> opened = AeadOpen(kKey, sealed, "aad");
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST(AeadTest, HidesThePlaintext) {
  const std::string plaintext = "a plaintext long enough to look for";
  EXPECT_EQ(Seal(plaintext, "").find(plaintext), std::string::npos);
}

TEST(AeadTest, DrawsANewNonceForEachSealing) {
  const std::string a = Seal("same text", "aad");
  const std::string b = Seal("same text", "aad");
  EXPECT_NE(a.substr(0, kAeadNonceSize), b.substr(0, kAeadNonceSize));
  EXPECT_NE(a, b);
}

TEST(AeadTest, RefusesAChangedByteAnywhere) {
  const std::string sealed = Seal("payload", "aad");
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string changed = sealed;
    changed[i] ^= 0x01;
    absl::StatusOr<std::string> opened = AeadOpen(kKey, changed, "aad");
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss)
        << "byte " << i;
  }
}

TEST(AeadTest, RefusesAnotherKeyOrOtherAssociatedData) {
  const std::string sealed = Seal("payload", "stream a");
  absl::StatusOr<std::string> other_key =
      AeadOpen(std::string(32, 'j'), sealed, "stream a");
  EXPECT_EQ(other_key.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(other_key.status().message().find("sealed bytes do not open"),
            absl::string_view::npos)
      << other_key.status();
  EXPECT_EQ(AeadOpen(kKey, sealed, "stream b").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(AeadOpen(kKey, sealed, "").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(AeadTest, RefusesBytesShorterThanNonceAndTag) {
  const std::string sealed = Seal("", "");
  EXPECT_EQ(
      AeadOpen(kKey, sealed.substr(0, sealed.size() - 1), "").status().code(),
      absl::StatusCode::kDataLoss);
  EXPECT_EQ(AeadOpen(kKey, "", "").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(AeadTest, RefusesAKeyThatIsNot32Bytes) {
  EXPECT_EQ(AeadSeal(std::string(16, 'k'), "x", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AeadOpen(std::string(33, 'k'), Seal("x", ""), "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace returnpath::engine
