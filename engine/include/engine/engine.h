#ifndef RETURNPATH_ENGINE_ENGINE_H_
#define RETURNPATH_ENGINE_ENGINE_H_

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/event_store.h"
#include "engine/task_queue.h"
#include "engine/timer_loop.h"

namespace returnpath::engine {

struct EngineOptions {
  // The store; its clock and workflow are the engine's.
  StoreOptions store;
  TimerLoopOptions timers;
  TaskQueueOptions tasks;
  // Runs on the opened store before the timers and task queues start (a demo
  // population, an import); its error closes the store and fails Open.
  std::function<absl::Status(EventStore&)> prepare;
};

// The engine a daemon or a tool runs: the store with its sequencer, the timer
// loop and the task queues, built together, each handed what it needs.
class Engine {
 public:
  // Opens the store; if its states were written under another
  // Workflow::StateSchema(), rebuilds them from the log first (progress
  // through StoreOptions::log); then `prepare`, the timers and the queues.
  static absl::StatusOr<std::unique_ptr<Engine>> Open(EngineOptions options);

  ~Engine();  // Close()
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  EventStore& store() { return *store_; }
  TimerLoop& timers() { return *timers_; }
  TaskQueue& tasks() { return *tasks_; }

  // Stops the task queues and the timer loop, then closes the store (what is
  // queued is written first). Idempotent, from one thread; later calls return
  // the first result.
  absl::Status Close();

 private:
  Engine(std::unique_ptr<EventStore> store, std::unique_ptr<TimerLoop> timers,
         std::unique_ptr<TaskQueue> tasks);

  std::unique_ptr<EventStore> store_;
  std::unique_ptr<TimerLoop> timers_;
  std::unique_ptr<TaskQueue> tasks_;
  bool closed_ = false;
  absl::Status close_status_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_ENGINE_H_
