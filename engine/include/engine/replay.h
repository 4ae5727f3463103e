#ifndef RETURNPATH_ENGINE_REPLAY_H_
#define RETURNPATH_ENGINE_REPLAY_H_

// Answers from history alone, by folding the log with the workflow's pure
// Apply: a stream as it stood at a time or position, a check that every
// stored state, index entry, timer and task is what the log implies, and
// the auditors' statistics. These are free functions: they hold nothing
// between calls and are thread-safe as the store and workflow are. They
// never block the sequencer; long ones report progress.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/event_store.h"
#include "engine/workflow.h"
#include "returnpath/v1/engine.pb.h"

namespace returnpath::engine {

// Progress of a long job: events done so far out of `total`.
using ReplayProgress = std::function<void(uint64_t done, uint64_t total)>;

// A stream as the log says it stood at some point.
struct StreamView {
  std::string stream_id;
  uint64_t version = 0;        // stream version of the last event folded
  uint64_t last_position = 0;  // its global position
  uint64_t events = 0;         // events folded
  std::string state;           // the workflow's state bytes
  std::vector<std::string> index_keys;
  std::vector<returnpath::v1::Timer> timers;  // armed then, by id
  // Every task opened by then, by id: OPEN, COMPLETED or CANCELLED as the
  // log implies (leases and retries are not in the log).
  std::vector<returnpath::v1::Task> tasks;
  // Events the fold skipped because the workflow rejected them out of their
  // recorded order (effective-time views only), one sentence each.
  std::vector<std::string> notes;
};

// The stream as its `events` (in stream order, with their positions) make
// it, without a store: for a log kept elsewhere (a test's). Earlier events
// are read through `log`. NOT_FOUND if the workflow applies none of them.
absl::StatusOr<StreamView> StreamFromEvents(
    const Workflow& workflow, const EventLookup& log,
    absl::string_view stream_id,
    std::vector<returnpath::v1::EventEnvelope> events);

// What had legally happened by `t`: the stream's events with
// effective_time <= t, in stream order (a late-recorded event counts from
// when it happened). NOT_FOUND if the stream is unknown or nothing of it
// had happened by then.
absl::StatusOr<StreamView> StreamAsOfEffectiveTime(EventStore& store,
                                                   const Workflow& workflow,
                                                   absl::string_view stream_id,
                                                   absl::Time t);

// What the engine knew at global position `position`: events at or
// before it. NOT_FOUND as above.
absl::StatusOr<StreamView> StreamAsOfPosition(EventStore& store,
                                              const Workflow& workflow,
                                              absl::string_view stream_id,
                                              uint64_t position);

// What staff knew at `t`: events recorded at or before it. NOT_FOUND as above.
absl::StatusOr<StreamView> StreamAsOfRecordedTime(EventStore& store,
                                                  const Workflow& workflow,
                                                  absl::string_view stream_id,
                                                  absl::Time t);

struct ReplayDifference {
  std::string stream_id;
  std::string what;  // "state", "index", "timers" or "tasks"
  std::string detail;
};

struct ReplayCheckOptions {
  ReplayProgress progress;  // optional; called after every page of events
  // Optional; called for every difference as it is found. Both callbacks
  // are called under a lock, never at once.
  std::function<void(const ReplayDifference&)> on_difference;
  // Streams are checked on this many threads. The daemon keeps one, so an
  // audit leaves the other core to the sequencer; an offline check can use
  // every core.
  int threads = 1;
  // The time to check against (the store clock's now). A timer the log
  // leaves armed that was due more than `overdue_grace` before it should have
  // fired: it is reported (parked, or never picked up). InfinitePast: no
  // such check.
  absl::Time now = absl::InfinitePast();
  // The timer loop may simply be mid-round, or working off a backlog.
  absl::Duration overdue_grace = absl::Minutes(5);
};

struct ReplayReport {
  uint64_t streams = 0;
  uint64_t events = 0;
  uint64_t difference_count = 0;
  // The first 1000 differences (all of them go to on_difference).
  std::vector<ReplayDifference> differences;
};

// Rebuilds every stream's state, index keys, armed timers and tasks from the
// log alone and compares them with what is stored, all from one snapshot.
// A healthy store has no differences. Needs the store's sequencer for a
// moment at the start; must finish before the store is closed.
absl::StatusOr<ReplayReport> ReplayCheck(EventStore& store,
                                         const Workflow& workflow,
                                         const ReplayCheckOptions& options);

// Erases a stream (EventStore::Erase) with what its events count in the
// statistics, folded first (EraseRequest::counted); folds again if the
// stream moves on meanwhile. Same errors as EventStore::Erase.
absl::StatusOr<EraseResult> EraseStream(EventStore& store,
                                        const Workflow& workflow,
                                        EraseRequest request);

struct StatisticsRow {
  std::string category;
  std::string month;  // YYYY-MM of the effective time, in the workflow's
                      // StatisticsTimeZone()
  std::string group;
  uint64_t count = 0;
};

struct StatisticsReport {
  std::vector<StatisticsRow> rows;  // by category, month, group
  uint64_t events = 0;              // events folded
  uint64_t not_applied = 0;         // events the workflow now rejects
  // Erased streams are not folded: what they counted before their erasure
  // (EventStore::Erase) is in the rows, summed by month and group.
  uint64_t erased_streams = 0;
};

// Folds the whole log and counts workflow.Classify(state_before, state_after,
// event) by effective month (in workflow.StatisticsTimeZone()) and group, for
// events effective in [from, to). FAILED_PRECONDITION if that time zone is
// not installed.
absl::StatusOr<StatisticsReport> Statistics(EventStore& store,
                                            const Workflow& workflow,
                                            absl::Time from, absl::Time to,
                                            const ReplayProgress& progress);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_REPLAY_H_
