#include "store/hash_chain.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

TEST(HashChainTest, IsSha256OfTheConcatenation) {
  // FIPS 180-2 test vector: SHA-256("abc").
  EXPECT_EQ(absl::BytesToHexString(ChainHash("ab", "c")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HashChainTest, GenesisIsThirtyTwoZeroBytes) {
  EXPECT_EQ(GenesisHash(), std::string(32, '\0'));
  EXPECT_EQ(ChainHash(GenesisHash(), "x").size(), kHashSize);
  EXPECT_NE(ChainHash(GenesisHash(), "x"), ChainHash(ChainHash("", ""), "x"));
}

}  // namespace
}  // namespace returnpath::engine
