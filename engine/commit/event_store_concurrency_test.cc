// Many writers and readers at once: one dense global order, dense versions
// per stream, every acknowledged range distinct, and the chain intact.

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "engine/event_store.h"
#include "engine/testing/store_test_util.h"
#include "engine/testing/test_store.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::Req;
using ::returnpath::engine::testing::TempDir;
using ::returnpath::engine::testing::TestStorePath;

constexpr int kThreads = 16;
constexpr int kRounds = 60;
constexpr int kCounterIncrements = 10;

class ConcurrencyTest : public ::testing::Test {
 protected:
  ConcurrencyTest() : clock_(Day(1)) {
    StoreOptions options;
    options.path = TestStorePath(dir_.path());
    options.clock = &clock_;
    options.max_group = 32;  // several groups even under full load
    auto store = EventStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(ConcurrencyTest, ManyWritersGiveOneDenseOrder) {
  absl::Mutex mu;
  std::vector<AppendResult> results;  // guarded by mu
  std::atomic<bool> writing{true};
  std::atomic<int> reader_checks{0};

  // A reader that, while writes go on, sees a dense, chained prefix.
  std::thread reader([&] {
    while (writing.load()) {
      auto page = store_->ReadAll(1, 100000);
      ASSERT_TRUE(page.ok()) << page.status();
      for (size_t i = 0; i < page->events.size(); ++i) {
        ASSERT_EQ(page->events[i].position(), i + 1);
        if (i > 0) {
          ASSERT_EQ(page->events[i].previous_hash(),
                    page->events[i - 1].hash());
        }
      }
      ++reader_checks;
    }
  });

  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      std::vector<AppendResult> mine;
      const std::string own = absl::StrCat("own-", t);
      for (int i = 0; i < kRounds; ++i) {
        // Own stream (two events), then the shared stream (one event).
        auto a =
            store_->Append(Req(own, {"x", "y"}, static_cast<uint64_t>(2 * i)));
        ASSERT_TRUE(a.ok()) << a.status();
        mine.push_back(*a);
        auto b = store_->Append(Req("shared", {"z"}));
        ASSERT_TRUE(b.ok()) << b.status();
        mine.push_back(*b);
      }
      // Optimistic increments of a counter stream: read, append, retry.
      for (int i = 0; i < kCounterIncrements;) {
        auto record = store_->GetStreamRecord("counter");
        uint64_t version = record.ok() ? record->version() : 0;
        auto c = store_->Append(Req("counter", {"+1"}, version));
        if (c.status().code() == absl::StatusCode::kAborted) continue;
        ASSERT_TRUE(c.ok()) << c.status();
        mine.push_back(*c);
        ++i;
      }
      absl::MutexLock lock(&mu);
      results.insert(results.end(), mine.begin(), mine.end());
    });
  }
  for (auto& w : writers) w.join();
  writing = false;
  reader.join();

  const uint64_t total = kThreads * (kRounds * 3 + kCounterIncrements);
  EXPECT_EQ(store_->LastPosition(), total);
  EXPECT_GT(reader_checks.load(), 0);

  // Every acknowledged range is distinct and together they cover 1..total.
  std::sort(results.begin(), results.end(),
            [](const AppendResult& x, const AppendResult& y) {
              return x.first_position < y.first_position;
            });
  uint64_t next = 1;
  for (const AppendResult& r : results) {
    ASSERT_EQ(r.first_position, next);
    next = r.last_position + 1;
  }
  EXPECT_EQ(next, total + 1);

  // Versions are dense per stream, in position order.
  auto page = store_->ReadAll(1, total + 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), total);
  std::map<std::string, uint64_t> versions;
  for (const auto& e : page->events) {
    ASSERT_EQ(e.stream_version(), ++versions[e.stream_id()]) << e.stream_id();
  }
  EXPECT_EQ(versions["shared"], uint64_t{kThreads * kRounds});
  EXPECT_EQ(versions["counter"], uint64_t{kThreads * kCounterIncrements});
  EXPECT_EQ(store_->GetStreamRecord("counter")->version(),
            uint64_t{kThreads * kCounterIncrements});
  EXPECT_TRUE(store_->Verify(1, 0, nullptr).ok());
}

}  // namespace
}  // namespace returnpath::engine
