#include "engine/stream_keys.h"

#include <string>

#include "engine/aead.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::testing::HasSubstr;

MasterKey Key(char digit, std::string source) {
  return *MasterKeyFromText(std::string(64, digit), std::move(source));
}

const MasterKey kA = Key('a', "file /keys/a");
const MasterKey kB = Key('b', "file /keys/b");

TEST(StreamKeysTest, NewStreamKeysAre32FreshBytes) {
  const std::string key = NewStreamKey();
  EXPECT_EQ(key.size(), 32u);
  EXPECT_NE(key, NewStreamKey());
}

TEST(StreamKeysTest, UnwrapsWhatItWrapped) {
  const std::string key = NewStreamKey();
  const WrappedKey wrapped = WrapStreamKey(kA, "stream-1", key);
  EXPECT_EQ(wrapped.master_key_id, kA.id);
  EXPECT_EQ(wrapped.sealed.find(key), std::string::npos);
  absl::StatusOr<std::string> unwrapped =
      UnwrapStreamKey(MasterKeyring(kA), "stream-1", wrapped);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status();
  EXPECT_EQ(*unwrapped, key);
}

TEST(StreamKeysTest, AWrappedKeyMovedToAnotherStreamDoesNotOpen) {
  const WrappedKey wrapped = WrapStreamKey(kA, "stream-1", NewStreamKey());
  absl::StatusOr<std::string> unwrapped =
      UnwrapStreamKey(MasterKeyring(kA), "stream-2", wrapped);
  EXPECT_EQ(unwrapped.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(unwrapped.status().message(), HasSubstr("stream-2"));
}

TEST(StreamKeysTest, AChangedWrappedKeyDoesNotOpen) {
  WrappedKey wrapped = WrapStreamKey(kA, "stream-1", NewStreamKey());
  wrapped.sealed.back() ^= 0x01;
  EXPECT_EQ(
      UnwrapStreamKey(MasterKeyring(kA), "stream-1", wrapped).status().code(),
      absl::StatusCode::kDataLoss);
}

TEST(StreamKeysTest, RotationRewrapsWithoutChangingTheStreamKey) {
  const std::string key = NewStreamKey();
  const WrappedKey under_a = WrapStreamKey(kA, "stream-1", key);
  absl::StatusOr<std::string> event = AeadSeal(key, "an event", "stream-1");
  ASSERT_TRUE(event.ok()) << event.status();

  const MasterKeyring rotating(kB, {kA});
  EXPECT_EQ(UnwrapStreamKey(rotating, "stream-1", under_a).value_or(""), key);
  absl::StatusOr<WrappedKey> under_b =
      RewrapStreamKey(rotating, "stream-1", under_a);
  ASSERT_TRUE(under_b.ok()) << under_b.status();
  EXPECT_EQ(under_b->master_key_id, kB.id);

  // After rotation only B is given, and the event sealed before still opens.
  absl::StatusOr<std::string> unwrapped =
      UnwrapStreamKey(MasterKeyring(kB), "stream-1", *under_b);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status();
  EXPECT_EQ(*unwrapped, key);
  EXPECT_EQ(AeadOpen(*unwrapped, *event, "stream-1").value_or(""), "an event");
}

TEST(StreamKeysTest, AKeyWrappedWithAMasterKeyNotGivenIsRefusedByName) {
  const WrappedKey under_a = WrapStreamKey(kA, "stream-1", NewStreamKey());
  for (absl::Status status :
       {UnwrapStreamKey(MasterKeyring(kB), "stream-1", under_a).status(),
        RewrapStreamKey(MasterKeyring(kB), "stream-1", under_a).status()}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(status.message(),
                HasSubstr("the key of stream stream-1 is wrapped with master "
                          "key " +
                          kA.id + ", which this process was not given"));
  }
}

TEST(StreamKeysTest, EncodesAndDecodesWrappedKeys) {
  const WrappedKey wrapped = WrapStreamKey(kA, "stream-1", NewStreamKey());
  const std::string bytes = EncodeWrappedKey(wrapped);
  absl::StatusOr<WrappedKey> decoded = DecodeWrappedKey(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->master_key_id, wrapped.master_key_id);
  EXPECT_EQ(decoded->sealed, wrapped.sealed);
}

TEST(StreamKeysTest, RefusesMalformedWrappedKeyRecords) {
  const std::string bytes =
      EncodeWrappedKey(WrapStreamKey(kA, "stream-1", NewStreamKey()));
  std::string other_version = bytes;
  other_version[0] = 2;
  for (const std::string& malformed :
       {std::string(), std::string(1, '\x01'), other_version,
        std::string("\x01\x10", 2) + "short"}) {
    absl::StatusOr<WrappedKey> decoded = DecodeWrappedKey(malformed);
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(decoded.status().message(),
                HasSubstr("a wrapped key record is damaged"));
  }
}

TEST(MasterKeyCheckTest, TheRightKeyPasses) {
  EXPECT_TRUE(CheckMasterKey(MasterKeyring(kA), MasterKeyCheck(kA)).ok());
}

TEST(MasterKeyCheckTest, APreviousKeyPassesWhileRotating) {
  const absl::Status status =
      CheckMasterKey(MasterKeyring(kB, {kA}), MasterKeyCheck(kA));
  EXPECT_TRUE(status.ok()) << status;
}

TEST(MasterKeyCheckTest, AWrongKeyIsRefusedNamingBothKeys) {
  const absl::Status status =
      CheckMasterKey(MasterKeyring(kB), MasterKeyCheck(kA));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(),
              HasSubstr("the master key " + kB.id +
                        " (file /keys/b) does not open this store: its keys "
                        "are wrapped with master key " +
                        kA.id));
}

TEST(MasterKeyCheckTest, ADamagedCheckRecordIsDataLoss) {
  std::string check = MasterKeyCheck(kA);
  check.back() ^= 0x01;
  const absl::Status status = CheckMasterKey(MasterKeyring(kA), check);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("damaged"));
  EXPECT_EQ(CheckMasterKey(MasterKeyring(kA), "").code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace returnpath::engine
