// What-if under another policy (engine/what_if.h): folds under two
// workflows, the timers each leaves due fired, and the comparison.

#include "engine/what_if.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/proto_time.h"
#include "engine/status_macros.h"
#include "engine/timer_loop.h"
#include "replay/fold_streams.h"
#include "replay/log_lookup.h"
#include "replay/read_stream.h"
#include "replay/replay_fold.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::EventEnvelope;
using returnpath::v1::Task;
using returnpath::v1::Timer;

// A firing may arm another timer already due (a review re-armed every 90
// days); this bounds the firings one stream's fold may add.
constexpr int kMaxFirings = 1000;
constexpr uint64_t kProgressEvery = 1000;  // events

void IgnoreFolded(const EventEnvelope&, const absl::Status&,
                  std::vector<Workflow::StatisticKey>*) {}

// The TimerFired the timer loop would record for `timer` (timer_loop.cc),
// as the next event of `stream`.
EventEnvelope FiringOf(const Workflow& workflow, const Timer& timer,
                       const FoldedStream& stream, absl::Time now) {
  returnpath::v1::TimerFired fired;
  fired.set_timer_id(timer.id());
  fired.set_kind(timer.kind());
  *fired.mutable_due_time() = timer.due_time();
  fired.set_payload(timer.payload());
  EventEnvelope event;
  event.set_stream_id(stream.stream_id);
  event.set_stream_version(stream.version + 1);
  *event.mutable_effective_time() = timer.due_time();
  *event.mutable_recorded_time() = ToTimestamp(now);
  event.set_principal(kTimerPrincipal);
  event.set_causation_id(absl::StrCat("timer:", timer.id()));
  absl::StatusOr<std::string> policy =
      workflow.PolicyVersionAt(FromTimestamp(timer.due_time()));
  if (policy.ok()) event.set_policy_version(*policy);
  event.mutable_payload()->PackFrom(fired);
  return event;
}

// Fires, earliest first, each timer `stream` (folded from `events`) leaves
// armed and due by `now`, adding each firing to `events`. A firing the
// workflow refuses is left out (the timer loop would park it) and the rest
// refolded.
void FireDueTimers(const Workflow& workflow, const EventLookup& log,
                   std::vector<EventEnvelope>& events, absl::Time now,
                   FoldedStream* stream) {
  const std::string stream_id = stream->stream_id;
  std::set<std::string> refused;
  for (int fired = 0; fired < kMaxFirings; ++fired) {
    const Timer* next = nullptr;
    for (const auto& [id, timer] : stream->timers) {
      if (FromTimestamp(timer.due_time()) > now || refused.count(id)) continue;
      const absl::Time due = FromTimestamp(timer.due_time());
      const absl::Time first =
          next == nullptr ? due : FromTimestamp(next->due_time());
      if (next == nullptr || due < first || (due == first && id < next->id())) {
        next = &timer;
      }
    }
    if (next == nullptr) return;
    events.push_back(FiringOf(workflow, *next, *stream, now));
    if (FoldEvent(workflow, log, &events.back(), FoldDetail::kFull, stream)
            .ok()) {
      continue;
    }
    refused.insert(next->id());
    events.pop_back();
    *stream = FoldedStream();
    stream->stream_id = stream_id;
    FoldEvents(workflow, log, FoldDetail::kFull, /*classify=*/false,
               absl::MakeSpan(events), stream, IgnoreFolded);
  }
}

// `events` folded into a fresh `stream`, and the timers due by `now` fired.
void FoldAndFire(const Workflow& workflow, const EventLookup& log,
                 std::vector<EventEnvelope> events, absl::Time now,
                 FoldedStream* stream) {
  FoldEvents(workflow, log, FoldDetail::kFull, /*classify=*/false,
             absl::MakeSpan(events), stream, IgnoreFolded);
  FireDueTimers(workflow, log, events, now, stream);
}

std::string TaskText(const Task& task) {
  return absl::StrCat("due ", absl::FormatTime(FromTimestamp(task.due_time())),
                      ", ", task.queue(), ", priority ", task.priority(), ", ",
                      returnpath::v1::TaskState_Name(task.state()));
}

bool SameOutcome(const Task& a, const Task& b) {
  return FromTimestamp(a.due_time()) == FromTimestamp(b.due_time()) &&
         a.queue() == b.queue() && a.priority() == b.priority() &&
         a.state() == b.state();
}

// A stream's tasks by kind, each kind's in the order they were opened.
std::map<std::string, std::vector<const Task*>> TasksByKind(
    const FoldedStream& stream) {
  std::map<std::string, std::vector<const Task*>> out;
  for (const auto& [id, task] : stream.tasks) out[task.kind()].push_back(&task);
  for (auto& entry : out) {
    std::stable_sort(entry.second.begin(), entry.second.end(),
                     [](const Task* a, const Task* b) {
                       // A task a firing added (position 0) came last.
                       auto key = [](const Task* t) {
                         return t->opened_at_position() == 0
                                    ? UINT64_MAX
                                    : t->opened_at_position();
                       };
                       return key(a) < key(b);
                     });
  }
  return out;
}

// Tasks are paired by kind and the order they were opened in: under another
// policy the same task may carry another id (one a firing opened).
void CompareTasks(const FoldedStream& current, const FoldedStream& alternative,
                  std::vector<WhatIfDifference>* out) {
  std::map<std::string, std::vector<const Task*>> a = TasksByKind(current);
  std::map<std::string, std::vector<const Task*>> b = TasksByKind(alternative);
  std::set<std::string> kinds;
  for (const auto& entry : a) kinds.insert(entry.first);
  for (const auto& entry : b) kinds.insert(entry.first);
  for (const std::string& kind : kinds) {
    const std::vector<const Task*>& mine = a[kind];
    const std::vector<const Task*>& theirs = b[kind];
    for (size_t i = 0; i < std::max(mine.size(), theirs.size()); ++i) {
      const Task* c = i < mine.size() ? mine[i] : nullptr;
      const Task* t = i < theirs.size() ? theirs[i] : nullptr;
      if (c != nullptr && t != nullptr && SameOutcome(*c, *t)) continue;
      WhatIfDifference d;
      d.what = absl::StrCat("task ", kind);
      if (c != nullptr) {
        d.current = TaskText(*c);
        d.current_task = *c;
      }
      if (t != nullptr) {
        d.alternative = TaskText(*t);
        d.alternative_task = *t;
      }
      out->push_back(std::move(d));
    }
  }
}

absl::StatusOr<StreamWhatIf> Compare(const Workflow& current_workflow,
                                     const FoldedStream& current,
                                     const Workflow& alternative_workflow,
                                     const FoldedStream& alternative) {
  StreamWhatIf out;
  out.stream_id = current.stream_id;
  RP_ASSIGN_OR_RETURN(std::vector<Workflow::Fact> mine,
                      current_workflow.Facts(EncodedState(current)));
  RP_ASSIGN_OR_RETURN(std::vector<Workflow::Fact> theirs,
                      alternative_workflow.Facts(EncodedState(alternative)));
  absl::flat_hash_map<std::string, std::string> by_name;
  for (Workflow::Fact& fact : theirs) by_name[fact.name] = fact.value;
  for (const Workflow::Fact& fact : mine) {
    const std::string& other = by_name[fact.name];
    if (other != fact.value) {
      out.differences.push_back({fact.name, fact.value, other, {}, {}});
    }
  }
  CompareTasks(current, alternative, &out.differences);
  return out;
}

absl::StatusOr<std::vector<StatisticsDifference>> CompareStatistics(
    EventStore& store, const Workflow& current, const Workflow& alternative) {
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, StatisticsDifference> rows;
  RP_ASSIGN_OR_RETURN(StatisticsReport mine,
                      Statistics(store, current, absl::InfinitePast(),
                                 absl::InfiniteFuture(), nullptr));
  RP_ASSIGN_OR_RETURN(StatisticsReport theirs,
                      Statistics(store, alternative, absl::InfinitePast(),
                                 absl::InfiniteFuture(), nullptr));
  auto row = [&rows](const StatisticsRow& r) -> StatisticsDifference& {
    StatisticsDifference& d = rows[{r.category, r.month, r.group}];
    d.category = r.category;
    d.month = r.month;
    d.group = r.group;
    return d;
  };
  for (const StatisticsRow& r : mine.rows) row(r).current = r.count;
  for (const StatisticsRow& r : theirs.rows) row(r).alternative = r.count;
  std::vector<StatisticsDifference> out;
  for (auto& entry : rows) {
    if (entry.second.current != entry.second.alternative) {
      out.push_back(std::move(entry.second));
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<StreamWhatIf> WhatIfStream(EventStore& store,
                                          const Workflow& current,
                                          const Workflow& alternative,
                                          absl::string_view stream_id,
                                          uint64_t position, absl::Time now) {
  RP_ASSIGN_OR_RETURN(
      std::vector<EventEnvelope> events,
      ReadStreamEvents(store, stream_id, [position](const EventEnvelope& e) {
        return e.position() <= position ? Take::kFold : Take::kStop;
      }));
  if (events.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "\"", stream_id, "\" has no events at or before position ", position));
  }
  const StoreEvents log(store);
  FoldedStream mine;
  mine.stream_id = std::string(stream_id);
  FoldedStream theirs;
  theirs.stream_id = std::string(stream_id);
  FoldAndFire(alternative, log, events, now, &theirs);
  FoldAndFire(current, log, std::move(events), now, &mine);
  return Compare(current, mine, alternative, theirs);
}

absl::StatusOr<WhatIfReport> WhatIfEveryStream(EventStore& store,
                                               const Workflow& current,
                                               const Workflow& alternative,
                                               const WhatIfOptions& options) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreView> view, store.Snapshot());
  const ViewEvents log(*view);
  const uint64_t total = view->LastPosition();
  WhatIfReport report;
  absl::Status failed;
  StreamsFold fold;
  fold.detail = FoldDetail::kFull;  // the current side, tasks included
  fold.on_event = [&](int, const EventEnvelope&, const absl::Status&,
                      std::vector<Workflow::StatisticKey>*) {
    if (++report.events % kProgressEvery == 0 && options.progress) {
      options.progress(report.events, total);
    }
  };
  fold.on_stream = [&](int, FoldedStream& stream,
                       absl::Span<const EventEnvelope> events) {
    if (stream.erased) return true;  // nothing of theirs is decided any more
    std::vector<EventEnvelope> read(events.begin(), events.end());
    FoldedStream theirs;
    theirs.stream_id = stream.stream_id;
    FoldAndFire(alternative, log, read, options.now, &theirs);
    FireDueTimers(current, log, read, options.now, &stream);
    absl::StatusOr<StreamWhatIf> compared =
        Compare(current, stream, alternative, theirs);
    if (!compared.ok()) {
      failed = compared.status();
      return false;
    }
    ++report.streams;
    if (compared->differences.empty()) return true;
    ++report.differing;
    std::set<std::string> kinds;
    for (const WhatIfDifference& d : compared->differences)
      kinds.insert(d.what);
    for (const std::string& what : kinds) ++report.streams_by_what[what];
    if (options.on_difference) options.on_difference(*compared);
    return true;
  };
  RP_RETURN_IF_ERROR(FoldEveryStream(*view, current, fold));
  RP_RETURN_IF_ERROR(failed);
  if (options.progress) options.progress(report.events, total);
  RP_ASSIGN_OR_RETURN(report.statistics,
                      CompareStatistics(store, current, alternative));
  return report;
}

}  // namespace returnpath::engine
