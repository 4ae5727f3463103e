#include "engine/master_key.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/testing/file_modes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::ModeOf;
using ::returnpath::engine::testing::WriteWithMode;
using ::testing::HasSubstr;

const std::string kHex(64, 'a');

class MasterKeyFileTest : public ::testing::Test {
 protected:
  // engine/testing's TempDir would link the whole engine into this test.
  MasterKeyFileTest() {
    std::string tmpl = ::testing::TempDir() + "/rp_master_key_XXXXXX";
    dir_ = mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
    EXPECT_FALSE(dir_.empty());
  }
  ~MasterKeyFileTest() override { std::filesystem::remove_all(dir_); }

  std::string Path(absl::string_view name) const {
    return absl::StrCat(dir_, "/", name);
  }

  std::string dir_;
};

TEST(MasterKeyFromTextTest, ReadsSixtyFourHexDigits) {
  absl::StatusOr<MasterKey> key = MasterKeyFromText(kHex, "a test");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->key, std::string(32, '\xaa'));
  EXPECT_EQ(key->source, "a test");
  EXPECT_EQ(key->id, MasterKeyId(key->key));
}

TEST(MasterKeyFromTextTest, IgnoresWhitespaceAroundAndReadsUpperCase) {
  absl::StatusOr<MasterKey> key = MasterKeyFromText(
      absl::StrCat("  \n", absl::AsciiStrToUpper(kHex), "\n"), "a test");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->key, std::string(32, '\xaa'));
}

TEST(MasterKeyFromTextTest, RefusesOtherTextNamingTheSource) {
  for (const std::string& text :
       {std::string(62, 'a'), std::string(66, 'a'), std::string(63, 'a') + "g",
        std::string(32, 'a') + " " + std::string(32, 'a'), std::string()}) {
    absl::StatusOr<MasterKey> key =
        MasterKeyFromText(text, "environment RETURNPATH_MASTER_KEY");
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(key.status().message(),
                HasSubstr("the master key from environment "
                          "RETURNPATH_MASTER_KEY is not 64 hex digits"));
  }
}

TEST(MasterKeyIdTest, IsSixteenLowercaseHexDigitsThatDoNotRevealTheKey) {
  const std::string key(32, '\x01');
  const std::string id = MasterKeyId(key);
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id, absl::AsciiStrToLower(id));
  EXPECT_EQ(absl::BytesToHexString(absl::HexStringToBytes(id)), id);
  EXPECT_EQ(absl::BytesToHexString(key).find(id), std::string::npos);
  EXPECT_NE(id, MasterKeyId(std::string(32, '\x02')));
}

TEST_F(MasterKeyFileTest, ReadsAPrivateFile) {
  WriteWithMode(Path("master.key"), kHex + "\n", 0600);
  absl::StatusOr<MasterKey> key = ReadMasterKeyFile(Path("master.key"));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->key, std::string(32, '\xaa'));
  EXPECT_EQ(key->source, absl::StrCat("file ", Path("master.key")));
}

TEST_F(MasterKeyFileTest, RefusesAFileOthersMayRead) {
  for (mode_t mode : {0644, 0640, 0604}) {
    WriteWithMode(Path("master.key"), kHex, mode);
    absl::StatusOr<MasterKey> key = ReadMasterKeyFile(Path("master.key"));
    EXPECT_EQ(key.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(key.status().message(), HasSubstr("chmod 600"));
  }
}

TEST_F(MasterKeyFileTest, RefusesAMissingFileOrBadText) {
  EXPECT_EQ(ReadMasterKeyFile(Path("absent.key")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  WriteWithMode(Path("master.key"), "not a key\n", 0600);
  absl::StatusOr<MasterKey> key = ReadMasterKeyFile(Path("master.key"));
  EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(key.status().message(), HasSubstr(Path("master.key")));
}

TEST_F(MasterKeyFileTest, CreatesAPrivateFileThatReadsBackTheSameKey) {
  absl::StatusOr<MasterKey> created = CreateMasterKeyFile(Path("master.key"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->key.size(), 32u);
  EXPECT_EQ(ModeOf(Path("master.key")), 0600u);
  absl::StatusOr<MasterKey> read = ReadMasterKeyFile(Path("master.key"));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->key, created->key);
  EXPECT_EQ(read->id, created->id);
}

TEST_F(MasterKeyFileTest, CreatingNeverReplacesAKey) {
  absl::StatusOr<MasterKey> created = CreateMasterKeyFile(Path("master.key"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(CreateMasterKeyFile(Path("master.key")).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadMasterKeyFile(Path("master.key"))->key, created->key);
}

TEST(MasterKeyringTest, FindsTheCurrentAndPreviousKeysById) {
  const MasterKey a = *MasterKeyFromText(std::string(64, '1'), "a");
  const MasterKey b = *MasterKeyFromText(std::string(64, '2'), "b");
  const MasterKey c = *MasterKeyFromText(std::string(64, '3'), "c");
  const MasterKeyring keys(b, {a});
  EXPECT_EQ(keys.current().id, b.id);
  ASSERT_NE(keys.Find(b.id), nullptr);
  EXPECT_EQ(keys.Find(b.id)->key, b.key);
  ASSERT_NE(keys.Find(a.id), nullptr);
  EXPECT_EQ(keys.Find(a.id)->key, a.key);
  EXPECT_EQ(keys.Find(c.id), nullptr);
}

}  // namespace
}  // namespace returnpath::engine
