// Kills a writing process with SIGKILL mid-stream, several times, and checks
// that the reopened store keeps every acknowledged event, that its chain
// verifies, and that appends continue it.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/event_store.h"
#include "engine/testing/store_test_util.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::Req;
using ::returnpath::engine::testing::TempDir;

constexpr int kWriters = 8;
constexpr int kAcksBeforeKill = 300;

// The child: appends from several threads until killed, writing each
// acknowledged last position to `fd`. Never returns.
[[noreturn]] void WriteUntilKilled(const std::string& path, int fd) {
  // The parent appends after each crash on the same day: a clock behind the
  // last recorded time is refused (StoreOptions::clock_behind).
  ManualClock clock(Day(3));
  StoreOptions options;
  options.path = path;
  options.clock = &clock;
  auto store = EventStore::Open(options);
  if (!store.ok()) _exit(2);
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      for (uint64_t i = 0;; ++i) {
        auto r = (*store)->Append(Req(absl::StrCat("s-", t % 3), {"a", "b"}));
        if (!r.ok()) _exit(3);
        uint64_t ack = r->last_position;
        if (write(fd, &ack, sizeof(ack)) != sizeof(ack)) _exit(4);
      }
    });
  }
  for (auto& w : writers) w.join();
  _exit(0);
}

// Runs a child writer, kills it after some acknowledgements and returns
// every position it acknowledged.
std::vector<uint64_t> RunAndKill(const std::string& path) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    WriteUntilKilled(path, fds[1]);
  }
  close(fds[1]);
  std::vector<uint64_t> acks;
  uint64_t ack;
  while (acks.size() < kAcksBeforeKill &&
         read(fds[0], &ack, sizeof(ack)) == sizeof(ack)) {
    acks.push_back(ack);
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status)) << "child exited early: " << status;
  // Acknowledgements already in the pipe were given before the kill.
  while (read(fds[0], &ack, sizeof(ack)) == sizeof(ack)) acks.push_back(ack);
  close(fds[0]);
  return acks;
}

TEST(CrashRecoveryTest, AcknowledgedEventsSurviveSigkill) {
  TempDir dir;
  ManualClock clock(Day(3));
  StoreOptions options;
  options.path = dir.path();
  options.clock = &clock;
  uint64_t max_acked = 0;
  for (int crash = 0; crash < 3; ++crash) {
    std::vector<uint64_t> acks = RunAndKill(dir.path());
    ASSERT_GE(acks.size(), size_t{kAcksBeforeKill});
    for (uint64_t a : acks) max_acked = std::max(max_acked, a);

    auto store = EventStore::Open(options);
    ASSERT_TRUE(store.ok())
        << "after crash " << crash << ": " << store.status();
    const uint64_t last = (*store)->LastPosition();
    EXPECT_GE(last, max_acked);
    ASSERT_TRUE((*store)->Verify(1, 0, nullptr).ok());
    auto page = (*store)->ReadAll(max_acked, 1);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->events.size(), 1u);

    // Appends continue the chain from the recovered head.
    auto next = (*store)->Append(Req("after-crash", {"x"}));
    ASSERT_TRUE(next.ok()) << next.status();
    EXPECT_EQ(next->first_position, last + 1);
    ASSERT_TRUE((*store)->Verify(last, 0, nullptr).ok());
    max_acked = next->last_position;
  }
}

}  // namespace
}  // namespace returnpath::engine
