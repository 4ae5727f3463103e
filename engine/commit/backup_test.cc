// Online backups: taken while writers append, restored into a new store that
// holds every event acknowledged before the backup began, verifies, and
// replays to what it stores; later backups share unchanged files.

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/replay.h"
#include "engine/testing/runtime_test_util.h"
#include "engine/testing/store_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::FakeWorkflow;
using ::returnpath::engine::testing::Req;
using ::returnpath::engine::testing::TempDir;
using ::testing::HasSubstr;

uint64_t BytesUnder(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

class BackupTest : public ::testing::Test {
 protected:
  BackupTest() : clock_(Day(1)) {}

  absl::StatusOr<std::unique_ptr<EventStore>> Open(const std::string& path) {
    StoreOptions options;
    options.path = path;
    options.clock = &clock_;
    options.workflow = &workflow_;
    return EventStore::Open(options);
  }

  ManualClock clock_;
  FakeWorkflow workflow_;
  TempDir store_dir_, backup_dir_, restore_dir_;
};

TEST_F(BackupTest, ABackupUnderWritesRestoresEveryEventAcknowledgedBefore) {
  absl::StatusOr<std::unique_ptr<EventStore>> store = Open(store_dir_.path());
  ASSERT_TRUE(store.ok()) << store.status();
  std::atomic<bool> stop{false};
  absl::Mutex mu;
  std::vector<uint64_t> acked;  // positions acknowledged, in any order
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop; ++i) {
        const std::string text =
            i % 3 == 0 ? absl::StrCat("arm:t", i, ":", 5 + i % 20)
                       : absl::StrCat("open:k", i, ":q", w, ":", i % 7, ":9");
        absl::StatusOr<AppendResult> r =
            (*store)->Append(Req(absl::StrCat("s-", w, "-", i % 50), {text}));
        ASSERT_TRUE(r.ok()) << r.status();
        absl::MutexLock lock(&mu);
        acked.push_back(r->last_position);
      }
    });
  }
  while ((*store)->LastPosition() < 2000) std::this_thread::yield();
  uint64_t acked_before = 0;
  {
    absl::MutexLock lock(&mu);
    for (uint64_t p : acked) acked_before = std::max(acked_before, p);
  }
  absl::StatusOr<StoreBackup> backup = (*store)->Backup(backup_dir_.path());
  ASSERT_TRUE(backup.ok()) << backup.status();
  stop = true;
  for (std::thread& w : writers) w.join();
  EXPECT_EQ(backup->id, 1u);
  EXPECT_GE(backup->covers_position, acked_before);
  EXPECT_EQ(backup->chain_head.size(), 32u);
  EXPECT_GT(backup->files, 0u);
  ASSERT_TRUE((*store)->Close().ok());

  const std::string restored_path = restore_dir_.path() + "/store";
  absl::StatusOr<StoreBackup> restored =
      RestoreStore(backup_dir_.path(), restored_path);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->covers_position, backup->covers_position);
  absl::StatusOr<std::unique_ptr<EventStore>> copy = Open(restored_path);
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_GE((*copy)->LastPosition(), backup->covers_position);
  EXPECT_TRUE((*copy)->Verify(1, 0, nullptr).ok());
  // Every event acknowledged before the backup began is there, and the
  // chain at the covered position is the one the backup recorded.
  absl::StatusOr<EventPage> page = (*copy)->ReadAll(1, acked_before);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->events.size(), acked_before);
  absl::StatusOr<EventPage> at = (*copy)->ReadAll(backup->covers_position, 1);
  ASSERT_TRUE(at.ok() && !at->events.empty());
  EXPECT_EQ(at->events.front().hash(), backup->chain_head);
  absl::StatusOr<ReplayReport> replay =
      ReplayCheck(**copy, workflow_, ReplayCheckOptions());
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(replay->difference_count, 0u);
  EXPECT_GE(replay->events, acked_before);
}

TEST_F(BackupTest, ALaterBackupSharesUnchangedFilesAndOldOnesArePurged) {
  absl::StatusOr<std::unique_ptr<EventStore>> store = Open(store_dir_.path());
  ASSERT_TRUE(store.ok()) << store.status();
  for (int i = 0; i < 3000; ++i) {
    ASSERT_TRUE((*store)
                    ->Append(Req(absl::StrCat("s-", i % 100),
                                 {absl::StrCat("open:k", i, ":q:1:9")}))
                    .ok());
  }
  ASSERT_TRUE((*store)->Flush().ok());
  ASSERT_TRUE((*store)->Backup(backup_dir_.path()).ok());
  const uint64_t first = BytesUnder(backup_dir_.path());
  ASSERT_TRUE((*store)->Append(Req("s-new", {"open:x:q:1:9"})).ok());
  absl::StatusOr<StoreBackup> second =
      (*store)->Backup(backup_dir_.path(), /*keep=*/1);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->id, 2u);
  // The second holds as much, but added only what changed.
  EXPECT_LT(BytesUnder(backup_dir_.path()) - first, first / 2);
  EXPECT_FALSE(std::filesystem::exists(backup_dir_.path() + "/meta/1"));
  EXPECT_TRUE(std::filesystem::exists(backup_dir_.path() + "/meta/2"));
}

TEST_F(BackupTest, RestoreRefusesAStoreThatIsNotEmptyOrABackupThatIsNot) {
  absl::StatusOr<StoreBackup> none =
      RestoreStore(backup_dir_.path() + "/missing", restore_dir_.path());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<std::unique_ptr<EventStore>> store = Open(store_dir_.path());
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Append(Req("s", {"a"})).ok());
  ASSERT_TRUE((*store)->Backup(backup_dir_.path()).ok());
  ASSERT_TRUE((*store)->Close().ok());
  absl::StatusOr<StoreBackup> over =
      RestoreStore(backup_dir_.path(), store_dir_.path());
  EXPECT_EQ(over.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(over.status().message(), HasSubstr("not empty"));
}

}  // namespace
}  // namespace returnpath::engine
