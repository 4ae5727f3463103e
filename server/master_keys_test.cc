#include "server/master_keys.h"

#include <sys/stat.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/testing/store_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::TempDir;
using ::testing::HasSubstr;

const std::string kHexA(64, 'a');
const std::string kHexB(64, 'b');

class MasterKeysTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const {
    return absl::StrCat(dir_.path(), "/", name);
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = Path(name);
    std::ofstream(path) << text << "\n";
    EXPECT_EQ(chmod(path.c_str(), 0600), 0);
    return path;
  }
  MasterKeySources Sources() const {
    MasterKeySources sources;
    sources.data_dir = dir_.path();
    return sources;
  }

  TempDir dir_;
};

TEST_F(MasterKeysTest, TheEnvironmentGivesTheKey) {
  MasterKeySources sources = Sources();
  sources.environment = kHexA;
  auto loaded = LoadMasterKeys(sources);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->keyring->current().id,
            MasterKeyId(std::string(32, '\xaa')));
  EXPECT_THAT(loaded->keyring->current().source,
              HasSubstr("RETURNPATH_MASTER_KEY"));
  EXPECT_TRUE(loaded->created.empty());
  EXPECT_FALSE(std::filesystem::exists(Path("master.key")));
}

TEST_F(MasterKeysTest, AFileGivesTheKeyAndPreviousFilesTheOldOnes) {
  MasterKeySources sources = Sources();
  sources.file = Write("current.key", kHexB);
  sources.previous_files = {Write("old.key", kHexA)};
  sources.environment = "";  // set but empty: as if unset
  auto loaded = LoadMasterKeys(sources);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->keyring->current().id,
            MasterKeyId(std::string(32, '\xbb')));
  ASSERT_EQ(loaded->keyring->previous().size(), 1u);
  EXPECT_EQ(loaded->keyring->previous()[0].id,
            MasterKeyId(std::string(32, '\xaa')));
}

TEST_F(MasterKeysTest, WithoutEitherAKeyFileIsMadeInTheDataDirOnce) {
  auto first = LoadMasterKeys(Sources());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->created, Path("master.key"));
  struct stat st;
  ASSERT_EQ(stat(Path("master.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto again = LoadMasterKeys(Sources());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->created.empty());
  EXPECT_EQ(again->keyring->current().id, first->keyring->current().id);
}

TEST_F(MasterKeysTest, AFileAndTheEnvironmentTogetherAreRefused) {
  MasterKeySources sources = Sources();
  sources.file = Write("current.key", kHexA);
  sources.environment = kHexB;
  auto loaded = LoadMasterKeys(sources);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(loaded.status().message(), HasSubstr("give one"));
}

TEST_F(MasterKeysTest, TextThatIsNoKeyIsRefused) {
  MasterKeySources sources = Sources();
  sources.environment = "not a key";
  EXPECT_EQ(LoadMasterKeys(sources).status().code(),
            absl::StatusCode::kInvalidArgument);
  sources = Sources();
  sources.file = Write("short.key", "abcd");
  auto loaded = LoadMasterKeys(sources);
  EXPECT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("64 hex digits"));
}

TEST_F(MasterKeysTest, AKeyFileOthersMayReadIsRefused) {
  MasterKeySources sources = Sources();
  sources.file = Write("open.key", kHexA);
  ASSERT_EQ(chmod(sources.file.c_str(), 0644), 0);
  EXPECT_EQ(LoadMasterKeys(sources).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace returnpath::engine
