#include "engine/engine.h"

#include <utility>

#include "engine/status_macros.h"
#include "replay/rebuild.h"

namespace returnpath::engine {

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(EngineOptions options) {
  if (options.store.clock == nullptr) {
    return absl::InvalidArgumentError("EngineOptions.store.clock is required");
  }
  RP_ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store,
                      EventStore::Open(options.store));
  if (options.store.workflow != nullptr) {
    absl::Status migrated =
        MigrateStates(*store, *options.store.workflow, options.store.log);
    if (!migrated.ok()) {
      store->Close().IgnoreError();
      return migrated;
    }
  }
  if (options.prepare) {
    if (absl::Status prepared = options.prepare(*store); !prepared.ok()) {
      store->Close().IgnoreError();  // the preparation's error says more
      return prepared;
    }
  }
  Clock* clock = options.store.clock;
  absl::StatusOr<std::unique_ptr<TimerLoop>> timers =
      TimerLoop::Start(store.get(), clock, std::move(options.timers));
  if (!timers.ok()) {
    store->Close().IgnoreError();
    return timers.status();
  }
  absl::StatusOr<std::unique_ptr<TaskQueue>> tasks =
      TaskQueue::Create(store.get(), clock, std::move(options.tasks));
  if (!tasks.ok()) {
    (*timers)->Stop();
    store->Close().IgnoreError();
    return tasks.status();
  }
  return std::unique_ptr<Engine>(
      new Engine(std::move(store), *std::move(timers), *std::move(tasks)));
}

Engine::Engine(std::unique_ptr<EventStore> store,
               std::unique_ptr<TimerLoop> timers,
               std::unique_ptr<TaskQueue> tasks)
    : store_(std::move(store)),
      timers_(std::move(timers)),
      tasks_(std::move(tasks)) {}

Engine::~Engine() { Close().IgnoreError(); }

absl::Status Engine::Close() {
  if (closed_) return close_status_;
  closed_ = true;
  tasks_->Stop();
  timers_->Stop();
  close_status_ = store_->Close();
  return close_status_;
}

}  // namespace returnpath::engine
