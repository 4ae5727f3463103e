#ifndef RETURNPATH_TESTS_RUNTIME_OPEN_RUNTIME_H_
#define RETURNPATH_TESTS_RUNTIME_OPEN_RUNTIME_H_

// Test-only: the engine's runtime over a test store, as the runtime tests
// open it.

#include <memory>
#include <string>

#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/master_key.h"
#include "engine/task_queue.h"
#include "engine/testing/test_store.h"
#include "engine/timer_loop.h"
#include "engine/workflow.h"
#include "gtest/gtest.h"

namespace returnpath::engine {

// A fixed master key: the runtime tests seal erasable fields at rest, as a
// daemon does, so every read they make goes through opening them.
inline std::shared_ptr<const MasterKeyring> TestMasterKeys() {
  static const auto* const keys =
      new std::shared_ptr<const MasterKeyring>(std::make_shared<MasterKeyring>(
          *MasterKeyFromText(std::string(64, '5'), "runtime test key")));
  return *keys;
}

// Opens the store in `path` under `workflow` and `clock` (no fsync: a test),
// sealing with TestMasterKeys(), its timer loop and its task queue. Close
// them in the reverse order.
inline void OpenRuntime(const std::string& path, Clock* clock,
                        const Workflow* workflow,
                        std::unique_ptr<EventStore>* store,
                        std::unique_ptr<TimerLoop>* loop,
                        std::unique_ptr<TaskQueue>* queue) {
  StoreOptions options;
  options.path = testing::TestStorePath(path);
  options.clock = clock;
  options.workflow = workflow;
  options.sync = false;
  options.master_keys = TestMasterKeys();
  auto opened = EventStore::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  *store = *std::move(opened);
  auto started = TimerLoop::Start(store->get(), clock);
  ASSERT_TRUE(started.ok()) << started.status();
  *loop = *std::move(started);
  auto created = TaskQueue::Create(store->get(), clock);
  ASSERT_TRUE(created.ok()) << created.status();
  *queue = *std::move(created);
}

}  // namespace returnpath::engine

#endif  // RETURNPATH_TESTS_RUNTIME_OPEN_RUNTIME_H_
