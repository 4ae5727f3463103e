#include "store/codec.h"

#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

TEST(CodecTest, Utf8AcceptsWellFormedText) {
  EXPECT_TRUE(IsUtf8(""));
  EXPECT_TRUE(IsUtf8("plain ascii"));
  EXPECT_TRUE(IsUtf8("returrådgiver"));
  EXPECT_TRUE(IsUtf8("\xe2\x82\xac"));      // U+20AC
  EXPECT_TRUE(IsUtf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
}

TEST(CodecTest, Utf8RefusesMalformedText) {
  EXPECT_FALSE(IsUtf8("\xff"));
  EXPECT_FALSE(IsUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsUtf8("a\x80z"));            // stray continuation
}

TEST(CodecTest, TimestampsRoundTripAndClamp) {
  absl::Time t = absl::FromUnixMicros(-1500001);
  EXPECT_EQ(FromTimestamp(ToTimestamp(t)), t);
  EXPECT_EQ(ToTimestamp(t).nanos(), 500000000 - 1000);
  EXPECT_EQ(ToTimestamp(absl::InfiniteFuture()).seconds(), 253402300799);
}

TEST(CodecTest, IdempotencyRecordsRoundTrip) {
  IdempotencyRecord in{"p-1", 4, 6, 3, ""}, out;
  ASSERT_TRUE(DecodeIdempotency(EncodeIdempotency(in), &out));
  EXPECT_EQ(out.stream_id, "p-1");
  EXPECT_EQ(out.first_position, 4u);
  EXPECT_EQ(out.last_position, 6u);
  EXPECT_EQ(out.stream_version, 3u);
  EXPECT_TRUE(out.fingerprint.empty());  // as in records from before it
  EXPECT_FALSE(DecodeIdempotency("short", &out));

  in.fingerprint = std::string("\0\x01fp", 4);
  ASSERT_TRUE(DecodeIdempotency(EncodeIdempotency(in), &out));
  EXPECT_EQ(out.stream_id, "p-1");
  EXPECT_EQ(out.fingerprint, in.fingerprint);
}

}  // namespace
}  // namespace returnpath::engine
