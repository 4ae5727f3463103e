#include "absl/strings/escaping.h"
#include "engine/digest.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

TEST(HmacSha256Test, MatchesRfc4231) {  // test case 2
  EXPECT_EQ(absl::BytesToHexString(
                HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(RandomBytesTest, GivesWhatWasAskedForAndNeverTheSameTwice) {
  const std::string a = RandomBytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, RandomBytes(32));
  EXPECT_TRUE(RandomBytes(0).empty());
}

}  // namespace
}  // namespace returnpath::engine
