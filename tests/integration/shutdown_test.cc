// SIGTERM stops the daemon cleanly while calls are in flight: each call is
// answered (a write with OK once durable, or UNAVAILABLE), never cancelled;
// waiting calls (event and task subscriptions, long polls) are answered at
// once with UNAVAILABLE; every write answered OK is in the store after.

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/master_key.h"
#include "engine/testing/test_store.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

TEST_F(IntegrationTest, SigtermAnswersEveryCallInFlightAndLosesNoWrite) {
  RP_ASSERT_OK(Register({.id = "P-0"}));

  // A live event subscription, seen serving.
  absl::Notification subscribed;
  absl::Status events;
  std::thread event_stream([&] {
    events = As("auditor").SubscribeEvents({}, [&](const v1::EventEnvelope&) {
      if (!subscribed.HasBeenNotified()) subscribed.Notify();
      return true;
    });
  });
  subscribed.WaitForNotification();
  // A task subscription and a long poll on an empty queue.
  absl::Status tasks;
  std::thread task_stream([&] {
    v1::SubscribeTasksRequest request;
    request.set_queue("reception/Oslo-1");
    tasks = As("reception").SubscribeTasks(request, [](const v1::Task&) {
      return true;
    });
  });
  absl::Status poll;
  std::thread long_poll([&] {
    v1::PollTasksRequest request;
    request.set_queue("reception/Oslo-1");
    request.mutable_wait()->set_seconds(60);
    poll = As("reception").Poll(request).status();
  });

  // Writers register persons until the daemon stops answering.
  absl::Mutex mu;
  std::set<std::string> acknowledged;
  std::vector<absl::Status> last(4);
  int count = 0;
  absl::Notification going;
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0;; ++i) {
        const std::string id = absl::StrCat("W", w, "-", i);
        absl::Status s = StatusOf(Register({.id = id}));
        absl::MutexLock lock(&mu);
        if (s.ok()) acknowledged.insert(id);
        // Going: enough written to be sure writes are in flight (or a
        // writer failed early, which the checks below report).
        if ((++count == 40 || !s.ok()) && !going.HasBeenNotified()) {
          going.Notify();
        }
        if (!s.ok()) {
          last[w] = s;
          return;
        }
      }
    });
  }
  going.WaitForNotification();

  EXPECT_EQ(daemon().Stop(), 0) << "returnpathd did not stop cleanly";
  for (std::thread& t : writers) t.join();
  event_stream.join();
  task_stream.join();
  long_poll.join();
  // A writer's last call did not reach the daemon before it stopped
  // accepting: gRPC answers UNAVAILABLE, or CANCELLED when it resets a call
  // that raced the shutdown on an open connection. Either way nothing was
  // acknowledged; what was acknowledged is checked below.
  for (const absl::Status& s : last) {
    EXPECT_TRUE(s.code() == absl::StatusCode::kUnavailable ||
                s.code() == absl::StatusCode::kCancelled)
        << s;
  }
  EXPECT_EQ(events.code(), absl::StatusCode::kUnavailable) << events;
  EXPECT_EQ(tasks.code(), absl::StatusCode::kUnavailable) << tasks;
  EXPECT_TRUE(poll.ok() || poll.code() == absl::StatusCode::kUnavailable)
      << poll;

  engine::ManualClock clock(absl::Now());
  engine::StoreOptions options;
  options.path =
      engine::testing::TestStorePath(daemon().data_dir() + "/store");
  options.clock = &clock;
  auto master_key =
      engine::ReadMasterKeyFile(daemon().data_dir() + "/master.key");
  ASSERT_TRUE(master_key.ok()) << master_key.status();
  options.master_keys =
      std::make_shared<engine::MasterKeyring>(*std::move(master_key));
  auto store = engine::EventStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->Verify(1, 0, nullptr).ok());
  for (const std::string& id : acknowledged) {
    EXPECT_TRUE((*store)->GetStreamRecord(id).ok()) << id << " was lost";
  }
}

}  // namespace
}  // namespace returnpath::integration
