#include "server/principal_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::testing::HasSubstr;

v1::PrincipalEntry Reception() {
  v1::PrincipalEntry entry;
  entry.set_name("kari");
  entry.set_role(v1::ROLE_RECEPTION);
  entry.set_token_sha256(std::string(64, 'a'));
  entry.add_scopes("centre/Oslo-1");
  return entry;
}

// The message of ValidatePrincipalEntry after `change`, "" when valid.
template <typename Change>
std::string Problem(Change change) {
  v1::PrincipalEntry entry = Reception();
  change(entry);
  absl::Status status = ValidatePrincipalEntry(entry);
  if (!status.ok()) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  }
  return std::string(status.message());
}

TEST(PrincipalFileTest, ScopesHaveTheirShapes) {
  for (const char* good :
       {"*", "centre/Oslo-1", "region/OSLO", "region/MIDT_NORGE",
        "queue/police/pu", "queue/advisers/*"}) {
    EXPECT_TRUE(ValidateScope(good).ok()) << good;
  }
  for (const char* bad :
       {"", "centre/", "centre/*", "region/oslo", "queue/", "queue/*",
        "queue//x", "queue/a/*/b", "stage/OVERSTAYED", "*/*", "centre/a b"}) {
    EXPECT_EQ(ValidateScope(bad).code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(PrincipalFileTest, EntryProblemsNameTheField) {
  EXPECT_EQ(Problem([](auto&) {}), "");
  EXPECT_THAT(Problem([](auto& e) { e.clear_name(); }), HasSubstr("name"));
  EXPECT_THAT(Problem([](auto& e) { e.set_name(std::string(65, 'k')); }),
              HasSubstr("name is longer than 64"));
  EXPECT_THAT(Problem([](auto& e) { e.set_name("kari nordmann"); }),
              HasSubstr("name may hold only"));
  EXPECT_THAT(Problem([](auto& e) { e.clear_role(); }), HasSubstr("role"));
  EXPECT_THAT(Problem([](auto& e) { e.add_scopes("region/oslo"); }),
              HasSubstr("scopes[1]"));
  EXPECT_THAT(Problem([](auto& e) { e.add_allowed_event_types("no spaces"); }),
              HasSubstr("allowed_event_types[0]"));
  EXPECT_THAT(Problem([](auto& e) { e.clear_token_sha256(); }),
              HasSubstr("cert_subject is required"));
  EXPECT_THAT(Problem([](auto& e) { e.set_token_sha256("XYZ"); }),
              HasSubstr("token_sha256"));
  EXPECT_THAT(Problem([](auto& e) { e.mutable_expires()->set_seconds(-1); }),
              HasSubstr("expires"));
}

TEST(PrincipalFileTest, NamesTokensAndSubjectsAreUnique) {
  v1::PrincipalFile file;
  *file.add_principal() = Reception();
  v1::PrincipalEntry twin = Reception();
  twin.set_token_sha256(std::string(64, 'b'));
  *file.add_principal() = twin;
  absl::Status status = ValidatePrincipalFile(file);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("principal[1] (kari): name used twice"));
  file.mutable_principal(1)->set_name("ola");
  file.mutable_principal(1)->set_token_sha256(std::string(64, 'a'));
  EXPECT_THAT(ValidatePrincipalFile(file).message(),
              HasSubstr("token used twice"));
}

TEST(PrincipalFileTest, WritesWholeAndPrivateAndSaysWhenItCannot) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("rp_principal_file_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "principals.textproto").string();
  v1::PrincipalFile file;
  *file.add_principal() = Reception();
  ASSERT_TRUE(WritePrincipalFile(path, file, "# header\n").ok());
  absl::StatusOr<v1::PrincipalFile> read = ReadPrincipalFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->principal(0).name(), "kari");
  struct stat info;
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1);  // no temporary file left behind

  // A file others may write is refused: they could add an administrator.
  ::chmod(path.c_str(), 0666);
  absl::Status open_to_all = ReadPrincipalFile(path).status();
  EXPECT_EQ(open_to_all.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(open_to_all.message(), HasSubstr("chmod go-w"));
  ::chmod(path.c_str(), 0644);  // readable by others is allowed: digests only
  EXPECT_TRUE(ReadPrincipalFile(path).ok());

  // A directory that is no longer there (root ignores permissions).
  const std::string gone = (dir / "gone" / "principals.textproto").string();
  absl::Status status = WritePrincipalFile(gone, file);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("cannot write"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace returnpath::engine
