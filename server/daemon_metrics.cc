#include "server/daemon_metrics.h"

#include <algorithm>
#include <exception>
#include <map>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/proto_time.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/metric_family.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "server/queue_summary.h"

namespace returnpath::engine {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Counting timers is a range read: past this many the gauge says "at least",
// so a wave of a million due timers costs a scrape little.
constexpr size_t kMaxCounted = 100'000;

MetricFamily Family(std::string name, std::string help, MetricType type) {
  MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

void AddValue(MetricFamily* family, double value,
              std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric metric;
  metric.label = std::move(labels);
  if (family->type == MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family->metric.push_back(std::move(metric));
}

MetricFamily Gauge(std::string name, std::string help, double value) {
  MetricFamily family =
      Family(std::move(name), std::move(help), MetricType::Gauge);
  AddValue(&family, value);
  return family;
}

MetricFamily Counter(std::string name, std::string help, double value) {
  MetricFamily family =
      Family(std::move(name), std::move(help), MetricType::Counter);
  AddValue(&family, value);
  return family;
}

void AddStore(EventStore& store, std::vector<MetricFamily>* out) {
  const StoreGauges g = store.Gauges();
  out->push_back(Gauge("returnpath_last_position",
                       "position of the last durable event",
                       static_cast<double>(g.last_position)));
  out->push_back(Gauge("returnpath_sequencer_queued_commands",
                       "commands waiting for the sequencer",
                       static_cast<double>(g.queued_commands)));
  out->push_back(Gauge("returnpath_store_file_bytes",
                       "bytes of the store's table files",
                       static_cast<double>(g.file_bytes)));
  out->push_back(Gauge("returnpath_store_memtable_bytes",
                       "bytes written and not yet flushed to table files",
                       static_cast<double>(g.memtable_bytes)));
  out->push_back(Gauge("returnpath_store_live_data_bytes",
                       "RocksDB's estimate of the live data",
                       static_cast<double>(g.live_data_bytes)));
  out->push_back(Gauge("returnpath_store_pending_compaction_bytes",
                       "bytes compaction still has to rewrite (estimate)",
                       static_cast<double>(g.pending_compaction_bytes)));
  out->push_back(Gauge("returnpath_store_running_compactions",
                       "compactions running now",
                       static_cast<double>(g.running_compactions)));
  out->push_back(Gauge("returnpath_free_disk_bytes",
                       "free bytes on the store's disk",
                       static_cast<double>(g.free_disk_bytes)));
}

void AddTimers(EventStore& store, TimerLoop& timers, absl::Time now,
               std::vector<MetricFamily>* out) {
  const TimerLoop::Stats stats = timers.stats();
  out->push_back(Counter("returnpath_timers_fired_total",
                         "timers fired (a TimerFired event each)",
                         static_cast<double>(stats.fired)));
  out->push_back(Counter("returnpath_timers_skipped_total",
                         "due timers found cancelled or fired meanwhile",
                         static_cast<double>(stats.skipped)));
  out->push_back(Counter("returnpath_timers_failed_total",
                         "firings the workflow rejected (each parks)",
                         static_cast<double>(stats.failed)));
  out->push_back(Gauge("returnpath_timers_parked",
                       "timers parked until their stream changes",
                       static_cast<double>(stats.parked)));
  // One read in due order: the due timers are its first ones.
  absl::StatusOr<std::vector<v1::Timer>> armed = store.TimersDue(
      absl::InfinitePast(), absl::InfiniteFuture(), kMaxCounted);
  if (!armed.ok()) return;
  const auto due = std::count_if(
      armed->begin(), armed->end(),
      [now](const v1::Timer& timer) { return FromTimestamp(timer.due_time()) <= now; });
  const std::string up_to = absl::StrCat(" (counted up to ", kMaxCounted, ")");
  out->push_back(Gauge("returnpath_timers_armed",
                       absl::StrCat("timers armed and not yet fired", up_to),
                       static_cast<double>(armed->size())));
  out->push_back(Gauge("returnpath_timers_due",
                       absl::StrCat("timers due and not yet fired", up_to),
                       static_cast<double>(due)));
}

using TaskCounts = std::map<std::string, v1::QueueCounts>;

void AddTasks(const TaskCounts& counts, std::vector<MetricFamily>* out) {
  MetricFamily family =
      Family("returnpath_tasks",
             "live tasks by queue and state (overdue: open or leased, due "
             "before now)",
             MetricType::Gauge);
  for (const auto& [queue, c] : counts) {
    const std::pair<const char*, int64_t> states[] = {
        {"open", c.open()},
        {"leased", c.leased()},
        {"overdue", c.overdue()},
        {"dead_lettered", c.dead_lettered()},
        {"paused", c.paused()}};
    for (const auto& [state, n] : states) {
      AddValue(&family, static_cast<double>(n),
               {{"queue", queue}, {"state", state}});
    }
  }
  out->push_back(std::move(family));
}

void AddAccessLog(const AccessLog& log, std::vector<MetricFamily>* out) {
  out->push_back(Counter("returnpath_access_log_records_total",
                         "access log records written durably",
                         static_cast<double>(log.Written())));
  out->push_back(Counter(
      "returnpath_access_log_failures_total",
      "access log records whose write failed (their reads were refused)",
      static_cast<double>(log.Failed())));
  out->push_back(Gauge("returnpath_access_log_waiting",
                       "reads waiting for their access log record",
                       static_cast<double>(log.Waiting())));
}

}  // namespace

class DaemonMetrics::Gauges final : public prometheus::Collectable {
 public:
  ~Gauges() override { StopCounting(); }

  void Watch(MetricsSources sources) {
    StopCounting();
    absl::MutexLock lock(&mu_);
    sources_ = sources;
    if (sources.tasks != nullptr && sources.clock != nullptr &&
        sources.count_tasks_every > absl::ZeroDuration()) {
      absl::MutexLock counting(&count_mu_);
      stopping_ = false;
      counted_.reset();
      counter_ = std::thread([this, sources] { CountTasks(sources); });
    }
  }

  std::vector<MetricFamily> Collect() const override {
    // Held while reading, so that Watch({}) waits for a scrape in flight.
    absl::MutexLock lock(&mu_);
    const MetricsSources& s = sources_;
    std::vector<MetricFamily> out;
    if (s.store != nullptr) AddStore(*s.store, &out);
    if (s.store != nullptr && s.timers != nullptr && s.clock != nullptr) {
      AddTimers(*s.store, *s.timers, s.clock->Now(), &out);
    }
    if (s.tasks != nullptr && s.clock != nullptr) {
      if (s.count_tasks_every == absl::ZeroDuration()) {
        absl::StatusOr<TaskCounts> counts =
            CountLiveTasks(*s.tasks, s.clock->Now());
        if (counts.ok()) AddTasks(*counts, &out);
      } else {
        AddCountedTasks(&out);
      }
    }
    if (s.access_log != nullptr) AddAccessLog(*s.access_log, &out);
    return out;
  }

 private:
  struct Counted {
    TaskCounts counts;
    absl::Time at;
    absl::Duration took;
  };

  // The counting thread: a count now, then one every count_tasks_every
  // until StopCounting.
  void CountTasks(const MetricsSources& sources) {
    for (;;) {
      const absl::Time started = absl::Now();
      absl::StatusOr<TaskCounts> counts =
          CountLiveTasks(*sources.tasks, sources.clock->Now());
      absl::MutexLock lock(&count_mu_);
      if (counts.ok()) {
        const absl::Time now = absl::Now();
        counted_ = Counted{*std::move(counts), now, now - started};
      }
      if (count_mu_.AwaitWithTimeout(absl::Condition(&stopping_),
                                     sources.count_tasks_every)) {
        return;
      }
    }
  }

  void StopCounting() {
    {
      absl::MutexLock lock(&count_mu_);
      stopping_ = true;
    }
    if (counter_.joinable()) counter_.join();
  }

  void AddCountedTasks(std::vector<MetricFamily>* out) const {
    absl::MutexLock lock(&count_mu_);
    if (!counted_.has_value()) return;  // the first count is still running
    AddTasks(counted_->counts, out);
    out->push_back(Gauge("returnpath_tasks_counted_seconds_ago",
                         "age of the returnpath_tasks counts",
                         absl::ToDoubleSeconds(absl::Now() - counted_->at)));
    out->push_back(Gauge("returnpath_tasks_count_seconds",
                         "how long the last count of every live task took",
                         absl::ToDoubleSeconds(counted_->took)));
  }

  mutable absl::Mutex mu_;
  MetricsSources sources_ ABSL_GUARDED_BY(mu_);
  mutable absl::Mutex count_mu_;
  bool stopping_ ABSL_GUARDED_BY(count_mu_) = false;
  std::optional<Counted> counted_ ABSL_GUARDED_BY(count_mu_);
  std::thread counter_;  // started by Watch, joined by StopCounting
};

struct DaemonMetrics::Families {
  explicit Families(prometheus::Registry& registry)
      : requests(prometheus::BuildCounter()
                     .Name("returnpath_rpc_requests_total")
                     .Help("calls answered, by method and status code")
                     .Register(registry)),
        latency(prometheus::BuildHistogram()
                    .Name("returnpath_rpc_latency_seconds")
                    .Help("time from a call's start to its status")
                    .Register(registry)),
        events(prometheus::BuildCounter()
                   .Name("returnpath_events_appended_total")
                   .Help("events appended durably")
                   .Register(registry)
                   .Add({})),
        groups(prometheus::BuildCounter()
                   .Name("returnpath_group_commits_total")
                   .Help("group commits by result (ok, failed)")
                   .Register(registry)),
        group_size(prometheus::BuildHistogram()
                       .Name("returnpath_group_commands")
                       .Help("commands written together in one group commit")
                       .Register(registry)
                       .Add({},
                            prometheus::Histogram::BucketBoundaries{
                                1, 2, 4, 8, 16, 32, 64, 128, 256})),
        group_write(prometheus::BuildHistogram()
                        .Name("returnpath_group_write_seconds")
                        .Help("one group commit's write and fsync")
                        .Register(registry)
                        .Add({},
                             prometheus::Histogram::BucketBoundaries{
                                 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                 0.01, 0.025, 0.05, 0.1, 0.25, 1})),
        timer_lag(prometheus::BuildHistogram()
                      .Name("returnpath_timer_firing_lag_seconds")
                      .Help("from a timer's due time to its durable firing, by "
                            "the daemon's clock")
                      .Register(registry)
                      .Add({}, prometheus::Histogram::BucketBoundaries{
                                   1, 10, 60, 300, 900, 3600, 21600, 86400,
                                   604800})) {}

  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& latency;
  prometheus::Counter& events;
  prometheus::Family<prometheus::Counter>& groups;
  prometheus::Histogram& group_size;
  prometheus::Histogram& group_write;
  prometheus::Histogram& timer_lag;
};

DaemonMetrics::DaemonMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      families_(std::make_unique<Families>(*registry_)),
      gauges_(std::make_shared<Gauges>()) {}

DaemonMetrics::~DaemonMetrics() { exposer_.reset(); }

GroupObserver DaemonMetrics::OnGroupWritten() {
  return [this](const GroupWritten& group) {
    families_->groups.Add({{"result", group.ok ? "ok" : "failed"}}).Increment();
    if (!group.ok) return;
    families_->events.Increment(static_cast<double>(group.events));
    families_->group_size.Observe(static_cast<double>(group.commands));
    families_->group_write.Observe(absl::ToDoubleSeconds(group.write_time));
  };
}

std::function<void(absl::Duration)> DaemonMetrics::OnTimerFired() {
  return [this](absl::Duration lag) {
    families_->timer_lag.Observe(absl::ToDoubleSeconds(lag));
  };
}

std::function<void(const CallRecord&)> DaemonMetrics::OnCall() {
  return [this](const CallRecord& call) {
    // A method no service has is named by the caller: one label for all.
    const std::string method =
        call.code == grpc::StatusCode::UNIMPLEMENTED ? "unknown" : call.method;
    const std::string code =
        absl::StatusCodeToString(static_cast<absl::StatusCode>(call.code));
    families_->requests.Add({{"method", method}, {"code", code}}).Increment();
    families_->latency
        .Add({{"method", method}},
             prometheus::Histogram::BucketBoundaries{
                 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                 0.5, 1, 2.5, 5, 10, 30})
        .Observe(absl::ToDoubleSeconds(call.latency));
  };
}

void DaemonMetrics::Watch(MetricsSources sources) { gauges_->Watch(sources); }

absl::StatusOr<int> DaemonMetrics::Serve(const std::string& listen) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(listen, 1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", listen, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  exposer_->RegisterCollectable(gauges_);
  const std::vector<int> ports = exposer_->GetListeningPorts();
  if (ports.empty()) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", listen));
  }
  return ports.front();
}

std::string DaemonMetrics::Text() const {
  std::vector<MetricFamily> families = registry_->Collect();
  for (MetricFamily& family : gauges_->Collect()) {
    families.push_back(std::move(family));
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace returnpath::engine
