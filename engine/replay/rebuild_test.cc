#include "replay/rebuild.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "engine/replay.h"
#include "engine/task_queue.h"
#include "engine/testing/runtime_test_util.h"
#include "engine/testing/test_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::TestStorePath;
using returnpath::v1::Task;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The fake workflow with its state kept in another shape: a "v2:" prefix, one
// more index key, task titles and timer payloads of its own. Refuses the
// events whose text holds `refuse`, when set.
class SchemaTwo final : public Workflow {
 public:
  explicit SchemaTwo(const Workflow& v1) : v1_(v1) {}
  std::string refuse;

  std::string StateSchema() const override { return "fake/2"; }
  absl::StatusOr<std::string> PolicyVersionAt(absl::Time t) const override {
    return v1_.PolicyVersionAt(t);
  }
  absl::StatusOr<Transition> Apply(absl::string_view state,
                                   const returnpath::v1::EventEnvelope& event,
                                   const EventLookup& log) const override {
    if (!refuse.empty() && absl::StrContains(testing::TextOf(event), refuse)) {
      return absl::FailedPreconditionError("schema two refuses it");
    }
    absl::string_view inner = state;
    absl::ConsumePrefix(&inner, "v2:");
    absl::StatusOr<Transition> t = v1_.Apply(inner, event, log);
    if (!t.ok()) return t;
    t->next_state = absl::StrCat("v2:", t->next_state);
    t->index_keys.push_back("schema/2");
    for (TaskSpec& spec : t->tasks_to_open) spec.title += " (v2)";
    for (TimerSpec& spec : t->timers_to_arm) spec.payload += "/2";
    return t;
  }

 private:
  const Workflow& v1_;
};

class RebuildTest : public testing::RuntimeTest {
 protected:
  RebuildTest() : v2_(workflow_) {}

  // Timers armed and cancelled; tasks open, leased, dead-lettered, closed.
  void BuildHistory() {
    Append("p1", "arm:t1:5 open:k1:q:10:5 open:k2:q:20:5");
    Append("p2", "open:k1:q:30:5 arm:t2:9 arm:t3:9");
    Append("p2", "cancel:t2 close:k1 openpaused:k4:q:40:5");
    TaskQueueOptions options;
    options.max_attempts = 1;
    auto queue = TaskQueue::Create(store_.get(), &clock_, options);
    ASSERT_TRUE(queue.ok()) << queue.status();
    auto leased = (*queue)->Lease("q", "w", absl::Minutes(5));
    ASSERT_TRUE(leased.ok() && leased->has_value());
    ASSERT_EQ((**leased).id(), "k1");  // p1's, left leased
    leased = (*queue)->Lease("q", "w", absl::Minutes(5));
    ASSERT_TRUE(leased.ok() && leased->has_value());
    ASSERT_TRUE((*queue)->Fail({"p1", (**leased).id(), "w"}, "no show").ok());
  }

  // Closes the store and opens it with the workflow in its second shape.
  void OpenUnderSchemaTwo() {
    ASSERT_TRUE(store_->Close().ok());
    store_.reset();
    StoreOptions options;
    options.path = TestStorePath(dir_.path());
    options.clock = &clock_;
    options.workflow = &v2_;
    options.sync = false;
    absl::StatusOr<std::unique_ptr<EventStore>> store =
        EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  absl::Status Migrate() {
    return MigrateStates(*store_, v2_,
                         [this](absl::string_view, absl::string_view line) {
                           log_.emplace_back(line);
                         });
  }

  uint64_t Differences(const Workflow& workflow) {
    absl::StatusOr<ReplayReport> report =
        ReplayCheck(*store_, workflow, ReplayCheckOptions());
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? report->difference_count : ~uint64_t{0};
  }

  Task StoredTask(const std::string& stream, const std::string& id) {
    absl::StatusOr<Task> task = store_->GetTask(stream, id);
    EXPECT_TRUE(task.ok()) << stream << "/" << id << ": " << task.status();
    return task.ok() ? *task : Task();
  }

  std::string StoredSchema() {
    auto view = store_->Snapshot();
    EXPECT_TRUE(view.ok());
    absl::StatusOr<std::string> schema =
        (*view)->Get(Table::kMeta, "state_schema");
    return schema.ok() ? *schema : "(absent)";
  }

  SchemaTwo v2_;
  std::vector<std::string> log_;
};

TEST_F(RebuildTest, MigrationRebuildsEveryRecordAndKeepsWhatTheQueueAdded) {
  BuildHistory();
  ASSERT_EQ(Differences(workflow_), 0u);
  const Task leased = StoredTask("p1", "k1");
  const Task dead = StoredTask("p1", "k2");
  ASSERT_EQ(leased.state(), returnpath::v1::TASK_STATE_LEASED);
  ASSERT_EQ(dead.state(), returnpath::v1::TASK_STATE_DEAD_LETTER);

  OpenUnderSchemaTwo();
  ASSERT_GT(Differences(v2_), 0u);  // states, index keys, titles, payloads
  ASSERT_TRUE(Migrate().ok());

  EXPECT_EQ(Differences(v2_), 0u);
  EXPECT_TRUE(store_->Verify(1, store_->LastPosition(), nullptr).ok());
  EXPECT_EQ(StoredSchema(), "fake/2");
  ASSERT_EQ(log_.size(), 3u);
  EXPECT_THAT(log_[0], AllOf(HasSubstr("written under \"(none)\""),
                             HasSubstr("\"fake/2\""), HasSubstr("rebuilding")));
  EXPECT_THAT(log_[1], HasSubstr("3 of 3 events folded (100 %)"));
  EXPECT_THAT(log_[2], HasSubstr("2 streams, 3 events folded, 2 streams "
                                 "rewritten"));
  // What the queue added stays: the lease, the dead letter, the attempts.
  Task now = StoredTask("p1", "k1");
  EXPECT_EQ(now.title(), "Visit for p1 (v2)");
  EXPECT_EQ(now.state(), returnpath::v1::TASK_STATE_LEASED);
  EXPECT_EQ(now.lease_owner(), "w");
  EXPECT_EQ(now.lease_expires().seconds(), leased.lease_expires().seconds());
  now = StoredTask("p1", "k2");
  EXPECT_EQ(now.state(), returnpath::v1::TASK_STATE_DEAD_LETTER);
  EXPECT_EQ(now.attempts(), dead.attempts());
  EXPECT_EQ(now.last_error(), "no show");
  EXPECT_EQ(StoredTask("p2", "k4").state(), returnpath::v1::TASK_STATE_PAUSED);
  absl::StatusOr<IndexPage> listed =
      store_->ListIndex(IndexQuery::Prefix("schema/2", 10));
  ASSERT_TRUE(listed.ok()) << listed.status();
  std::vector<std::string> streams;
  for (const IndexEntry& entry : listed->entries) {
    streams.push_back(entry.stream_id);
  }
  EXPECT_EQ(streams, (std::vector<std::string>{"p1", "p2"}));

  // Done once: a second open under the same schema changes nothing.
  log_.clear();
  ASSERT_TRUE(Migrate().ok());
  EXPECT_THAT(log_, IsEmpty());
}

TEST_F(RebuildTest, AnEventThatNoLongerAppliesStopsItAndChangesNothing) {
  BuildHistory();
  OpenUnderSchemaTwo();
  v2_.refuse = "openpaused";
  const absl::Status migrated = Migrate();
  EXPECT_EQ(migrated.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(migrated.message(),
              AllOf(HasSubstr("cannot migrate the store"),
                    HasSubstr("the event at position 3 of stream \"p2\""),
                    HasSubstr("schema two refuses it")));
  EXPECT_EQ(StoredSchema(), "");  // the fake's, recorded when it was made
  EXPECT_EQ(Differences(workflow_), 0u);  // every record as it was
}

TEST_F(RebuildTest, ANewStoreOnlyRecordsTheSchema) {
  OpenUnderSchemaTwo();
  ASSERT_TRUE(Migrate().ok());
  EXPECT_EQ(StoredSchema(), "fake/2");
  EXPECT_THAT(log_, IsEmpty());
}

}  // namespace
}  // namespace returnpath::engine
