// Two stores open on one PostgreSQL database, as two returnpathd processes
// sharing it: one chain, expected versions and idempotency keys held across
// them, each due timer fired once, each task leased to one worker, and a
// write in one wakes the other. Run only on PostgreSQL (postgres/ in ctest).

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "engine/event_store.h"
#include "engine/task_queue.h"
#include "engine/testing/runtime_test_util.h"
#include "engine/testing/test_store.h"
#include "engine/timer_loop.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::Req;
using ::returnpath::engine::testing::TestStorePath;

class SharedStoreTest : public testing::RuntimeTest {
 protected:
  void SetUp() override {
    if (!testing::TestStoreIsPostgres()) {
      GTEST_SKIP() << "only a PostgreSQL store is shared by processes";
    }
    StoreOptions options;
    options.path = TestStorePath(dir_.path());
    options.clock = &clock_;
    options.workflow = &workflow_;
    options.sync = false;
    absl::StatusOr<std::unique_ptr<EventStore>> other =
        EventStore::Open(options);
    ASSERT_TRUE(other.ok()) << other.status();
    other_ = *std::move(other);
  }

  void TearDown() override {
    if (other_ != nullptr) EXPECT_TRUE(other_->Close().ok());
  }

  std::unique_ptr<EventStore> other_;  // the second process's store
};

TEST_F(SharedStoreTest, ConcurrentAppendsFromTwoProcessesMakeOneChain) {
  constexpr int kThreads = 3, kEach = 40;
  std::atomic<int> failed{0};
  std::vector<std::thread> writers;
  for (EventStore* store : {store_.get(), other_.get()}) {
    for (int t = 0; t < kThreads; ++t) {
      writers.emplace_back([store, t, &failed] {
        for (int i = 0; i < kEach; ++i) {
          const std::string stream =
              absl::StrCat("s", t, "-", i % 5);
          if (!store->Append(Req(stream, {"x"})).ok()) ++failed;
        }
      });
    }
  }
  for (std::thread& w : writers) w.join();
  EXPECT_EQ(failed.load(), 0);
  const uint64_t total = 2 * kThreads * kEach;
  EXPECT_EQ(store_->LastPosition(), total);
  EXPECT_EQ(other_->LastPosition(), total);
  EXPECT_TRUE(store_->Verify(1, 0, nullptr).ok());
  EXPECT_TRUE(other_->Verify(1, 0, nullptr).ok());
  absl::StatusOr<EventPage> all = other_->ReadAll(1, total + 10);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->events.size(), total);
  for (uint64_t i = 0; i < total; ++i) {
    EXPECT_EQ(all->events[i].position(), i + 1);
  }
  // Streams written from both processes have dense versions.
  absl::StatusOr<returnpath::v1::StreamRecord> shared =
      store_->GetStreamRecord("s0-0");
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(shared->version(), 2u * kEach / 5);
}

TEST_F(SharedStoreTest, ExpectedVersionsHoldAcrossProcesses) {
  ASSERT_TRUE(store_->Append(Req("p", {"first"}, 0)).ok());
  absl::StatusOr<AppendResult> again = other_->Append(Req("p", {"also"}, 0));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAborted)
      << again.status();
  EXPECT_TRUE(other_->Append(Req("p", {"second"}, 1)).ok());
  EXPECT_EQ(store_->Append(Req("p", {"stale"}, 1)).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(store_->GetStreamRecord("p")->version(), 2u);
}

TEST_F(SharedStoreTest, AnIdempotencyKeyHoldsAcrossProcesses) {
  absl::StatusOr<AppendResult> first =
      store_->Append(Req("p", {"once"}, std::nullopt, "key-1"));
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<AppendResult> repeat =
      other_->Append(Req("p", {"once"}, std::nullopt, "key-1"));
  ASSERT_TRUE(repeat.ok()) << repeat.status();
  EXPECT_TRUE(repeat->deduplicated);
  EXPECT_EQ(repeat->first_position, first->first_position);
  EXPECT_EQ(other_->Append(Req("p", {"other"}, std::nullopt, "key-1"))
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(other_->LastPosition(), 1u);
}

TEST_F(SharedStoreTest, EachDueTimerFiresOnceWithALoopInEachProcess) {
  constexpr int kTimers = 30;
  for (int i = 0; i < kTimers; ++i) {
    Append(absl::StrCat("p", i), absl::StrCat("arm:t:2"));
  }
  clock_.SetTime(Day(3));
  auto mine = TimerLoop::Start(store_.get(), &clock_);
  auto theirs = TimerLoop::Start(other_.get(), &clock_);
  ASSERT_TRUE(mine.ok() && theirs.ok());
  ASSERT_TRUE((*mine)->WaitIdle(absl::Seconds(60)).ok());
  ASSERT_TRUE((*theirs)->WaitIdle(absl::Seconds(60)).ok());
  const uint64_t fired = (*mine)->stats().fired + (*theirs)->stats().fired;
  (*mine)->Stop();
  (*theirs)->Stop();
  EXPECT_EQ(fired, static_cast<uint64_t>(kTimers));
  for (int i = 0; i < kTimers; ++i) {
    EXPECT_EQ(Fired(absl::StrCat("p", i), "t"), 1) << "p" << i;
  }
  EXPECT_TRUE(store_->Verify(1, 0, nullptr).ok());
}

TEST_F(SharedStoreTest, EachTaskIsLeasedToOneWorker) {
  constexpr int kTasks = 30;
  for (int i = 0; i < kTasks; ++i) {
    Append(absl::StrCat("p", i), absl::StrCat("open:k", i, ":q:100:2"));
  }
  auto mine = TaskQueue::Create(store_.get(), &clock_);
  auto theirs = TaskQueue::Create(other_.get(), &clock_);
  ASSERT_TRUE(mine.ok() && theirs.ok());
  absl::Mutex mu;
  std::multiset<std::string> leased;
  std::vector<std::thread> workers;
  for (TaskQueue* queue : {mine->get(), theirs->get()}) {
    for (int w = 0; w < 2; ++w) {
      workers.emplace_back([&, queue, w] {
        const std::string worker = absl::StrCat("w", w);
        for (;;) {
          absl::StatusOr<std::optional<returnpath::v1::Task>> task =
              queue->Lease("q", worker, absl::Hours(1));
          ASSERT_TRUE(task.ok()) << task.status();
          if (!task->has_value()) return;
          absl::MutexLock lock(&mu);
          leased.insert((*task)->stream_id());
        }
      });
    }
  }
  for (std::thread& w : workers) w.join();
  (*mine)->Stop();
  (*theirs)->Stop();
  EXPECT_EQ(leased.size(), static_cast<size_t>(kTasks));
  for (int i = 0; i < kTasks; ++i) {
    EXPECT_EQ(leased.count(absl::StrCat("p", i)), 1u) << "p" << i;
  }
}

TEST_F(SharedStoreTest, AWriteInOneProcessWakesTheOther) {
  absl::Notification woken;
  std::atomic<uint64_t> seen{0};
  other_->AddCommitListener([&](uint64_t position) {
    seen = position;
    if (position >= 1 && !woken.HasBeenNotified()) woken.Notify();
  });
  ASSERT_TRUE(store_->Append(Req("p", {"x"})).ok());
  ASSERT_TRUE(woken.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(seen.load(), 1u);
  EXPECT_EQ(other_->LastPosition(), 1u);
}

}  // namespace
}  // namespace returnpath::engine
