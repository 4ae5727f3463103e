#include "engine/replay.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/task_queue.h"
#include "engine/testing/edit_store.h"
#include "engine/testing/runtime_test_util.h"
#include "engine/testing/test_store.h"
#include "engine/timer_loop.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/codec.h"
#include "store/keys.h"
#include "store/task_keys.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::RawTable;
using returnpath::v1::Task;
using ::testing::HasSubstr;

constexpr absl::Duration kLease = absl::Minutes(5);

class ReplayTest : public testing::RuntimeTest {
 protected:
  // A store that has seen everything the runtime does: timers armed,
  // cancelled, fired and parked; tasks opened, leased, failed, dead-lettered,
  // completed (by the workflow and by the engine) and cancelled.
  void BuildHistory() {
    Append("p1",
           "arm:t1:2 arm:t2:9 open:k1:q:10:5 open:k2:q:20:5 open:k5:q:90:5");
    Append("p1", "cancel:t2 open:k3:q:30:5");
    Append("p2", "armopen:t1:3:r1:reception/oslo");
    Append("p3", "deaf");
    Append("p3", "open:k1:q:40:5 open:k9:q:50:5 armbad:b:2");
    Append("p3", "close:k9");
    auto loop = TimerLoop::Start(store_.get(), &clock_);
    ASSERT_TRUE(loop.ok());
    clock_.SetTime(Day(3));
    ASSERT_TRUE((*loop)->WaitIdle(absl::Seconds(60)).ok());
    (*loop)->Stop();

    TaskQueueOptions options;
    options.max_attempts = 1;
    auto queue = TaskQueue::Create(store_.get(), &clock_, options);
    ASSERT_TRUE(queue.ok());
    TaskQueue& q = **queue;
    auto lease = [&](const std::string& queue_name) {
      absl::StatusOr<std::optional<Task>> t = q.Lease(queue_name, "w", kLease);
      EXPECT_TRUE(t.ok() && t->has_value());
      return t.ok() && t->has_value() ? **t : Task();
    };
    Task first = lease("q");   // p1/k1
    Task second = lease("q");  // p1/k2
    Task third = lease("q");   // p1/k3
    Task deaf = lease("q");    // p3/k1: the workflow ignores completions
    ASSERT_EQ(deaf.stream_id(), "p3");
    ASSERT_TRUE(
        q.Complete({{"p3", deaf.id(), "w"}, "held", "", "", "", ""}).ok());
    ASSERT_TRUE(
        q.Complete({{"p1", first.id(), "w"}, "held", "", "", "", ""}).ok());
    ASSERT_TRUE(q.Fail({"p1", second.id(), "w"}, "no show").ok());  // dead
    ASSERT_TRUE(q.Release({"p1", third.id(), "w"}).ok());
    Task relocation = lease("reception/oslo");
    ASSERT_TRUE(
        q.Complete({{"p2", relocation.id(), "w"}, "moved", "", "", "", ""})
            .ok());
    third = lease("q");
    ASSERT_TRUE(
        q.Complete({{"p1", third.id(), "w"}, "done", "", "", "", ""}).ok());
    EXPECT_EQ(lease("q").id(), "k5");  // left leased
  }

  // Checks on one thread, and on three to see that splitting the streams
  // between threads finds the same.
  ReplayReport Check() {
    ReplayCheckOptions options;
    options.progress = [this](uint64_t done, uint64_t total) {
      last_progress_ = {done, total};
    };
    absl::StatusOr<ReplayReport> report =
        ReplayCheck(*store_, workflow_, options);
    EXPECT_TRUE(report.ok()) << report.status();
    options.threads = 3;
    absl::StatusOr<ReplayReport> split =
        ReplayCheck(*store_, workflow_, options);
    EXPECT_TRUE(split.ok()) << split.status();
    if (!report.ok() || !split.ok()) return ReplayReport();
    EXPECT_EQ(split->streams, report->streams);
    EXPECT_EQ(split->events, report->events);
    EXPECT_EQ(Sorted(*split), Sorted(*report));
    return *report;
  }

  static std::vector<std::string> Sorted(const ReplayReport& report) {
    std::vector<std::string> out;
    for (const ReplayDifference& d : report.differences) {
      out.push_back(absl::StrCat(d.stream_id, " ", d.what, ": ", d.detail));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Closes the store, lets `tamper` edit its tables under it (EditTable),
  // and reopens it.
  void Tamper(const std::function<void()>& tamper) {
    ASSERT_TRUE(store_->Close().ok());
    store_.reset();
    tamper();
    Open();
  }

  void EditTable(Table table, const std::function<void(RawTable&)>& edit) {
    testing::EditStore(dir_.path(), table, edit);
  }

  // The stored task `id` of `stream`, read from the closed store.
  static void ReadTask(RawTable& tasks, const std::string& stream,
                       const std::string& id, Task* task) {
    std::optional<std::string> stored = tasks.Get(keys::StreamItem(stream, id));
    ASSERT_TRUE(stored.has_value()) << stream << "/" << id;
    ASSERT_TRUE(task->ParseFromString(*stored));
  }

  std::pair<uint64_t, uint64_t> last_progress_;
};

std::string Describe(const ReplayReport& report) {
  std::string out;
  for (const ReplayDifference& d : report.differences) {
    absl::StrAppend(&out, d.stream_id, " ", d.what, ": ", d.detail, "\n");
  }
  return out;
}

TEST_F(ReplayTest, HealthyStoreHasNoDifferences) {
  BuildHistory();
  ReplayReport report = Check();
  EXPECT_EQ(report.difference_count, 0u) << Describe(report);
  EXPECT_EQ(report.streams, 3u);
  EXPECT_EQ(report.events, store_->LastPosition());
  EXPECT_EQ(last_progress_,
            std::make_pair(store_->LastPosition(), store_->LastPosition()));
}

TEST_F(ReplayTest, ATaskCompletedByATransitionReplaysWithItsOutcome) {
  Append("p1", "open:k1:q:10:5 open:k2:q:20:5");
  const AppendResult done = Append("p1", "complete:k1:effected close:k2");
  ReplayReport report = Check();
  EXPECT_EQ(report.difference_count, 0u) << Describe(report);
  absl::StatusOr<StreamView> view =
      StreamAsOfPosition(*store_, workflow_, "p1", done.last_position);
  ASSERT_TRUE(view.ok()) << view.status();
  ASSERT_EQ(view->tasks.size(), 2u);
  EXPECT_EQ(view->tasks[0].state(), returnpath::v1::TASK_STATE_COMPLETED);
  EXPECT_EQ(view->tasks[0].outcome(), "effected");
  EXPECT_EQ(view->tasks[1].state(), returnpath::v1::TASK_STATE_CANCELLED);
}

// A timer the log leaves armed but which should long have fired: parked
// after its firing failed (as when a caller held its idempotency key), or
// never picked up. A rebuild would arm it, so the stored copy looks right;
// only the time gives it away.
TEST_F(ReplayTest, ReportsATimerLongPastDueAsOverdue) {
  Append("p1", "armbad:parked:2");
  auto loop = TimerLoop::Start(store_.get(), &clock_);
  ASSERT_TRUE(loop.ok());
  clock_.SetTime(Day(3));
  ASSERT_TRUE((*loop)->WaitIdle(absl::Seconds(60)).ok());
  (*loop)->Stop();
  ASSERT_EQ((*loop)->stats().parked, 1u);
  // Due a minute ago: the loop may simply not have got to it yet.
  Append("p2", "arm:soon:3");
  clock_.Advance(absl::Minutes(1));
  // Due long ago, but armed just now by a late-recorded event.
  Append("p3", "arm:late:2", Day(2));

  ReplayCheckOptions options;
  options.now = clock_.Now();
  absl::StatusOr<ReplayReport> report =
      ReplayCheck(*store_, workflow_, options);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->difference_count, 1u) << Describe(*report);
  EXPECT_EQ(report->differences[0].stream_id, "p1");
  EXPECT_EQ(report->differences[0].what, "timers");
  EXPECT_THAT(report->differences[0].detail,
              HasSubstr("timer \"parked\" was due 2026-03-02"));

  options.now = absl::InfinitePast();  // no time given: no such check
  report = ReplayCheck(*store_, workflow_, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->difference_count, 0u) << Describe(*report);
}

TEST_F(ReplayTest, FindsATamperedStateRecord) {
  BuildHistory();
  Tamper([&] {
    EditTable(Table::kState, [](RawTable& state) {
      std::optional<std::string> stored = state.Get("p2");
      ASSERT_TRUE(stored.has_value());
      returnpath::v1::StreamRecord record;
      ASSERT_TRUE(record.ParseFromString(*stored));
      record.set_state(record.state() + "|released early");
      state.Put("p2", record.SerializeAsString());
    });
  });
  std::vector<ReplayDifference> streamed;
  ReplayCheckOptions options;
  options.on_difference = [&](const ReplayDifference& d) {
    streamed.push_back(d);
  };
  absl::StatusOr<ReplayReport> report =
      ReplayCheck(*store_, workflow_, options);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->difference_count, 1u) << Describe(*report);
  EXPECT_EQ(report->differences[0].stream_id, "p2");
  EXPECT_EQ(report->differences[0].what, "state");
  ASSERT_EQ(streamed.size(), 1u);
  EXPECT_EQ(streamed[0].detail, report->differences[0].detail);
}

TEST_F(ReplayTest, FindsTamperedTimersTasksAndIndexEntries) {
  BuildHistory();
  Tamper([&] {
    // A timer the log says is armed (p1/t2 was cancelled; p3/b is parked):
    // remove p3's.
    EditTable(Table::kTimers, [](RawTable& timers) {
      timers.Delete(keys::TimerDue(Day(2), "p3", "b"));
    });
    EditTable(Table::kTimerIds, [](RawTable& timer_ids) {
      timer_ids.Delete(keys::StreamItem("p3", "b"));
    });
    // A task moved to another queue.
    EditTable(Table::kTasks, [](RawTable& tasks) {
      Task task;
      ReadTask(tasks, "p3", "k9", &task);
      task.set_queue("police/pu");
      tasks.Put(keys::StreamItem("p3", "k9"), task.SerializeAsString());
    });
    // An index entry nobody wrote.
    EditTable(Table::kIndex, [](RawTable& index) {
      index.Put(keys::IndexEntry("stage/OVERSTAYED", "p1"), "");
    });
  });
  ReplayReport report = Check();
  std::set<std::pair<std::string, std::string>> found;
  for (const ReplayDifference& d : report.differences) {
    found.emplace(d.stream_id, d.what);
  }
  EXPECT_EQ(found, (std::set<std::pair<std::string, std::string>>{
                       {"p3", "timers"}, {"p3", "tasks"}, {"p1", "index"}}))
      << Describe(report);
}

// The check walks one stream at a time; entries of streams that have no
// events, and events the stream index leaves out, are found all the same.
TEST_F(ReplayTest, FindsOrphanEntriesAndGapsInTheStreamIndex) {
  BuildHistory();
  Tamper([&] {
    // "p0" sorts before every real stream, "p9" after them.
    EditTable(Table::kState, [](RawTable& state) {
      returnpath::v1::StreamRecord record;
      record.set_version(1);
      state.Put("p0", record.SerializeAsString());
    });
    EditTable(Table::kTasks, [](RawTable& tasks) {
      Task task;
      task.set_stream_id("p9");
      task.set_id("k1");
      tasks.Put(keys::StreamItem("p9", "k1"), task.SerializeAsString());
    });
    EditTable(Table::kTimerIds, [](RawTable& timer_ids) {
      std::string due;
      keys::PutTime(&due, Day(4));
      timer_ids.Put(keys::StreamItem("p9", "t1"), due);
    });
    // p2's first event drops out of the stream index.
    EditTable(Table::kStreams, [](RawTable& streams) {
      streams.Delete(keys::StreamVersion("p2", 1));
    });
  });
  ReplayReport report = Check();
  std::set<std::pair<std::string, std::string>> found;
  bool gap_named = false;
  for (const ReplayDifference& d : report.differences) {
    found.emplace(d.stream_id, d.what);
    gap_named |= d.stream_id == "p2" &&
                 d.detail.find("not in the stream index") != std::string::npos;
  }
  EXPECT_EQ(
      found,
      (std::set<std::pair<std::string, std::string>>{
          {"p0", "state"}, {"p9", "tasks"}, {"p9", "timers"}, {"p2", "state"}}))
      << Describe(report);
  EXPECT_TRUE(gap_named) << Describe(report);
}

TEST_F(ReplayTest, FindsARedirectedStreamIndexAndALeftoverReadyEntry) {
  BuildHistory();
  Tamper([&] {
    // p3's version 2 points at p1's first event.
    EditTable(Table::kStreams, [](RawTable& streams) {
      streams.Put(keys::StreamVersion("p3", 2), keys::U64(1));
    });
    // p3's closed task k9 is back in its queue.
    Task task;
    EditTable(Table::kTasks,
              [&](RawTable& tasks) { ReadTask(tasks, "p3", "k9", &task); });
    ASSERT_FALSE(task.id().empty());
    EditTable(Table::kTaskReady, [&](RawTable& task_ready) {
      task_ready.Put(task_keys::Ready(task), "");
    });
  });
  ReplayReport report = Check();
  bool redirected = false, leftover = false;
  for (const ReplayDifference& d : report.differences) {
    redirected |=
        d.stream_id == "p3" &&
        d.detail.find("which holds \"p1\" version 1") != std::string::npos;
    leftover |= d.stream_id == "p3" && d.what == "tasks" &&
                d.detail.find("ready entry") != std::string::npos;
  }
  EXPECT_TRUE(redirected) << Describe(report);
  EXPECT_TRUE(leftover) << Describe(report);
}

class AsOfTest : public ReplayTest {
 protected:
  void SetUp() override {
    e1_ =
        Append("p1", "arm:t1:9 open:k1:q:1:5");  // effective and recorded Day 1
    clock_.SetTime(Day(3));
    e2_ = Append("p1", "note", Day(3));
    clock_.SetTime(Day(5));
    e3_ = Append("p1", "close:k1", Day(2));  // recorded late
  }

  StreamView View(absl::StatusOr<StreamView> view) {
    EXPECT_TRUE(view.ok()) << view.status();
    return view.ok() ? *view : StreamView();
  }

  static std::string TaskState(const StreamView& v) {
    return v.tasks.size() == 1
               ? returnpath::v1::TaskState_Name(v.tasks[0].state())
               : "no single task";
  }

  AppendResult e1_, e2_, e3_;
};

TEST_F(AsOfTest, ByEffectiveTimeFoldsWhatHadLegallyHappened) {
  StreamView v =
      View(StreamAsOfEffectiveTime(*store_, workflow_, "p1", Day(2)));
  EXPECT_EQ(v.events, 2u);  // e1 and the late e3, in stream order
  EXPECT_EQ(v.state, "|arm:t1:9 open:k1:q:1:5|close:k1");
  EXPECT_EQ(v.version, 3u);
  EXPECT_EQ(TaskState(v), "TASK_STATE_CANCELLED");
  ASSERT_EQ(v.timers.size(), 1u);
  EXPECT_EQ(FromTimestamp(v.timers[0].due_time()), Day(9));

  v = View(StreamAsOfEffectiveTime(*store_, workflow_, "p1", Day(1)));
  EXPECT_EQ(v.events, 1u);
  EXPECT_EQ(TaskState(v), "TASK_STATE_OPEN");
  EXPECT_EQ(v.index_keys, std::vector<std::string>{"last/arm"});

  EXPECT_EQ(StreamAsOfEffectiveTime(*store_, workflow_, "p1",
                                    Day(1) - absl::Seconds(1))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(StreamAsOfEffectiveTime(*store_, workflow_, "nobody", Day(9))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(AsOfTest, ByPositionFoldsWhatTheEngineKnewThen) {
  StreamView v =
      View(StreamAsOfPosition(*store_, workflow_, "p1", e2_.last_position));
  EXPECT_EQ(v.events, 2u);
  EXPECT_EQ(v.last_position, e2_.last_position);
  EXPECT_EQ(TaskState(v), "TASK_STATE_OPEN");
  v = View(StreamAsOfPosition(*store_, workflow_, "p1", e3_.last_position));
  EXPECT_EQ(TaskState(v), "TASK_STATE_CANCELLED");
  EXPECT_EQ(StreamAsOfPosition(*store_, workflow_, "p1", 0).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(AsOfTest, ByRecordedTimeFoldsWhatStaffKnewThen) {
  // On Day 4 staff had not yet been told of the Day 2 closing.
  StreamView v = View(StreamAsOfRecordedTime(*store_, workflow_, "p1", Day(4)));
  EXPECT_EQ(v.events, 2u);
  EXPECT_EQ(TaskState(v), "TASK_STATE_OPEN");
  v = View(StreamAsOfRecordedTime(*store_, workflow_, "p1", Day(5)));
  EXPECT_EQ(v.events, 3u);
  EXPECT_EQ(TaskState(v), "TASK_STATE_CANCELLED");
}

TEST_F(ReplayTest, StatisticsCountByEffectiveMonthAndGroup) {
  Append("p1", "depart:AF", Day(1));
  Append("p2", "depart:AF", Day(3));
  Append("p3", "depart:SO", Day(33));  // April
  Append("p5", "depart:ER", Day(4));
  // Taken back in April: it leaves March, and April is not touched. The
  // group comes from the state before the event.
  Append("p5", "undepart:4", Day(35));
  Append("p4", "arm:t:2");
  auto loop = TimerLoop::Start(store_.get(), &clock_);
  ASSERT_TRUE(loop.ok());
  clock_.SetTime(Day(2));
  ASSERT_TRUE((*loop)->WaitIdle(absl::Seconds(60)).ok());
  (*loop)->Stop();

  uint64_t progress_done = 0;
  absl::StatusOr<StatisticsReport> all = Statistics(
      *store_, workflow_, absl::InfinitePast(), absl::InfiniteFuture(),
      [&](uint64_t done, uint64_t) { progress_done = done; });
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(progress_done, store_->LastPosition());
  auto rows = [](const StatisticsReport& r) {
    std::vector<std::string> out;
    for (const StatisticsRow& row : r.rows) {
      out.push_back(absl::StrCat(row.category, " ", row.month, " ", row.group,
                                 " ", row.count));
    }
    return out;
  };
  EXPECT_EQ(rows(*all), (std::vector<std::string>{"departure 2026-03 AF 2",
                                                  "departure 2026-04 SO 1",
                                                  "timer 2026-03 deadline 1"}));
  absl::StatusOr<StatisticsReport> april =
      Statistics(*store_, workflow_, Day(32), Day(62), nullptr);
  ASSERT_TRUE(april.ok());
  EXPECT_EQ(rows(*april), std::vector<std::string>{"departure 2026-04 SO 1"});
}

// The months are the workflow's: midnight on the 1st in Oslo is still the
// last day of the month before in UTC, an hour earlier in winter (UTC+1) and
// two in summer (UTC+2).
TEST_F(ReplayTest, StatisticsCountByMonthsInTheWorkflowsTimeZone) {
  workflow_.statistics_time_zone = "Europe/Oslo";
  auto utc = [](int m, int d, int h, int min, int sec) {
    return absl::FromCivil(absl::CivilSecond(2026, m, d, h, min, sec),
                           absl::UTCTimeZone());
  };
  Append("w1", "depart:AF", utc(2, 28, 22, 59, 59));  // 23:59:59 on 28 Feb
  Append("w2", "depart:AF", utc(2, 28, 23, 0, 0));    // 00:00 on 1 March
  Append("s1", "depart:SO", utc(6, 30, 21, 59, 59));  // 23:59:59 on 30 June
  Append("s2", "depart:SO", utc(6, 30, 22, 0, 0));    // 00:00 on 1 July
  auto rows = [](const StatisticsReport& r) {
    std::vector<std::string> out;
    for (const StatisticsRow& row : r.rows) {
      out.push_back(absl::StrCat(row.category, " ", row.month, " ", row.group,
                                 " ", row.count));
    }
    return out;
  };
  absl::StatusOr<StatisticsReport> oslo =
      Statistics(*store_, workflow_, absl::InfinitePast(),
                 absl::InfiniteFuture(), nullptr);
  ASSERT_TRUE(oslo.ok()) << oslo.status();
  EXPECT_EQ(rows(*oslo),
            (std::vector<std::string>{
                "departure 2026-02 AF 1", "departure 2026-03 AF 1",
                "departure 2026-06 SO 1", "departure 2026-07 SO 1"}));

  workflow_.statistics_time_zone = "Nowhere/Atlantis";
  absl::StatusOr<StatisticsReport> unknown =
      Statistics(*store_, workflow_, absl::InfinitePast(),
                 absl::InfiniteFuture(), nullptr);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(unknown.status().message(), HasSubstr("Nowhere/Atlantis"));
}

}  // namespace
}  // namespace returnpath::engine
