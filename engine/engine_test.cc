#include "engine/engine.h"

#include <memory>
#include <string>

#include "engine/testing/runtime_test_util.h"
#include "engine/testing/store_test_util.h"
#include "engine/testing/test_store.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::FakeWorkflow;
using ::returnpath::engine::testing::Req;
using ::returnpath::engine::testing::TempDir;

constexpr absl::Duration kWait = absl::Seconds(60);

class EngineTest : public ::testing::Test {
 protected:
  EngineOptions Options() {
    EngineOptions options;
    options.store.path = testing::TestStorePath(dir_.path());
    options.store.clock = &clock_;
    options.store.workflow = &workflow_;
    options.store.sync = false;
    return options;
  }

  TempDir dir_;
  ManualClock clock_{Day(1)};
  FakeWorkflow workflow_;
};

// One Open runs the whole engine: a timer the store arms is fired by the
// loop, and the task its firing opens is served by the queues.
TEST_F(EngineTest, OpensTheStoreTimersAndTasksTogether) {
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(Options());
  ASSERT_TRUE(engine.ok()) << engine.status();
  ASSERT_TRUE(
      (*engine)->store().Append(Req("p1", {"armopen:t1:3:task1:q"})).ok());

  clock_.SetTime(Day(3));
  ASSERT_TRUE((*engine)->timers().WaitIdle(kWait).ok());
  absl::StatusOr<std::vector<v1::Task>> ready =
      (*engine)->store().ReadyTasks("q", 10);
  ASSERT_TRUE(ready.ok()) << ready.status();
  ASSERT_EQ(ready->size(), 1u);
  absl::StatusOr<std::optional<v1::Task>> claimed =
      (*engine)->tasks().Lease("q", "worker", absl::Minutes(5));
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_TRUE(claimed->has_value());
  EXPECT_EQ((*claimed)->id(), "task1");

  EXPECT_TRUE((*engine)->Close().ok());
  EXPECT_TRUE((*engine)->Close().ok());  // idempotent
  EXPECT_FALSE((*engine)->store().Append(Req("p1", {"x"})).ok());
}

// What `prepare` writes is there before the timers start, and its error
// fails Open and closes the store (it can be opened again).
TEST_F(EngineTest, PrepareRunsFirstAndItsErrorFailsOpen) {
  EngineOptions options = Options();
  options.prepare = [](EventStore& store) {
    return store.Append(Req("p1", {"arm:t1:1"})).status();
  };
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok()) << engine.status();
  ASSERT_TRUE((*engine)->timers().WaitIdle(kWait).ok());
  EXPECT_EQ((*engine)->store().ReadStream("p1", 1, 10)->size(), 2u)
      << "the prepared timer, due at once, fired";
  ASSERT_TRUE((*engine)->Close().ok());
  engine->reset();

  options.prepare = [](EventStore&) {
    return absl::DataLossError("the import file is damaged");
  };
  engine = Engine::Open(options);
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kDataLoss);
  options.prepare = nullptr;
  EXPECT_TRUE(Engine::Open(options).ok()) << "the store was closed";
}

}  // namespace
}  // namespace returnpath::engine
