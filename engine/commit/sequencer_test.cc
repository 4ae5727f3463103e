// The sequencer seam: grouping, per-command rollback, the in-group overlay,
// the next group running on the one being written, and failed group writes.

#include "commit/sequencer.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "commit/event_store_impl.h"
#include "engine/testing/store_test_util.h"
#include "engine/testing/test_store.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::Req;
using ::returnpath::engine::testing::TempDir;
using ::returnpath::engine::testing::TestStorePath;
using returnpath::v1::Task;
using returnpath::v1::Timer;

class SequencerTest : public ::testing::Test {
 protected:
  SequencerTest() : clock_(Day(1)) {
    StoreOptions options;
    options.path = TestStorePath(dir_.path());
    options.clock = &clock_;
    auto store = EventStoreImpl::Open(options, [this]() -> absl::Status {
      if (hold_next_write_.exchange(false)) {
        write_held_.Notify();
        writes_released_.WaitForNotification();
      }
      if (fail_writes_) return absl::UnavailableError("injected write fault");
      return absl::OkStatus();
    });
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Holds the sequencer inside a command until Release, so that everything
  // submitted meanwhile lands in the next group together.
  // Returns once the sequencer is held.
  void Hold() {
    absl::Notification held;
    store_->Submit(Command{[this, &held](CommandContext&) {
                             held.Notify();
                             release_.WaitForNotification();
                             return absl::OkStatus();
                           },
                           [](absl::Status) {}});
    held.WaitForNotification();
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

  // Submits a command that notes what it reads, then appends `request`.
  struct Seen {
    uint64_t durable_end = 0;
    uint64_t chain_end = 0;
    absl::StatusOr<AppendResult> result = absl::InternalError("not answered");
    absl::Notification ran, answered;
  };
  void SubmitNoting(AppendRequest request, Seen* seen) {
    store_->Submit(MakeCommand<AppendResult>(
        [this, request,
         seen](CommandContext& ctx) -> absl::StatusOr<AppendResult> {
          seen->durable_end = store_->LastPosition();
          seen->chain_end = ctx.chain().last_position;
          absl::StatusOr<AppendResult> r = ctx.Append(request);
          seen->ran.Notify();
          return r;
        },
        [seen](absl::StatusOr<AppendResult> r) {
          seen->result = std::move(r);
          seen->answered.Notify();
        }));
  }

  // Queues `first` in a group that finishes only once `next` is queued, so
  // that the sequencer hands the group to the writer thread (it writes an
  // idle sequencer's group itself) and runs `next` while it is written.
  void PipelineTwo(AppendRequest first, absl::StatusOr<AppendResult>* out,
                   absl::Notification* done, AppendRequest next, Seen* seen) {
    absl::Notification running, gate;
    Hold();
    SubmitAppend(std::move(first), out, done);
    store_->Submit(Command{[&running, &gate](CommandContext&) {
                             running.Notify();
                             gate.WaitForNotification();
                             return absl::OkStatus();
                           },
                           [](absl::Status) {}});
    Release();
    running.WaitForNotification();  // `first` has its group
    SubmitNoting(std::move(next), seen);
    gate.Notify();
    write_held_.WaitForNotification();
    seen->ran.WaitForNotification();
  }

  // With writes working again, appends `request` and expects it written
  // afresh (not deduplicated) at `position` and `version`, chain intact.
  void ExpectWrittenAfresh(AppendRequest request, uint64_t position,
                           uint64_t version) {
    fail_writes_ = false;
    absl::StatusOr<AppendResult> again = store_->Append(std::move(request));
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_FALSE(again->deduplicated);
    EXPECT_EQ(again->first_position, position);
    EXPECT_EQ(again->stream_version, version);
    EXPECT_TRUE(store_->Verify(1, 0, nullptr).ok());
  }

  TempDir dir_;
  ManualClock clock_;
  std::atomic<bool> fail_writes_{false};
  // The next group write waits inside the write seam until writes_released_.
  std::atomic<bool> hold_next_write_{false};
  absl::Notification write_held_, writes_released_;
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

  EXPECT_EQ(store_->GetStreamRecord("p-2").status().code(),
            absl::StatusCode::kNotFound);
  // The same commands now succeed at the positions the failed group had,
  // chained to the last durable event; the idempotency key was not kept.
  ExpectWrittenAfresh(Req("p-1", {"b"}, 1, "k-b"), 2, 2);
}

TEST_F(SequencerTest, NextGroupRunsOnTheGroupBeingWritten) {
  RP_SKIP_ON_POSTGRES("groups are pipelined only on a store this process alone writes");
  hold_next_write_ = true;
  absl::StatusOr<AppendResult> first;
  absl::Notification first_done;
  Seen second;
  // p-1 is not durable yet, but the next group sees it at version 1.
  PipelineTwo(Req("p-1", {"a"}), &first, &first_done, Req("p-1", {"b"}, 1),
              &second);
  EXPECT_EQ(second.durable_end, 0u);
  EXPECT_EQ(second.chain_end, 1u);
  EXPECT_FALSE(first_done.HasBeenNotified());
  writes_released_.Notify();
  first_done.WaitForNotification();
  second.answered.WaitForNotification();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.result.ok()) << second.result.status();
  EXPECT_EQ(second.result->stream_version, 2u);
  EXPECT_EQ(second.result->first_position, 2u);
  EXPECT_EQ(store_->LastPosition(), 2u);
  EXPECT_TRUE(store_->Verify(1, 0, nullptr).ok());
}

TEST_F(SequencerTest, AFailedWriteFailsTheGroupRunOnTopOfIt) {
  RP_SKIP_ON_POSTGRES("groups are pipelined only on a store this process alone writes");
  fail_writes_ = true;
  hold_next_write_ = true;
  absl::StatusOr<AppendResult> first;
  absl::Notification first_done;
  Seen second;
  PipelineTwo(Req("p-1", {"a"}, 0, "k-a"), &first, &first_done,
              Req("p-1", {"b"}, 1), &second);
  ASSERT_EQ(second.chain_end, 1u);
  writes_released_.Notify();
  first_done.WaitForNotification();
  second.answered.WaitForNotification();
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnavailable);
  // It read p-1 at version 1, which was never written: it fails whole.
  EXPECT_EQ(second.result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(second.result.status().message().find("the group before failed"),
            absl::string_view::npos)
      << second.result.status();
  EXPECT_EQ(store_->LastPosition(), 0u);

  // Nothing of either group was kept: p-1 starts again at version 1 and the
  // idempotency key is free.
  ExpectWrittenAfresh(Req("p-1", {"a"}, 0, "k-a"), 1, 1);
}

// Each command appends to its own stream and notes (its stream, the context
// it ran on), which tells the groups apart.
struct Ran {
  std::string stream;
  const CommandContext* group;  // each group runs on its own context
};

TEST_F(SequencerTest, BackgroundWorkYieldsToOtherWritersWithoutStarving) {
  absl::Mutex mu;
  std::vector<Ran> ran;
  absl::BlockingCounter answered(20);
  auto submit = [&](std::string stream, bool background) {
    Command command{[&, stream](CommandContext& ctx) {
                      {
                        absl::MutexLock lock(&mu);
                        ran.push_back({stream, &ctx});
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
  std::vector<std::string> order;
  for (const Ran& r : ran) order.push_back(r.stream);
  std::vector<std::string> want = {"caseworker-a", "caseworker-b"};
  for (int i = 0; i < 18; ++i) want.push_back(absl::StrCat("timer-", i));
  EXPECT_EQ(order, want);
  // The second group runs while the first is written, so both contexts are
  // alive at once and cannot share an address (groups are pipelined only on
  // a store this process alone writes).
  if (testing::TestStoreIsPostgres()) return;
  for (int i = 1; i < 18; ++i) EXPECT_EQ(ran[i].group, ran[0].group);
  EXPECT_NE(ran[18].group, ran[0].group);
  EXPECT_EQ(ran[19].group, ran[18].group);
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
