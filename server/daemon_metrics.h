#ifndef RETURNPATH_SERVER_DAEMON_METRICS_H_
#define RETURNPATH_SERVER_DAEMON_METRICS_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/rpc/call_observer.h"
#include "engine/task_queue.h"
#include "engine/timer_loop.h"
#include "server/access_log.h"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace returnpath::engine {

// What a scrape reads at the moment it is made. Not owned; they must outlive
// the metrics' endpoint.
struct MetricsSources {
  EventStore* store = nullptr;
  TimerLoop* timers = nullptr;
  TaskQueue* tasks = nullptr;
  AccessLog* access_log = nullptr;
  Clock* clock = nullptr;
  // Counting every live task reads all of a queue's ready entries (seconds
  // at national scale): done this often on a thread of its own, and a scrape
  // serves the last count with its age. Zero: at each scrape (tests).
  absl::Duration count_tasks_every = absl::ZeroDuration();
};

// The daemon's Prometheus metrics (docs/operations.md lists them): counters
// and histograms fed by the hooks below as things happen, and gauges read
// from the sources at each scrape. Thread-safe.
class DaemonMetrics {
 public:
  DaemonMetrics();
  ~DaemonMetrics();
  DaemonMetrics(const DaemonMetrics&) = delete;
  DaemonMetrics& operator=(const DaemonMetrics&) = delete;

  // Hooks to give the engine and the server before they start; each keeps a
  // pointer to this, which must outlive them.
  GroupObserver OnGroupWritten();
  std::function<void(absl::Duration lag)> OnTimerFired();
  std::function<void(const CallRecord&)> OnCall();

  // The sources of the scrape-time gauges, once the engine is open; Watch({})
  // before they close (it waits for a scrape in flight).
  void Watch(MetricsSources sources);

  // Serves GET /metrics on `listen` (host:port; port 0 picks one) and returns
  // the bound port. UNAVAILABLE if it cannot listen.
  absl::StatusOr<int> Serve(const std::string& listen);

  // What a scrape returns now, in Prometheus' text format.
  std::string Text() const;

 private:
  class Gauges;  // the scrape-time collectable
  struct Families;

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> families_;
  std::shared_ptr<Gauges> gauges_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_DAEMON_METRICS_H_
