// The sequencer seam: grouping, per-command rollback, the in-group overlay
// and a failed group write.

#include "engine/sequencer.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "engine/event_store_impl.h"
#include "engine/store_test_util.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::Req;
using ::returnpath::engine::testing::TempDir;
using returnpath::v1::Task;
using returnpath::v1::Timer;

class SequencerTest : public ::testing::Test {
 protected:
  SequencerTest() : clock_(Day(1)) {
    StoreOptions options;
    options.path = dir_.path();
    options.clock = &clock_;
    auto store = EventStoreImpl::Open(options, [this]() -> absl::Status {
      if (fail_writes_) return absl::UnavailableError("injected write fault");
      return absl::OkStatus();
    });
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Holds the sequencer inside a command until Release, so that everything
  // submitted meanwhile lands in the next group together.
  void Hold() {
    store_->Submit(Command{[this](CommandContext&) {
                             release_.WaitForNotification();
                             return absl::OkStatus();
                           },
                           [](absl::Status) {}});
  }
  void Release() { release_.Notify(); }

  // Submits an append; its answer lands in `*out` and `*done` is notified.
  void SubmitAppend(AppendRequest r, absl::StatusOr<AppendResult>* out,
                    absl::Notification* done) {
    store_->AppendAsync(std::move(r),
                        [out, done](absl::StatusOr<AppendResult> s) {
                          *out = std::move(s);
                          done->Notify();
                        });
  }

  TempDir dir_;
  ManualClock clock_;
  std::atomic<bool> fail_writes_{false};
  absl::Notification release_;
  std::unique_ptr<EventStoreImpl> store_;
};

TEST_F(SequencerTest, CommandsInOneGroupSeeEachOthersWrites) {
  Hold();
  absl::StatusOr<AppendResult> a, b, c;
  absl::Notification da, db, dc;
  SubmitAppend(Req("p-1", {"a"}, 0), &a, &da);
  SubmitAppend(Req("p-1", {"b"}, 1), &b, &db);  // sees a's version
  SubmitAppend(Req("p-1", {"c"}, 1), &c, &dc);  // conflicts with b
  Release();
  da.WaitForNotification();
  db.WaitForNotification();
  dc.WaitForNotification();
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->first_position, 2u);
  EXPECT_EQ(b->stream_version, 2u);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store_->LastPosition(), 2u);
  EXPECT_TRUE(store_->Verify(1, 0, nullptr).ok());
}

TEST_F(SequencerTest, FailedCommandLeavesNothingOthersCommit) {
  Hold();
  absl::StatusOr<int> failed;
  absl::Notification failed_done;
  store_->Submit(MakeCommand<int>(
      [](CommandContext& ctx) -> absl::StatusOr<int> {
        auto r = ctx.Append(Req("p-1", {"a"}));
        if (!r.ok()) return r.status();
        Timer timer;
        timer.set_id("t");
        timer.set_stream_id("p-1");
        if (absl::Status s = ctx.PutTimer(timer); !s.ok()) return s;
        return absl::FailedPreconditionError("changed my mind");
      },
      [&](absl::StatusOr<int> r) {
        failed = std::move(r);
        failed_done.Notify();
      }));
  absl::StatusOr<AppendResult> ok;
  absl::Notification ok_done;
  SubmitAppend(Req("p-2", {"b"}), &ok, &ok_done);
  Release();
  failed_done.WaitForNotification();
  ok_done.WaitForNotification();
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->first_position, 1u);  // the failed command used no position
  EXPECT_EQ(store_->GetStreamRecord("p-1").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->TimersForStream("p-1")->empty());
  EXPECT_TRUE(store_->Verify(1, 0, nullptr).ok());
}

TEST_F(SequencerTest, FailedAppendInsideACommandIsUndoneAlone) {
  auto r = RunCommand<AppendResult>(
      *store_, [](CommandContext& ctx) -> absl::StatusOr<AppendResult> {
        auto first = ctx.Append(Req("p-1", {"a"}));
        if (!first.ok()) return first.status();
        EXPECT_EQ(ctx.Append(Req("p-2", {"b"}, 5)).status().code(),
                  absl::StatusCode::kAborted);
        return ctx.Append(Req("p-3", {"c"}));
      });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->first_position, 2u);
  EXPECT_EQ(store_->GetStreamRecord("p-2").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->Verify(1, 0, nullptr).ok());
}

TEST_F(SequencerTest, OneCommandAppendsToManyStreamsAtomically) {
  auto r = RunCommand<uint64_t>(
      *store_, [](CommandContext& ctx) -> absl::StatusOr<uint64_t> {
        for (int i = 0; i < 500; ++i) {
          auto a = ctx.Append(Req("p-" + std::to_string(i % 7), {"a"}));
          if (!a.ok()) return a.status();
        }
        return ctx.chain().last_position;
      });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, 500u);
  EXPECT_EQ(store_->LastPosition(), 500u);
  EXPECT_EQ(store_->GetStreamRecord("p-0")->version(), 72u);
  EXPECT_TRUE(store_->Verify(1, 0, nullptr).ok());
}

TEST_F(SequencerTest, HelpersRefuseUnusableKeys) {
  auto r = RunCommand<bool>(
      *store_, [](CommandContext& ctx) -> absl::StatusOr<bool> {
        Timer timer;
        timer.set_stream_id("p-1");  // no id
        EXPECT_EQ(ctx.PutTimer(timer).code(),
                  absl::StatusCode::kInvalidArgument);
        Task task;
        task.set_stream_id("p-1");
        task.set_id("t-1");  // no queue
        EXPECT_EQ(ctx.PutTask(task).code(), absl::StatusCode::kInvalidArgument);
        return true;
      });
  EXPECT_TRUE(r.ok());
}

TEST_F(SequencerTest, TaskHelpersKeepTheReadyIndex) {
  auto put = [&](returnpath::v1::TaskState state, int priority) {
    return RunCommand<bool>(
        *store_, [=](CommandContext& ctx) -> absl::StatusOr<bool> {
          Task task;
          task.set_id("t-1");
          task.set_stream_id("p-1");
          task.set_queue("q");
          task.set_priority(priority);
          task.set_state(state);
          if (absl::Status s = ctx.PutTask(task); !s.ok()) return s;
          auto back = ctx.GetTask("p-1", "t-1");  // overlay read
          return back.ok() && back->has_value() &&
                 (*back)->priority() == priority;
        });
  };
  EXPECT_TRUE(*put(returnpath::v1::TASK_STATE_OPEN, 5));
  EXPECT_EQ(store_->ReadyTasks("q", 10)->size(), 1u);
  EXPECT_TRUE(
      *put(returnpath::v1::TASK_STATE_OPEN, 1));  // re-keyed, not doubled
  ASSERT_EQ(store_->ReadyTasks("q", 10)->size(), 1u);
  EXPECT_EQ(store_->ReadyTasks("q", 10)->front().priority(), 1);
  EXPECT_TRUE(*put(returnpath::v1::TASK_STATE_LEASED, 1));
  EXPECT_TRUE(store_->ReadyTasks("q", 10)->empty());
  EXPECT_EQ(store_->GetTask("p-1", "t-1")->state(),
            returnpath::v1::TASK_STATE_LEASED);
}

TEST_F(SequencerTest, FailedGroupWriteFailsEveryCommandAndRollsBackCounters) {
  ASSERT_TRUE(store_->Append(Req("p-1", {"a"})).ok());
  const uint64_t before = store_->LastPosition();

  fail_writes_ = true;
  Hold();
  absl::StatusOr<AppendResult> a, b;
  absl::Notification da, db;
  SubmitAppend(Req("p-1", {"b"}, 1, "k-b"), &a, &da);
  SubmitAppend(Req("p-2", {"c"}), &b, &db);
  Release();
  da.WaitForNotification();
  db.WaitForNotification();
  EXPECT_EQ(a.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(b.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->LastPosition(), before);

  fail_writes_ = false;
  // The same commands now succeed at the positions the failed group had,
  // chained to the last durable event; the idempotency key was not kept.
  auto again = store_->Append(Req("p-1", {"b"}, 1, "k-b"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->deduplicated);
  EXPECT_EQ(again->first_position, 2u);
  EXPECT_EQ(again->stream_version, 2u);
  EXPECT_EQ(store_->GetStreamRecord("p-2").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->Verify(1, 0, nullptr).ok());
}

// Each command appends to its own stream and notes (its stream, the durable
// end of the log when it ran), which tells the groups apart.
struct Ran {
  std::string stream;
  uint64_t durable_end;
  bool operator==(const Ran&) const = default;
};

TEST_F(SequencerTest, BackgroundWorkYieldsToOtherWritersWithoutStarving) {
  absl::Mutex mu;
  std::vector<Ran> ran;
  absl::BlockingCounter answered(20);
  auto submit = [&](std::string stream, bool background) {
    Command command{[&, stream](CommandContext& ctx) {
                      const uint64_t end = store_->LastPosition();
                      {
                        absl::MutexLock lock(&mu);
                        ran.push_back({stream, end});
                      }
                      return ctx.Append(Req(stream, {"x"})).status();
                    },
                    [&](absl::Status s) {
                      EXPECT_TRUE(s.ok()) << s;
                      answered.DecrementCount();
                    }};
    command.background = background;
    store_->Submit(std::move(command));
  };
  Hold();
  for (int i = 0; i < 18; ++i) submit(absl::StrCat("timer-", i), true);
  submit("caseworker-a", false);
  submit("caseworker-b", false);
  Release();
  answered.Wait();

  absl::MutexLock lock(&mu);
  ASSERT_EQ(ran.size(), 20u);
  // The first group: both caseworkers ahead of the firings queued before
  // them, then 16 firings; the last two wait for the next group.
  EXPECT_EQ(ran[0], (Ran{"caseworker-a", 0}));
  EXPECT_EQ(ran[1], (Ran{"caseworker-b", 0}));
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(ran[2 + i], (Ran{absl::StrCat("timer-", i), 0}));
  }
  EXPECT_EQ(ran[18], (Ran{"timer-16", 18}));
  EXPECT_EQ(ran[19], (Ran{"timer-17", 18}));
}

TEST_F(SequencerTest, CloseDrainsTheQueueThenRefuses) {
  Hold();
  std::atomic<int> ok{0};
  for (int i = 0; i < 50; ++i) {
    store_->AppendAsync(Req("p-1", {"a"}), [&](absl::StatusOr<AppendResult> r) {
      if (r.ok()) ++ok;
    });
  }
  Release();
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_EQ(ok.load(), 50);
  absl::Status late;
  store_->Submit(Command{[](CommandContext&) { return absl::OkStatus(); },
                         [&](absl::Status s) { late = s; }});
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace returnpath::engine
