// A store written by an earlier release (tests/golden/make_store_v1.sh) opens
// under today's daemon: it is migrated to the workflow's state schema before
// serving, and every person reads as the earlier release showed them.

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

const char kGolden[] = GOLDEN_STORE_DIR;

class GoldenStoreTest : public IntegrationTest {
 protected:
  DaemonOptions Options() const override {
    DaemonOptions options =
        WithPrincipals({{"golden", v1::ROLE_RECEPTION, {"*"}},
                        {"auditor", v1::ROLE_AUDITOR, {"*"}},
                        {"admin", v1::ROLE_ADMIN, {}}});
    // Where the script left the clock; the adviser's 12-hour lease still runs.
    options.clock_start = "2026-06-30T22:00:00Z";
    options.prepare_data_dir = [](const std::string& data_dir) {
      std::error_code error;
      std::filesystem::copy(absl::StrCat(kGolden, "/store"),
                            absl::StrCat(data_dir, "/store"),
                            std::filesystem::copy_options::recursive, error);
      if (error) {
        return absl::InternalError(
            absl::StrCat("cannot copy the golden store: ", error.message()));
      }
      return absl::OkStatus();
    };
    return options;
  }

  ProcessResult CtlWith(const std::string& name,
                        std::vector<std::string> args) {
    args.insert(args.begin(), {"--token", daemon().Token(name)});
    return Ctl(args);
  }
};

TEST_F(GoldenStoreTest, MigratesThenShowsEveryPersonAsTheOldReleaseDid) {
  EXPECT_THAT(daemon().LogTail(),
              HasSubstr("migrated the store to state schema "
                        "\\\"returnpath.v1.PathwayState/1\\\": 10 streams"));
  int persons = 0;
  for (const auto& file : std::filesystem::directory_iterator(
           absl::StrCat(kGolden, "/expected"))) {
    const std::string person = file.path().stem();
    ProcessResult shown = CtlWith("golden", {"show", "--person", person});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_EQ(shown.out, process::ReadFile(file.path())) << person;
    ++persons;
  }
  // Their tasks' states are in what `show` prints: the adviser's lease is
  // still held.
  EXPECT_EQ(persons, 10);

  ProcessResult verified = CtlWith("auditor", {"audit", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  ProcessResult rebuilt = CtlWith("auditor", {"audit", "replay-check"});
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.out << rebuilt.err;
  EXPECT_THAT(rebuilt.out, HasSubstr("no differences"));
}

}  // namespace
}  // namespace returnpath::integration
