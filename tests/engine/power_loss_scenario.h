#ifndef RETURNPATH_TESTS_ENGINE_POWER_LOSS_SCENARIO_H_
#define RETURNPATH_TESTS_ENGINE_POWER_LOSS_SCENARIO_H_

// The whole engine (store, sequencer, timer loop, task queue, a workflow)
// under concurrent writers, cut off by simulated power losses at random
// points, and what each reopened store must still hold.

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/task_queue.h"
#include "engine/testing/fault_file_system.h"
#include "engine/testing/runtime_test_util.h"

namespace returnpath::engine::testing {

struct PowerLossOptions {
  uint64_t seed = 1;
  int crashes = 20;
  int writers = 4;
  // The store's fsync (StoreOptions::sync). Off, acknowledged events are lost
  // at a crash: the checks must see it (see power_loss_test.cc).
  bool sync = true;
  // Keep a random prefix of each file's unsynced tail instead of none of it.
  bool tear = true;
};

struct PowerLossReport {
  int crashes = 0;
  int crashes_while_opening = 0;  // of them, before the store had opened
  uint64_t acknowledged = 0;      // appends and completions answered OK
  uint64_t lost = 0;              // of them, not found where they were answered
  // Every failed check, one sentence each (lost events included).
  std::vector<std::string> problems;
};

// Runs the scenario once. Not thread-safe; owns a temporary directory.
class PowerLossScenario {
 public:
  explicit PowerLossScenario(PowerLossOptions options);
  ~PowerLossScenario();

  // Crashes options.crashes times, checking after each reopen. Stops early
  // at the first round with problems or when the store no longer opens.
  PowerLossReport Run();

 private:
  // An answered write: an appended text or a completed task.
  struct Ack {
    std::string stream;
    uint64_t version = 0;  // 0 for a completion (its version is not returned)
    uint64_t position = 0;
    std::string text;     // the appended payload text
    std::string task_id;  // for a completion
  };
  struct Writer;

  absl::StatusOr<std::unique_ptr<EventStore>> OpenStore();
  // One round on an open store: runs the engine until the power goes.
  void RunUntilPowerLoss(EventStore& store);
  void Write(EventStore& store, Writer& writer);
  void Work(EventStore& store, TaskQueue& queue);
  void Problem(std::string sentence);
  bool HasProblems();
  // Everything acknowledged so far against the reopened store.
  void Check(EventStore& store);

  const PowerLossOptions options_;
  TempDir dir_;
  std::mt19937_64 rng_;
  std::shared_ptr<FaultFileSystem> fs_;
  std::unique_ptr<ManualClock> clock_;  // one time line across the crashes
  FakeWorkflow workflow_;
  std::vector<std::unique_ptr<Writer>> writers_;
  absl::Mutex mu_;
  std::vector<Ack> acks_ ABSL_GUARDED_BY(mu_);
  PowerLossReport report_ ABSL_GUARDED_BY(mu_);
};

}  // namespace returnpath::engine::testing

#endif  // RETURNPATH_TESTS_ENGINE_POWER_LOSS_SCENARIO_H_
