#include "server/page_token.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

const PageTokens& Tokens() {
  static const PageTokens* tokens = new PageTokens(std::string(32, 'k'));
  return *tokens;
}

const std::string kRaw = std::string("centre/Oslo-1\0P-42", 18);
const std::string kKari = PageTokenBinding({"ListPathways", "kari", "centre/"});

TEST(PageTokensTest, OpensWhatItSealedForTheSameBinding) {
  const std::string wire = Tokens().Seal(kRaw, kKari);
  absl::StatusOr<std::string> raw = Tokens().Open(wire, kKari);
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(*raw, kRaw);
}

TEST(PageTokensTest, CarriesNothingReadable) {
  const std::string wire = Tokens().Seal(kRaw, kKari);
  std::string bytes;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(wire, &bytes));
  EXPECT_EQ(bytes.find("P-42"), std::string::npos);
  EXPECT_EQ(bytes.find("Oslo"), std::string::npos);
  // A fresh nonce each time: the same position never gives the same token.
  EXPECT_NE(Tokens().Seal(kRaw, kKari), wire);
}

TEST(PageTokensTest, LengthSaysNothingOfTheKey) {
  const std::string shorter = std::string("centre/Oslo-1\0P-4", 17);
  const std::string longer =
      std::string("centre/Bergen-1\0P-42-with-a-long-case-number", 44);
  EXPECT_EQ(Tokens().Seal(shorter, kKari).size(),
            Tokens().Seal(longer, kKari).size());
  EXPECT_EQ(Tokens().Seal("x", kKari).size(),
            Tokens().Seal(std::string(500, 'x'), kKari).size());
  EXPECT_EQ(*Tokens().Open(Tokens().Seal(longer, kKari), kKari), longer);
}

TEST(PageTokensTest, EmptyMeansFirstAndLastPage) {
  EXPECT_EQ(Tokens().Seal("", kKari), "");
  EXPECT_EQ(*Tokens().Open("", kKari), "");
}

TEST(PageTokensTest, RefusesAnotherCallerOrQuery) {
  const std::string wire = Tokens().Seal(kRaw, kKari);
  for (const std::string& other :
       {PageTokenBinding({"ListPathways", "ola", "centre/"}),
        PageTokenBinding({"ListPathways", "kari", "stage/"}),
        PageTokenBinding({"ListTasks", "kari", "centre/"})}) {
    absl::StatusOr<std::string> raw = Tokens().Open(wire, other);
    EXPECT_EQ(raw.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(raw.status().message(),
              "page_token is not one this server gave out");
  }
}

TEST(PageTokensTest, RefusesAnotherServersKey) {
  PageTokens other(std::string(32, 'o'));
  EXPECT_FALSE(other.Open(Tokens().Seal(kRaw, kKari), kKari).ok());
}

TEST(PageTokensTest, RefusesTamperedAndMadeUpTokens) {
  std::string bytes;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(Tokens().Seal(kRaw, kKari), &bytes));
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string flipped = bytes;
    flipped[i] ^= 1;
    EXPECT_FALSE(Tokens().Open(absl::WebSafeBase64Escape(flipped), kKari).ok())
        << "byte " << i;
  }
  // What today's servers gave out: plain base64 of the key.
  EXPECT_FALSE(Tokens().Open(absl::WebSafeBase64Escape(kRaw), kKari).ok());
  EXPECT_FALSE(Tokens().Open("not base64 !", kKari).ok());
  EXPECT_FALSE(Tokens().Open("AAAA", kKari).ok());
}

TEST(PageTokenBindingTest, PartsCannotRunTogether) {
  EXPECT_NE(PageTokenBinding({"ab", "c"}), PageTokenBinding({"a", "bc"}));
}

}  // namespace
}  // namespace returnpath::engine
