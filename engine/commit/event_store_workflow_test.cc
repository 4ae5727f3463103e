// Same-batch commit: the workflow's state, index keys, timers and tasks are
// written with the event, or nothing is.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/event_store.h"
#include "engine/testing/store_test_util.h"
#include "engine/testing/test_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::Req;
using ::returnpath::engine::testing::TempDir;
using ::returnpath::engine::testing::TestStorePath;
using ::returnpath::engine::testing::TextOf;
using returnpath::v1::Task;
using returnpath::v1::TaskCompleted;
using ::testing::ElementsAre;

int Num(absl::string_view s) {
  int n = 0;
  EXPECT_TRUE(absl::SimpleAtoi(s, &n)) << s;
  return n;
}

// A tiny workflow driven by its payload text, words separated by spaces:
//   arm:<id>:<day>  cancel:<id>  open:<id>:<queue>:<priority>:<day>
//   close:<id>  complete:<id>:<outcome>  index:<key> (the full set)  fail
//   bad-timer
// The state is every applied text, each after a '|'. A TaskCompleted
// payload closes its task. Policy "2026-1" covers Day(1) onwards.
class ScriptWorkflow final : public Workflow {
 public:
  absl::StatusOr<std::string> PolicyVersionAt(absl::Time t) const override {
    if (t < Day(1)) return absl::NotFoundError("no policy before 2026-03-01");
    return "2026-1";
  }

  absl::StatusOr<Transition> Apply(absl::string_view state,
                                   const returnpath::v1::EventEnvelope& event,
                                   const EventLookup&) const override {
    Transition t;
    TaskCompleted completed;
    if (event.payload().UnpackTo(&completed)) {
      t.next_state = absl::StrCat(state, "|done:", completed.task_id());
      t.tasks_to_close.push_back(completed.task_id());
      return t;
    }
    const std::string text = TextOf(event);
    t.next_state = absl::StrCat(state, "|", text);
    for (absl::string_view word :
         absl::StrSplit(text, ' ', absl::SkipEmpty())) {
      std::vector<std::string> f = absl::StrSplit(word, ':');
      if (f[0] == "fail") {
        return absl::FailedPreconditionError("the person has already left");
      } else if (f[0] == "bad-timer") {
        t.timers_to_arm.push_back({"", "kind", Day(2), ""});
      } else if (f[0] == "arm") {
        t.timers_to_arm.push_back({f[1], "deadline", Day(Num(f[2])), "p"});
      } else if (f[0] == "cancel") {
        t.timers_to_cancel.push_back(f[1]);
      } else if (f[0] == "open") {
        TaskSpec spec;
        spec.id = f[1];
        spec.queue = f[2];
        spec.priority = Num(f[3]);
        spec.due = Day(Num(f[4]));
        spec.kind = "conversation";
        spec.title = "Hold a return conversation";
        spec.rule = "conversation_after_rejection";
        spec.caused_by_versions = {event.stream_version()};
        t.tasks_to_open.push_back(spec);
      } else if (f[0] == "close") {
        t.tasks_to_close.push_back(f[1]);
      } else if (f[0] == "complete") {
        t.tasks_to_complete.push_back({f[1], f[2]});
      } else if (f[0] == "index") {
        t.index_keys.push_back(f[1]);
      }
    }
    return t;
  }
};

class WorkflowStoreTest : public ::testing::Test {
 protected:
  WorkflowStoreTest() : clock_(Day(5)) {
    StoreOptions options;
    options.path = TestStorePath(dir_.path());
    options.clock = &clock_;
    options.workflow = &workflow_;
    auto store = EventStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  AppendResult MustAppend(const AppendRequest& request) {
    absl::StatusOr<AppendResult> result = store_->Append(request);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.value_or(AppendResult{});
  }

  std::vector<std::string> Listed(const IndexQuery& query) {
    std::vector<std::string> out;
    auto page = store_->ListIndex(query);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return out;
    for (const IndexEntry& e : page->entries) {
      out.push_back(absl::StrCat(e.index_key, "=", e.stream_id));
    }
    return out;
  }

  std::vector<std::string> TimerIds(absl::string_view stream) {
    std::vector<std::string> out;
    auto timers = store_->TimersForStream(stream);
    EXPECT_TRUE(timers.ok()) << timers.status();
    for (const auto& t :
         timers.value_or(std::vector<returnpath::v1::Timer>{})) {
      out.push_back(t.id());
    }
    return out;
  }

  TempDir dir_;
  ManualClock clock_;
  ScriptWorkflow workflow_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(WorkflowStoreTest, StateIndexTimersAndTasksAreWrittenWithTheEvent) {
  MustAppend(Req("p-1", {"open:t1:advisers/oslo:5:3 arm:deadline:22 "
                         "index:stage/FINAL index:due/2026-03-22"}));

  auto record = store_->GetStreamRecord("p-1");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->version(), 1u);
  EXPECT_THAT(record->state(), ::testing::StartsWith("|open:t1"));
  EXPECT_THAT(record->index_keys(),
              ElementsAre("due/2026-03-22", "stage/FINAL"));
  EXPECT_THAT(Listed(IndexQuery::Prefix("stage/")),
              ElementsAre("stage/FINAL=p-1"));

  auto events = store_->ReadStream("p-1", 1, 10);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[0].policy_version(), "2026-1");

  auto timers = store_->TimersForStream("p-1");
  ASSERT_TRUE(timers.ok());
  ASSERT_EQ(timers->size(), 1u);
  EXPECT_EQ((*timers)[0].id(), "deadline");
  EXPECT_EQ((*timers)[0].armed_at_position(), 1u);
  EXPECT_EQ((*timers)[0].due_time().seconds(), absl::ToUnixSeconds(Day(22)));

  auto task = store_->GetTask("p-1", "t1");
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->state(), returnpath::v1::TASK_STATE_OPEN);
  EXPECT_EQ(task->queue(), "advisers/oslo");
  EXPECT_EQ(task->priority(), 5);
  EXPECT_EQ(task->rule(), "conversation_after_rejection");
  EXPECT_EQ(task->policy_version(), "2026-1");
  EXPECT_THAT(task->caused_by_positions(), ElementsAre(1u));
  EXPECT_EQ(task->opened_at_position(), 1u);
  EXPECT_EQ(task->created_time().seconds(), absl::ToUnixSeconds(Day(5)));
  EXPECT_EQ(store_->ReadyTasks("advisers/oslo", 10)->size(), 1u);
}

TEST_F(WorkflowStoreTest, IndexKeysAreReplacedByTheNewSet) {
  MustAppend(Req("p-1", {"index:stage/FINAL index:due/2026-03-22"}));
  MustAppend(Req("p-1", {"index:stage/OVERSTAYED"}));
  EXPECT_THAT(Listed(IndexQuery::Prefix("")),
              ElementsAre("stage/OVERSTAYED=p-1"));
  EXPECT_THAT(store_->GetStreamRecord("p-1")->index_keys(),
              ElementsAre("stage/OVERSTAYED"));
}

TEST_F(WorkflowStoreTest, IndexListsByPrefixAndRangeWithPaging) {
  for (int d = 1; d <= 5; ++d) {
    MustAppend(
        Req(absl::StrCat("p-", d),
            {absl::StrCat("index:due/2026-03-0", d, " index:stage/FINAL")}));
  }
  EXPECT_THAT(Listed(IndexQuery::Range("due/2026-03-02", "due/2026-03-04")),
              ElementsAre("due/2026-03-02=p-2", "due/2026-03-03=p-3",
                          "due/2026-03-04=p-4"));
  EXPECT_EQ(Listed(IndexQuery::Prefix("stage/FINAL")).size(), 5u);

  IndexQuery query = IndexQuery::Prefix("stage/FINAL", 2);
  std::vector<std::string> streams;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->ListIndex(query);
    ASSERT_TRUE(page.ok());
    for (const auto& e : page->entries) streams.push_back(e.stream_id);
    if (page->next_page_token.empty()) break;
    query.page_token = page->next_page_token;
  }
  EXPECT_THAT(streams, ElementsAre("p-1", "p-2", "p-3", "p-4", "p-5"));
  EXPECT_EQ(store_->ListIndex(IndexQuery::Range("b", "a")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(WorkflowStoreTest, TimersAreReplacedByIdAndCancelled) {
  MustAppend(Req("p-1", {"arm:deadline:22 arm:review:30"}));
  MustAppend(Req("p-2", {"arm:deadline:10"}));
  MustAppend(Req("p-1", {"arm:deadline:25"}));  // replaces, does not add
  EXPECT_THAT(TimerIds("p-1"), ElementsAre("deadline", "review"));

  auto due = store_->TimersDue(absl::InfinitePast(), Day(30), 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);  // [from, to): review on day 30 is excluded
  EXPECT_EQ((*due)[0].stream_id(), "p-2");
  EXPECT_EQ((*due)[1].due_time().seconds(), absl::ToUnixSeconds(Day(25)));

  MustAppend(Req("p-1", {"cancel:deadline cancel:never-armed"}));
  EXPECT_THAT(TimerIds("p-1"), ElementsAre("review"));
  EXPECT_EQ(store_->TimersDue(absl::InfinitePast(), absl::InfiniteFuture(), 10)
                ->size(),
            2u);
}

TEST_F(WorkflowStoreTest, TasksCloseAsCompletedOrCancelled) {
  MustAppend(Req("p-1", {"open:t1:q:5:3 open:t2:q:1:9"}));
  auto ready = store_->ReadyTasks("q", 10);
  ASSERT_TRUE(ready.ok());
  ASSERT_EQ(ready->size(), 2u);
  EXPECT_EQ((*ready)[0].id(), "t2");  // lower priority number first

  TaskCompleted completed;
  completed.set_task_id("t1");
  completed.set_outcome("held");
  AppendRequest done = Req("p-1", {});
  done.events.push_back({Day(5), {}});
  done.events[0].payload.PackFrom(completed);
  MustAppend(done);
  MustAppend(Req("p-1", {"close:t2"}));

  auto t1 = store_->GetTask("p-1", "t1");
  EXPECT_EQ(t1->state(), returnpath::v1::TASK_STATE_COMPLETED);
  EXPECT_EQ(t1->outcome(), "held");
  EXPECT_EQ(t1->closed_at_position(), 2u);
  EXPECT_EQ(store_->GetTask("p-1", "t2")->state(),
            returnpath::v1::TASK_STATE_CANCELLED);
  EXPECT_TRUE(store_->ReadyTasks("q", 10)->empty());
  EXPECT_EQ(store_->TasksForStream("p-1")->size(), 2u);
}

TEST_F(WorkflowStoreTest, ATransitionCompletesATaskWithAnOutcome) {
  MustAppend(Req("p-1", {"open:t1:q:5:3"}));
  ASSERT_TRUE(store_->GetTask("p-1", "t1").ok());
  MustAppend(Req("p-1", {"complete:t1:effected"}));
  auto t1 = store_->GetTask("p-1", "t1");
  ASSERT_TRUE(t1.ok()) << t1.status();
  EXPECT_EQ(t1->state(), returnpath::v1::TASK_STATE_COMPLETED);
  EXPECT_EQ(t1->outcome(), "effected");
  EXPECT_EQ(t1->closed_at_position(), 2u);
  EXPECT_TRUE(store_->ReadyTasks("q", 10)->empty());
}

TEST_F(WorkflowStoreTest, EventsOfOneAppendApplyInOrder) {
  MustAppend(Req("p-1", {"a", "b", "c"}));
  EXPECT_EQ(store_->GetStreamRecord("p-1")->state(), "|a|b|c");
}

TEST_F(WorkflowStoreTest, WorkflowErrorWritesNothingAndIsReturnedUnchanged) {
  MustAppend(Req("p-1", {"open:t1:q:1:2 index:stage/FIRST"}));
  const uint64_t last = store_->LastPosition();

  absl::StatusOr<AppendResult> r = store_->Append(
      Req("p-1", {"open:t9:q:1:2 arm:x:9 index:stage/GONE", "fail"},
          std::nullopt, "k-1"));
  EXPECT_EQ(r.status(),
            absl::FailedPreconditionError("the person has already left"));
  EXPECT_EQ(store_->LastPosition(), last);
  EXPECT_EQ(store_->GetStreamRecord("p-1")->version(), 1u);
  EXPECT_EQ(store_->GetTask("p-1", "t9").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->TimersForStream("p-1")->empty());
  EXPECT_THAT(Listed(IndexQuery::Prefix("")), ElementsAre("stage/FIRST=p-1"));

  // The key was not used up by the failed command.
  EXPECT_FALSE(
      MustAppend(Req("p-1", {"later"}, std::nullopt, "k-1")).deduplicated);
}

TEST_F(WorkflowStoreTest, MissingPolicyAndBrokenTransitionWriteNothing) {
  AppendRequest early = Req("p-1", {"a"});
  early.events[0].effective_time = Day(0);
  EXPECT_EQ(store_->Append(early).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Append(Req("p-1", {"bad-timer"})).status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(store_->LastPosition(), 0u);
}

TEST_F(WorkflowStoreTest, ConcurrentAppendsToOneStreamEachSeeThePreviousState) {
  constexpr int kN = 200;
  absl::Mutex mu;
  int answered = 0;
  for (int i = 0; i < kN; ++i) {
    store_->AppendAsync(Req("p-1", {absl::StrCat("e", i)}),
                        [&](absl::StatusOr<AppendResult> r) {
                          EXPECT_TRUE(r.ok()) << r.status();
                          absl::MutexLock lock(&mu);
                          ++answered;
                        });
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* n) { return *n == kN; }, &answered));
  }
  std::string expected;
  for (int i = 0; i < kN; ++i) absl::StrAppend(&expected, "|e", i);
  EXPECT_EQ(store_->GetStreamRecord("p-1")->state(), expected);
  EXPECT_TRUE(store_->Verify(1, 0, nullptr).ok());
}

}  // namespace
}  // namespace returnpath::engine
