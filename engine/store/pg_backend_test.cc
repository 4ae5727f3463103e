#include "store/pg_backend.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "engine/testing/child_process.h"
#include "engine/testing/pg_cluster.h"
#include "gtest/gtest.h"
#include "store/pg_connection.h"
#include "store/pg_view.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::PgCluster;

// One server for every test; each test has a database of its own.
class PgBackendTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::string> dir = process::MakeTempDir("rp_pg_test_");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = new std::string(*dir);
    absl::StatusOr<std::unique_ptr<PgCluster>> cluster =
        PgCluster::Create(*dir);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = cluster->release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
    if (dir_ != nullptr) std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  void SetUp() override {
    ASSERT_NE(cluster_, nullptr) << "no PostgreSQL server";
    database_ = absl::AsciiStrToLower(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    absl::StatusOr<std::string> conninfo = cluster_->CreateDatabase(database_);
    ASSERT_TRUE(conninfo.ok()) << conninfo.status();
    conninfo_ = *conninfo;
  }

  std::unique_ptr<StoreBackend> Open() {
    PostgresOptions options;
    options.conninfo = conninfo_;
    options.log = [](absl::string_view, absl::string_view) {};
    absl::StatusOr<std::unique_ptr<StoreBackend>> backend =
        OpenPostgresBackend(options);
    EXPECT_TRUE(backend.ok()) << backend.status();
    return backend.ok() ? *std::move(backend) : nullptr;
  }

  static void Put(StoreBackend& backend, Table table, absl::string_view key,
                  absl::string_view value) {
    WriteSet writes;
    writes.Put(table, key, value);
    ASSERT_TRUE(backend.WriteNow(writes).ok());
  }

  static std::vector<std::string> Keys(const StoreView& view, Table table,
                                       absl::string_view start = "",
                                       absl::string_view limit = "") {
    std::vector<std::string> keys;
    std::unique_ptr<TableCursor> cursor = view.Cursor(table, start, limit);
    for (; cursor->Valid(); cursor->Next()) keys.emplace_back(cursor->key());
    EXPECT_TRUE(cursor->status().ok()) << cursor->status();
    return keys;
  }

  static std::string Value(const StoreView& view, Table table,
                           absl::string_view key) {
    absl::StatusOr<std::string> value = view.Get(table, key);
    if (absl::IsNotFound(value.status())) return "<absent>";
    return value.ok() ? *value : value.status().ToString();
  }

  static PgCluster* cluster_;
  static std::string* dir_;
  std::string database_;
  std::string conninfo_;
};

PgCluster* PgBackendTest::cluster_ = nullptr;
std::string* PgBackendTest::dir_ = nullptr;

TEST_F(PgBackendTest, PutGetDelete) {
  std::unique_ptr<StoreBackend> backend = Open();
  EXPECT_TRUE(backend->Shared());
  EXPECT_TRUE(
      absl::IsNotFound(backend->Latest().Get(Table::kState, "k").status()));
  Put(*backend, Table::kState, "k", std::string("v\0w", 3));
  EXPECT_EQ(Value(backend->Latest(), Table::kState, "k"),
            std::string("v\0w", 3));
  EXPECT_EQ(Value(backend->Latest(), Table::kEvents, "k"), "<absent>");
  WriteSet erase;
  erase.Delete(Table::kState, "k");
  ASSERT_TRUE(backend->WriteNow(erase).ok());
  EXPECT_EQ(Value(backend->Latest(), Table::kState, "k"), "<absent>");
  EXPECT_TRUE(backend->Close().ok());
  EXPECT_TRUE(backend->Close().ok());
  EXPECT_FALSE(backend->Latest().Get(Table::kState, "k").ok());
}

TEST_F(PgBackendTest, APositionOrStreamVersionIsWrittenOnce) {
  std::unique_ptr<StoreBackend> backend = Open();
  Put(*backend, Table::kEvents, "position-7", "first");
  Put(*backend, Table::kStreams, "p1/version-1", "7");
  for (Table table : {Table::kEvents, Table::kStreams}) {
    WriteSet again;
    again.Put(Table::kState, "p1", "state of the second writer");
    again.Put(table, table == Table::kEvents ? "position-7" : "p1/version-1",
              "second");
    const absl::Status refused = backend->WriteNow(again);
    EXPECT_EQ(refused.code(), absl::StatusCode::kAborted) << refused;
    EXPECT_EQ(Value(backend->Latest(), Table::kState, "p1"), "<absent>");
  }
  EXPECT_EQ(Value(backend->Latest(), Table::kEvents, "position-7"), "first");
  EXPECT_EQ(Value(backend->Latest(), Table::kStreams, "p1/version-1"), "7");
  // The other tables are overwritten as they should be.
  Put(*backend, Table::kState, "p1", "a");
  Put(*backend, Table::kState, "p1", "b");
  EXPECT_EQ(Value(backend->Latest(), Table::kState, "p1"), "b");
}

TEST_F(PgBackendTest, AServerThatTakesNoWritesIsLeftForAnother) {
  std::unique_ptr<StoreBackend> fresh = Open();
  ASSERT_NE(fresh, nullptr);
  // What a demoted primary answers a new session: it is read-only.
  ASSERT_TRUE(cluster_
                  ->Psql(absl::StrCat("ALTER DATABASE \"", database_,
                                      "\" SET default_transaction_read_only "
                                      "= on"))
                  .ok());
  WriteSet refused;
  refused.Put(Table::kState, "k", "v");
  const absl::Status written = fresh->WriteNow(refused);
  EXPECT_EQ(written.code(), absl::StatusCode::kUnavailable) << written;
  ASSERT_TRUE(cluster_
                  ->Psql(absl::StrCat("ALTER DATABASE \"", database_,
                                      "\" SET default_transaction_read_only "
                                      "= off"))
                  .ok());
  // The refused connection is not kept: the next write connects again.
  EXPECT_TRUE(fresh->WriteNow(refused).ok());
  EXPECT_EQ(Value(fresh->Latest(), Table::kState, "k"), "v");
}

TEST_F(PgBackendTest, KeysSortBytewiseAsRocksDb) {
  // memcmp order, a prefix first.
  const std::vector<std::string> sorted = {std::string("\x00", 1),
                                           std::string("\x00\x00", 2),
                                           std::string("\x00\x01", 2),
                                           "\x01",
                                           "a",
                                           "ab",
                                           "b",
                                           "\x7f",
                                           std::string("\x7f\x00", 2),
                                           "\x7f\xff",
                                           "\x80",
                                           std::string("\x80\x00", 2),
                                           "\xfe",
                                           "\xff",
                                           std::string("\xff\x00", 2),
                                           "\xff\xff"};
  std::unique_ptr<StoreBackend> backend = Open();
  WriteSet writes;
  for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) {
    writes.Put(Table::kIndex, *it, *it);
  }
  ASSERT_TRUE(backend->WriteNow(writes).ok());
  EXPECT_EQ(Keys(backend->Latest(), Table::kIndex), sorted);
  EXPECT_EQ(Keys(backend->Latest(), Table::kIndex, "\x7f", "\x80"),
            std::vector<std::string>(sorted.begin() + 7, sorted.begin() + 10));
  for (const std::string& key : sorted) {
    EXPECT_EQ(Value(backend->Latest(), Table::kIndex, key), key);
  }
}

TEST_F(PgBackendTest, CursorRanges) {
  std::unique_ptr<StoreBackend> backend = Open();
  WriteSet writes;
  for (const char* key : {"a", "b", "c", "d"})
    writes.Put(Table::kTasks, key, "v");
  writes.Put(Table::kTimers, "c", "other table");
  ASSERT_TRUE(backend->WriteNow(writes).ok());
  const StoreView& view = backend->Latest();
  using Strings = std::vector<std::string>;
  EXPECT_EQ(Keys(view, Table::kTasks, "b", "d"), (Strings{"b", "c"}));
  EXPECT_EQ(Keys(view, Table::kTasks, "b"), (Strings{"b", "c", "d"}));
  EXPECT_EQ(Keys(view, Table::kTasks, "bb", "cc"), (Strings{"c"}));
  EXPECT_EQ(Keys(view, Table::kTasks, "", "b"), (Strings{"a"}));
  EXPECT_EQ(Keys(view, Table::kTasks, "e"), Strings{});
  EXPECT_EQ(Keys(view, Table::kTasks, "c", "c"), Strings{});
  std::unique_ptr<TableCursor> cursor = view.Cursor(Table::kTimers);
  ASSERT_TRUE(cursor->Valid());
  EXPECT_EQ(cursor->value(), "other table");
}

TEST_F(PgBackendTest, CursorReadsPageAfterPage) {
  std::unique_ptr<StoreBackend> backend = Open();
  WriteSet writes;
  std::vector<std::string> keys;
  for (int i = 0; i < 1300; ++i) {
    keys.push_back(absl::StrFormat("key%05d", i));
    writes.Put(Table::kEvents, keys.back(), absl::StrCat("value", i));
  }
  ASSERT_TRUE(backend->WriteNow(writes).ok());
  EXPECT_EQ(Keys(backend->Latest(), Table::kEvents), keys);
  EXPECT_EQ(Keys(backend->Latest(), Table::kEvents, "key00100", "key01200"),
            std::vector<std::string>(keys.begin() + 100, keys.begin() + 1200));
  std::unique_ptr<StoreView> snapshot = *backend->Snapshot();
  EXPECT_EQ(Keys(*snapshot, Table::kEvents), keys);
}

TEST_F(PgBackendTest, QueueTablesAreVacuumedAfterAThousandRemovedRows) {
  std::unique_ptr<StoreBackend> backend = Open();
  absl::StatusOr<std::unique_ptr<PgConnection>> connection =
      PgConnection::Connect(conninfo_);
  ASSERT_TRUE(connection.ok()) << connection.status();
  for (const char* table : {"rp_timers", "rp_task_ready"}) {
    const absl::string_view name[] = {table};
    absl::StatusOr<PgResult> options =
        (*connection)
            ->Query(
                "SELECT array_to_string(reloptions, ',')::bytea FROM pg_class "
                "WHERE relname = convert_from($1, 'UTF8')",
                name);
    ASSERT_TRUE(options.ok()) << options.status();
    ASSERT_EQ(PQntuples(options->get()), 1) << table;
    EXPECT_EQ(PgBytes(options->get(), 0, 0),
              "autovacuum_vacuum_scale_factor=0,"
              "autovacuum_vacuum_threshold=1000")
        << table;
  }
}

TEST_F(PgBackendTest, AGroupAnswersPrefetchedKeysFromWhatItReadAtOnce) {
  std::unique_ptr<StoreBackend> backend = Open();
  Put(*backend, Table::kState, "kept", "before");
  Put(*backend, Table::kTasks, "other", "before");
  absl::StatusOr<std::unique_ptr<GroupWrite>> group = backend->BeginGroup();
  ASSERT_TRUE(group.ok()) << group.status();
  const TableKey keys[] = {{Table::kState, "kept"},
                           {Table::kState, "absent"},
                           {Table::kTasks, "other"}};
  ASSERT_TRUE((*group)->Prefetch(keys).ok());
  // Rows changed behind the group's back (by SQL, not through a store,
  // which would wait for the group): its reads of what it prefetched do
  // not go to the server again; other reads do.
  absl::StatusOr<std::unique_ptr<PgConnection>> dba =
      PgConnection::Connect(conninfo_);
  ASSERT_TRUE(dba.ok()) << dba.status();
  ASSERT_TRUE((*dba)
                  ->Exec("UPDATE rp_state SET value = 'after';"
                         "INSERT INTO rp_state VALUES ('absent', 'now');"
                         "INSERT INTO rp_state VALUES ('late', 'read');")
                  .ok());
  EXPECT_EQ(*(*group)->Get(Table::kState, "kept"), "before");
  EXPECT_TRUE(absl::IsNotFound((*group)->Get(Table::kState, "absent").status()));
  EXPECT_EQ(*(*group)->Get(Table::kTasks, "other"), "before");
  EXPECT_EQ(*(*group)->Get(Table::kState, "late"), "read");
}

// Notes each page's size a cursor asks for.
class PageSizes final : public PgReader {
 public:
  explicit PageSizes(const PgReader& reader) : reader_(reader) {}
  absl::StatusOr<PgResult> Read(
      const std::string& sql,
      absl::Span<const absl::string_view> params) const override {
    const size_t at = sql.rfind(" LIMIT ");
    if (at != std::string::npos) sizes.push_back(std::stoi(sql.substr(at + 7)));
    return reader_.Read(sql, params);
  }
  mutable std::vector<int> sizes;

 private:
  const PgReader& reader_;
};

TEST_F(PgBackendTest, CursorPagesStartSmallAndGrow) {
  std::unique_ptr<StoreBackend> backend = Open();
  WriteSet writes;
  for (int i = 0; i < 1300; ++i) {
    writes.Put(Table::kTimers, absl::StrFormat("key%05d", i), "v");
  }
  ASSERT_TRUE(backend->WriteNow(writes).ok());
  PageSizes reader(dynamic_cast<const PgReader&>(backend->Latest()));
  {
    // A scan that stops after the first rows reads one small page.
    std::unique_ptr<TableCursor> cursor =
        NewPgCursor(reader, Table::kTimers, "", "");
    for (int i = 0; i < 3; ++i) cursor->Next();
    EXPECT_EQ(cursor->key(), "key00003");
    EXPECT_EQ(reader.sizes, std::vector<int>{16});
  }
  reader.sizes.clear();
  std::unique_ptr<TableCursor> cursor =
      NewPgCursor(reader, Table::kTimers, "", "");
  int rows = 0;
  for (; cursor->Valid(); cursor->Next()) ++rows;
  EXPECT_TRUE(cursor->status().ok()) << cursor->status();
  EXPECT_EQ(rows, 1300);
  EXPECT_EQ(reader.sizes, (std::vector<int>{16, 32, 64, 128, 256, 512, 512}));
}

TEST_F(PgBackendTest, SnapshotDoesNotSeeLaterCommits) {
  std::unique_ptr<StoreBackend> backend = Open();
  Put(*backend, Table::kState, "k", "before");
  absl::StatusOr<std::unique_ptr<StoreView>> snapshot = backend->Snapshot();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  Put(*backend, Table::kState, "k", "after");
  Put(*backend, Table::kState, "new", "x");
  EXPECT_EQ(Value(**snapshot, Table::kState, "k"), "before");
  EXPECT_EQ(Keys(**snapshot, Table::kState), std::vector<std::string>{"k"});
  EXPECT_EQ(Value(backend->Latest(), Table::kState, "k"), "after");
  EXPECT_EQ(Value(backend->Latest(), Table::kState, "new"), "x");
  // Several threads may read one snapshot.
  std::vector<std::thread> readers;
  std::atomic<int> right{0};
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      for (int j = 0; j < 20; ++j) {
        if (Value(**snapshot, Table::kState, "k") == "before") ++right;
      }
    });
  }
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(right.load(), 80);
}

TEST_F(PgBackendTest, GroupReadsWhatAnotherProcessCommitted) {
  std::unique_ptr<StoreBackend> a = Open();
  std::unique_ptr<StoreBackend> b = Open();
  Put(*b, Table::kStreams, "s", "from b");
  absl::StatusOr<std::unique_ptr<GroupWrite>> group = a->BeginGroup();
  ASSERT_TRUE(group.ok()) << group.status();
  EXPECT_EQ(Value(**group, Table::kStreams, "s"), "from b");
  EXPECT_EQ(Keys(**group, Table::kStreams), std::vector<std::string>{"s"});
}

TEST_F(PgBackendTest, GroupsOfTwoBackendsRunOneAtATime) {
  std::unique_ptr<StoreBackend> a = Open();
  std::unique_ptr<StoreBackend> b = Open();
  absl::StatusOr<std::unique_ptr<GroupWrite>> group_a = a->BeginGroup();
  ASSERT_TRUE(group_a.ok()) << group_a.status();
  absl::Notification b_began;
  std::string b_read;
  std::thread thread_b([&] {
    absl::StatusOr<std::unique_ptr<GroupWrite>> group_b = b->BeginGroup();
    b_began.Notify();
    ASSERT_TRUE(group_b.ok()) << group_b.status();
    b_read = Value(**group_b, Table::kMeta, "m");
    ASSERT_TRUE((*group_b)->Commit(WriteSet()).ok());
  });
  EXPECT_FALSE(b_began.WaitForNotificationWithTimeout(absl::Milliseconds(300)));
  WriteSet writes;
  writes.Put(Table::kMeta, "m", "from a");
  ASSERT_TRUE((*group_a)->Commit(writes).ok());
  thread_b.join();
  EXPECT_TRUE(b_began.HasBeenNotified());
  EXPECT_EQ(b_read, "from a");
}

TEST_F(PgBackendTest, OpsOnOneKeyApplyInOrder) {
  std::unique_ptr<StoreBackend> backend = Open();
  Put(*backend, Table::kKeys, "gone", "old");
  WriteSet writes;
  writes.Put(Table::kKeys, "k", "1");
  writes.Delete(Table::kKeys, "k");
  writes.Put(Table::kKeys, "k", "2");
  writes.Put(Table::kKeys, "erased", "1");
  writes.Delete(Table::kKeys, "erased");
  writes.Put(Table::kKeys, "gone", "new");
  writes.Delete(Table::kKeys, "gone");
  writes.Delete(Table::kKeys, "never");
  writes.Put(Table::kAccessLog, "k", "other table");
  ASSERT_TRUE(backend->WriteNow(writes).ok());
  EXPECT_EQ(Value(backend->Latest(), Table::kKeys, "k"), "2");
  EXPECT_EQ(Value(backend->Latest(), Table::kKeys, "erased"), "<absent>");
  EXPECT_EQ(Value(backend->Latest(), Table::kKeys, "gone"), "<absent>");
  EXPECT_EQ(Value(backend->Latest(), Table::kAccessLog, "k"), "other table");
}

TEST_F(PgBackendTest, UncommittedGroupRollsBackAndUnlocks) {
  std::unique_ptr<StoreBackend> a = Open();
  std::unique_ptr<StoreBackend> b = Open();
  {
    absl::StatusOr<std::unique_ptr<GroupWrite>> group = a->BeginGroup();
    ASSERT_TRUE(group.ok()) << group.status();
  }
  absl::StatusOr<std::unique_ptr<GroupWrite>> group = b->BeginGroup();
  ASSERT_TRUE(group.ok()) << group.status();
  WriteSet writes;
  writes.Put(Table::kTaskReady, "t", "1");
  ASSERT_TRUE((*group)->Commit(writes).ok());
  EXPECT_FALSE((*group)->Commit(writes).ok());
  // a's writer connection is reused after the rollback.
  ASSERT_TRUE(a->WriteNow(writes).ok());
  EXPECT_EQ(Value(a->Latest(), Table::kTaskReady, "t"), "1");
}

// Counts calls of OnOthersCommitted's callback.
class ChangeCounter {
 public:
  std::function<void()> Callback() {
    return [this] {
      absl::MutexLock lock(&mu_);
      ++count_;
    };
  }
  // Waits up to 30 s for the count to reach `n`; the count then.
  int WaitFor(int n) {
    absl::MutexLock lock(&mu_);
    auto reached = [&] {
      mu_.AssertHeld();
      return count_ >= n;
    };
    mu_.AwaitWithTimeout(absl::Condition(&reached), absl::Seconds(30));
    return count_;
  }

 private:
  absl::Mutex mu_;
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST_F(PgBackendTest, OthersCommittedFiresForOtherProcessesOnly) {
  std::unique_ptr<StoreBackend> a = Open();
  std::unique_ptr<StoreBackend> b = Open();
  ChangeCounter changes;
  b->OnOthersCommitted(changes.Callback());
  Put(*a, Table::kEvents, "1", "a");
  EXPECT_EQ(changes.WaitFor(1), 1);
  Put(*b, Table::kEvents, "2", "b");  // b's own: no call
  Put(*a, Table::kEvents, "3", "a");
  // Notifications arrive in commit order: b's own came before a's second.
  EXPECT_EQ(changes.WaitFor(2), 2);
  EXPECT_TRUE(b->Close().ok());
}

TEST_F(PgBackendTest, OpeningAtOnceCreatesTheSchemaOnce) {
  std::vector<std::thread> openers;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i) {
    openers.emplace_back([&] {
      if (Open() != nullptr) ++opened;
    });
  }
  for (std::thread& opener : openers) opener.join();
  EXPECT_EQ(opened.load(), 4);
}

TEST_F(PgBackendTest, CommitOf2560Puts) {
  std::unique_ptr<StoreBackend> backend = Open();
  WriteSet writes;
  for (int i = 0; i < 2560; ++i) {
    writes.Put(static_cast<Table>(i % 4), absl::StrFormat("key-%08d", i),
               std::string(200, 'v'));
  }
  absl::StatusOr<std::unique_ptr<GroupWrite>> group = backend->BeginGroup();
  ASSERT_TRUE(group.ok()) << group.status();
  const absl::Time start = absl::Now();
  ASSERT_TRUE((*group)->Commit(writes).ok());
  const absl::Duration took = absl::Now() - start;
  std::cout << "Commit of 2560 puts: " << absl::FormatDuration(took) << "\n";
  RecordProperty("commit_2560_puts_us",
                 static_cast<int>(absl::ToInt64Microseconds(took)));
  EXPECT_EQ(Keys(backend->Latest(), Table::kEvents).size(), 640u);
}

// Last: it restarts the server.
TEST_F(PgBackendTest, ReconnectsAfterTheServerRestarts) {
  std::unique_ptr<StoreBackend> a = Open();
  std::unique_ptr<StoreBackend> b = Open();
  ChangeCounter changes;
  b->OnOthersCommitted(changes.Callback());
  Put(*a, Table::kState, "k", "v");
  ASSERT_EQ(changes.WaitFor(1), 1);
  const absl::Status killed = cluster_->Kill();
  ASSERT_TRUE(killed.ok()) << killed;
  EXPECT_TRUE(
      absl::IsUnavailable(a->Latest().Get(Table::kState, "k").status()));
  EXPECT_TRUE(absl::IsUnavailable(a->BeginGroup().status()));
  EXPECT_TRUE(absl::IsUnavailable(a->Snapshot().status()));
  const absl::Status started = cluster_->Start();
  ASSERT_TRUE(started.ok()) << started;
  EXPECT_EQ(Value(a->Latest(), Table::kState, "k"), "v");
  Put(*a, Table::kState, "k", "after restart");
  EXPECT_EQ(Value(b->Latest(), Table::kState, "k"), "after restart");
  // b's listener reconnected and said so (and saw a's commit, maybe).
  EXPECT_GE(changes.WaitFor(2), 2);
}

}  // namespace
}  // namespace returnpath::engine
