#include "engine/testing/fault_file_system.h"

#include <memory>
#include <random>
#include <string>

#include "engine/testing/store_test_util.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"

namespace returnpath::engine::testing {
namespace {

using rocksdb::IOOptions;
using rocksdb::IOStatus;

class FaultFileSystemTest : public ::testing::Test {
 protected:
  std::string File(const std::string& name) { return dir_.path() + "/" + name; }

  std::unique_ptr<rocksdb::FSWritableFile> Create(const std::string& name) {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    EXPECT_TRUE(fs_->NewWritableFile(File(name), {}, &file, nullptr).ok());
    return file;
  }

  IOStatus Write(rocksdb::FSWritableFile& file, const std::string& data) {
    return file.Append(data, IOOptions(), nullptr);
  }

  IOStatus SyncDirectory() {
    std::unique_ptr<rocksdb::FSDirectory> dir;
    IOStatus s = fs_->NewDirectory(dir_.path(), IOOptions(), &dir, nullptr);
    return s.ok() ? dir->Fsync(IOOptions(), nullptr) : s;
  }

  // The file's size after a crash; -1 if it is gone.
  int64_t SizeAfterCrash(const std::string& name, bool tear = false) {
    fs_->LosePower();
    EXPECT_TRUE(fs_->DropUnsyncedData(&rng_, tear).ok());
    uint64_t size = 0;
    IOStatus s = fs_->GetFileSize(File(name), IOOptions(), &size, nullptr);
    return s.ok() ? static_cast<int64_t>(size) : -1;
  }

  TempDir dir_;
  std::mt19937_64 rng_{7};
  std::shared_ptr<FaultFileSystem> fs_ = std::make_shared<FaultFileSystem>();
};

TEST_F(FaultFileSystemTest, CrashKeepsSyncedDataAndDropsTheRest) {
  auto file = Create("f");
  ASSERT_TRUE(Write(*file, "durable").ok());
  ASSERT_TRUE(file->Sync(IOOptions(), nullptr).ok());
  ASSERT_TRUE(Write(*file, "lost").ok());
  ASSERT_TRUE(file->Close(IOOptions(), nullptr).ok());
  EXPECT_EQ(SizeAfterCrash("f"), 7);
}

TEST_F(FaultFileSystemTest, TornWriteKeepsAPrefixOfTheUnsyncedTail) {
  auto file = Create("f");
  ASSERT_TRUE(Write(*file, "durable").ok());
  ASSERT_TRUE(file->Sync(IOOptions(), nullptr).ok());
  ASSERT_TRUE(Write(*file, std::string(1000, 'x')).ok());
  ASSERT_TRUE(file->Close(IOOptions(), nullptr).ok());
  const int64_t size = SizeAfterCrash("f", /*tear=*/true);
  EXPECT_GE(size, 7);
  EXPECT_LE(size, 1007);
}

TEST_F(FaultFileSystemTest, NeverSyncedFileInAnUnsyncedDirectoryVanishes) {
  auto file = Create("f");
  ASSERT_TRUE(Write(*file, "data").ok());
  EXPECT_EQ(SizeAfterCrash("f"), -1);
}

TEST_F(FaultFileSystemTest, DirectorySyncKeepsTheFileButNotItsData) {
  auto file = Create("f");
  ASSERT_TRUE(Write(*file, "data").ok());
  ASSERT_TRUE(SyncDirectory().ok());
  EXPECT_EQ(SizeAfterCrash("f"), 0);
}

TEST_F(FaultFileSystemTest, NothingIsWrittenOncePowerIsOff) {
  auto file = Create("f");
  fs_->LosePower();
  EXPECT_TRUE(Write(*file, "x").IsIOError());
  EXPECT_TRUE(file->Sync(IOOptions(), nullptr).IsIOError());
  std::unique_ptr<rocksdb::FSWritableFile> other;
  EXPECT_TRUE(fs_->NewWritableFile(File("g"), {}, &other, nullptr).IsIOError());
  EXPECT_TRUE(fs_->DeleteFile(File("f"), IOOptions(), nullptr).IsIOError());
}

TEST_F(FaultFileSystemTest, DropCanLeaveThePowerOffForAProcessAboutToExit) {
  auto file = Create("f");
  ASSERT_TRUE(Write(*file, "durable").ok());
  ASSERT_TRUE(file->Sync(IOOptions(), nullptr).ok());
  ASSERT_TRUE(Write(*file, "lost").ok());
  fs_->LosePower();
  ASSERT_TRUE(fs_->DropUnsyncedData(&rng_, false, /*power_on=*/false).ok());
  EXPECT_TRUE(fs_->powered_off());
  // A writer still holding the file cannot put anything after the cut.
  EXPECT_TRUE(Write(*file, "late").IsIOError());
  uint64_t size = 0;
  ASSERT_TRUE(fs_->GetFileSize(File("f"), IOOptions(), &size, nullptr).ok());
  EXPECT_EQ(size, 7u);
}

TEST_F(FaultFileSystemTest, LosesPowerAfterTheGivenWritesAndSyncs) {
  auto file = Create("f");
  fs_->LosePowerAfter(2);
  EXPECT_TRUE(Write(*file, "a").ok());
  EXPECT_TRUE(file->Sync(IOOptions(), nullptr).ok());
  EXPECT_FALSE(fs_->powered_off());
  EXPECT_TRUE(Write(*file, "b").IsIOError());
  EXPECT_TRUE(fs_->powered_off());
}

TEST_F(FaultFileSystemTest, FailsTheNthOperationOnce) {
  auto file = Create("f");
  fs_->FailNth(FaultOp::kWrite, 2, IOStatus::IOError("bad sector"));
  EXPECT_TRUE(Write(*file, "a").ok());
  EXPECT_TRUE(Write(*file, "b").IsIOError());
  EXPECT_TRUE(Write(*file, "c").ok());

  fs_->FailNth(FaultOp::kSync, 1, IOStatus::IOError("sync"));
  EXPECT_TRUE(file->Sync(IOOptions(), nullptr).IsIOError());
  EXPECT_TRUE(file->Sync(IOOptions(), nullptr).ok());

  fs_->FailNth(FaultOp::kRename, 1, IOStatus::IOError("rename"));
  EXPECT_TRUE(
      fs_->RenameFile(File("f"), File("g"), IOOptions(), nullptr).IsIOError());
  EXPECT_TRUE(fs_->RenameFile(File("f"), File("g"), IOOptions(), nullptr).ok());

  fs_->FailNth(FaultOp::kOpen, 1, IOStatus::IOError("open"));
  std::unique_ptr<rocksdb::FSWritableFile> other;
  EXPECT_TRUE(fs_->NewWritableFile(File("h"), {}, &other, nullptr).IsIOError());
}

TEST_F(FaultFileSystemTest, FullDiskRefusesWritesUntilSpaceReturns) {
  auto file = Create("f");
  fs_->SetDiskFull(true);
  IOStatus s = Write(*file, "a");
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  fs_->SetDiskFull(false);
  EXPECT_TRUE(Write(*file, "a").ok());
}

// Through RocksDB itself: a synced write survives the crash, an unsynced one
// does not.
TEST_F(FaultFileSystemTest, RocksDbKeepsOnlySyncedWritesAcrossACrash) {
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs_);
  rocksdb::Options options;
  options.env = env.get();
  options.create_if_missing = true;
  auto open = [&] {
    rocksdb::DB* raw = nullptr;
    EXPECT_TRUE(rocksdb::DB::Open(options, dir_.path(), &raw).ok());
    return std::unique_ptr<rocksdb::DB>(raw);
  };
  std::unique_ptr<rocksdb::DB> db = open();
  rocksdb::WriteOptions synced;
  synced.sync = true;
  ASSERT_TRUE(db->Put(synced, "kept", "1").ok());
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "lost", "2").ok());
  fs_->LosePower();
  db->Close().PermitUncheckedError();
  db.reset();
  ASSERT_TRUE(fs_->DropUnsyncedData(&rng_, /*tear=*/false).ok());

  db = open();
  std::string value;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), "kept", &value).ok());
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), "lost", &value).IsNotFound());
}

}  // namespace
}  // namespace returnpath::engine::testing
