// The daemon on a small real file system (a tmpfs mounted at its store, so
// this test needs root, as CI has): when the disk fills, writes and audited
// reads are refused with RESOURCE_EXHAUSTED and a sentence saying how full,
// other reads go on, the condition is logged once, and writes resume by
// themselves once space is freed, with nothing acknowledged lost.

#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr int kFloorMiB = 16;

uint64_t FreeMiB(const std::string& path) {
  struct statvfs fs {};
  if (statvfs(path.c_str(), &fs) != 0) return 0;
  return (uint64_t{fs.f_bavail} * fs.f_frsize) >> 20;
}

int Occurrences(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos;
       at = text.find(part, at + 1)) {
    ++n;
  }
  return n;
}

class DiskFullTest : public IntegrationTest {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> probe = MakeTempDir("rp_mount_probe_");
    ASSERT_TRUE(probe.ok()) << probe.status();
    const bool can_mount =
        mount("tmpfs", probe->c_str(), "tmpfs", 0, "size=1m") == 0;
    const int error = errno;
    if (can_mount) umount2(probe->c_str(), 0);
    std::filesystem::remove_all(*probe);
    if (!can_mount) {
      GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(error)
                   << "): this test needs root, as CI has";
    }
    IntegrationTest::SetUp();
  }

  void TearDown() override {
    if (!store_.empty()) {
      daemon().Stop();
      umount2(store_.c_str(), MNT_DETACH);
    }
    IntegrationTest::TearDown();
  }

  DaemonOptions Options() const override {
    DaemonOptions options;
    options.extra_flags = {absl::StrCat("--min_free_disk_mib=", kFloorMiB)};
    options.prepare_data_dir = [this](const std::string& data_dir) {
      const std::string store = data_dir + "/store";
      std::filesystem::create_directories(store);
      if (mount("tmpfs", store.c_str(), "tmpfs", 0, "size=48m,mode=0700") !=
          0) {
        return absl::InternalError(
            absl::StrCat("mount tmpfs: ", std::strerror(errno)));
      }
      store_ = store;
      return absl::OkStatus();
    };
    return options;
  }

  // Writes a file into the store's file system until `left_mib` are free.
  void FillUntil(uint64_t left_mib) {
    const std::string chunk(1 << 20, 'x');
    std::ofstream filler(Filler(), std::ios::binary);
    while (FreeMiB(store_) > left_mib) filler.write(chunk.data(), chunk.size());
    filler.close();
    ASSERT_TRUE(filler.good());
  }

  std::string Filler() const { return store_ + "/filler"; }

  // The auditor's Verify over the whole log (it writes nothing).
  v1::VerifyOutcome VerifyAll() {
    v1::VerifyOutcome outcome;
    absl::Status s = As("auditor").Verify({}, [&](const v1::VerifyResponse& r) {
      if (r.has_outcome()) outcome = r.outcome();
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
    return outcome;
  }

  mutable std::string store_;  // where the tmpfs is mounted
};

TEST_F(DiskFullTest, WritesStopBeforeTheDiskIsFullAndResumeWhenSpaceReturns) {
  RP_ASSERT_OK(Register({.id = "P-0"}));
  FillUntil(kFloorMiB + 1);

  // Registrations fill the last MiB above the floor, then are refused.
  int acknowledged = 1;
  absl::Status refused;
  while (acknowledged < 20000) {
    refused = StatusOf(Register({.id = absl::StrCat("P-", acknowledged)}));
    if (!refused.ok()) break;
    ++acknowledged;
  }
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_THAT(std::string(refused.message()),
              MatchesRegex("the data disk is full: [0-9]+ MiB free, writes "
                           "resume above 16 MiB"));
  EXPECT_THAT(std::string(refused.message()),
              Not(HasSubstr(daemon().data_dir())));

  // Reading a person writes the access log first: refused the same way.
  EXPECT_CODE(View("P-0"), kResourceExhausted, "the data disk is full");
  // Verify writes nothing: it is served.
  v1::VerifyOutcome outcome = VerifyAll();
  EXPECT_TRUE(outcome.ok()) << outcome.message();

  std::filesystem::remove(Filler());
  RP_ASSERT_OK(Register({.id = "P-after"}));
  for (int i : {0, acknowledged / 2, acknowledged - 1}) {
    RP_EXPECT_OK(View(absl::StrCat("P-", i)));
  }
  outcome = VerifyAll();
  EXPECT_TRUE(outcome.ok()) << outcome.message();
  EXPECT_EQ(outcome.checked(), static_cast<uint64_t>(acknowledged) + 1);

  // The store says so once per change; each refused call's request line
  // gives it as its reason.
  const std::string log = daemon().LogTail(1 << 20);
  EXPECT_EQ(Occurrences(log, "msg=\"the data disk is full"), 1) << log;
  EXPECT_EQ(Occurrences(log, "free again: writes resume\"\n"), 1) << log;
}

}  // namespace
}  // namespace returnpath::integration
