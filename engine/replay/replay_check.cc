// ReplayCheck: rebuild everything the log implies and compare it with what
// the store holds, from one snapshot of the store.
//
// It goes one stream at a time, so its memory does not grow with the number
// of streams (holding every stream's fold at once took about 16 KB a stream:
// tens of GB at national scale): the fold Statistics uses too
// (fold_streams.h) walks the stream index, and the other families keyed by
// stream (state, timer_ids, tasks) are walked alongside in key order. Entries
// of the families keyed otherwise (index, timers, task_ready) are looked up by
// key and remembered as 64-bit fingerprints; one scan of each at the end
// reports the entries no stream accounts for. A bitmap of folded positions
// finds events the stream index leaves out.

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "engine/replay.h"
#include "engine/status_macros.h"
#include "replay/check_coverage.h"
#include "replay/fold_streams.h"
#include "replay/replay_fold.h"
#include "store/codec.h"
#include "store/keys.h"
#include "store/stream_walk.h"
#include "store/task_keys.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::EventEnvelope;
using returnpath::v1::StreamRecord;
using returnpath::v1::Task;
using returnpath::v1::Timer;

constexpr size_t kPage = 1024;

// Checks the streams of one part (InPart): those the shared fold walks
// (fold_streams.h), and those only the other stream-keyed families name,
// walked alongside in key order. One per fold thread.
class StreamChecker {
 public:
  StreamChecker(const StoreView& view, absl::Time overdue_before, int part,
                int parts, uint64_t total, Findings* findings)
      : view_(view),
        overdue_before_(overdue_before),
        part_(part),
        parts_(parts),
        findings_(*findings),
        states_(view, Table::kState),
        timer_ids_(view, Table::kTimerIds),
        tasks_(view, Table::kTasks) {
    coverage_.folded_positions.assign(total + 1, false);
  }

  void Folded(const EventEnvelope& event, const absl::Status& applied) {
    std::vector<bool>& folded = coverage_.folded_positions;
    if (event.position() >= folded.size()) {
      folded.resize(event.position() + 1, false);
    }
    folded[event.position()] = true;
    if (!applied.ok()) {
      Report(event.stream_id(), "state",
             absl::StrCat("the event at position ", event.position(),
                          " no longer applies: ", applied.message()));
    }
    if (++unreported_events_ == kPage) {
      findings_.Folded(unreported_events_);
      unreported_events_ = 0;
    }
  }

  // A stream the fold walked, with its events as the stream index lists
  // them. False on an error, which Finish returns.
  bool Check(FoldedStream& folded, absl::Span<const EventEnvelope> events) {
    status_ = CheckStreamsBefore(&folded.stream_id);
    if (!status_.ok()) return false;
    ++coverage_.streams;
    // A rejected event is reported once: the version it was stored at is
    // not a second difference.
    if (!events.empty()) {
      folded.version = events.back().stream_version();
      folded.last_position = events.back().position();
    }
    if (folded.erased) {
      // Not folded (what it held is gone), but accounted for.
      for (const EventEnvelope& event : events) Folded(event, absl::OkStatus());
    }
    events_ = events;
    status_ = CheckStream(folded);
    return status_.ok();
  }

  // After the fold: the streams left that only the other families name.
  absl::Status Finish() {
    RP_RETURN_IF_ERROR(status_);
    RP_RETURN_IF_ERROR(CheckStreamsBefore(nullptr));
    for (const StreamCursor* c : {&states_, &timer_ids_, &tasks_}) {
      RP_RETURN_IF_ERROR(c->status());
    }
    findings_.Folded(unreported_events_);
    unreported_events_ = 0;
    return absl::OkStatus();
  }

  Coverage TakeCoverage() { return std::move(coverage_); }

 private:
  bool Mine(absl::string_view stream) const {
    return InPart(stream, part_, parts_);
  }
  void Report(std::string stream, std::string what, std::string detail) {
    findings_.Report(std::move(stream), std::move(what), std::move(detail));
  }

  // What a stream accounts for in a family walked by key lookup.
  void Expect(Table table, absl::string_view key) {
    coverage_.expected.insert(Coverage::Fingerprint(table, key));
  }

  // Streams before `stop` (null: to the end) that the state, timer_ids or
  // tasks family names but the stream index does not: they fold to nothing.
  absl::Status CheckStreamsBefore(const std::string* stop) {
    events_ = {};
    for (;;) {
      std::string stream;
      for (const StreamCursor* c : {&states_, &timer_ids_, &tasks_}) {
        if (c->Valid() && (stop == nullptr || c->stream() < *stop) &&
            (stream.empty() || c->stream() < stream)) {
          stream = std::string(c->stream());
        }
      }
      if (stream.empty()) return absl::OkStatus();
      if (!Mine(stream)) {
        for (StreamCursor* c : {&states_, &timer_ids_, &tasks_}) {
          while (c->At(stream)) c->Next();
        }
        continue;
      }
      FoldedStream nothing;
      nothing.stream_id = stream;
      RP_RETURN_IF_ERROR(CheckStream(nothing));
    }
  }

  absl::Status CheckStream(const FoldedStream& folded) {
    RP_RETURN_IF_ERROR(CheckState(folded));
    RP_RETURN_IF_ERROR(CheckIndex(folded));
    RP_RETURN_IF_ERROR(CheckTimers(folded));
    return CheckTasks(folded);
  }

  absl::Status CheckState(const FoldedStream& folded) {
    const std::string& stream = folded.stream_id;
    if (!states_.At(stream)) {
      if (folded.version > 0) {
        Report(stream, "state",
               absl::StrCat("the log has ", folded.version,
                            " events but there is no state record"));
      }
      return absl::OkStatus();
    }
    StreamRecord record;
    if (!record.ParseFromArray(states_.value().data(),
                               static_cast<int>(states_.value().size()))) {
      Report(stream, "state", "the state record does not parse");
    } else if (folded.version == 0) {
      Report(stream, "state",
             "a state record exists but the log has no events for it");
    } else {
      CompareState(folded, record);
    }
    states_.Next();
    return absl::OkStatus();
  }

  absl::Status CheckIndex(const FoldedStream& folded) {
    for (const std::string& key : folded.index_keys) {
      const std::string entry = keys::IndexEntry(key, folded.stream_id);
      Expect(Table::kIndex, entry);
      RP_ASSIGN_OR_RETURN(bool present, Exists(Table::kIndex, entry));
      if (!present) {
        Report(folded.stream_id, "index",
               absl::StrCat("missing index entry \"", key, "\""));
      }
    }
    return absl::OkStatus();
  }

  // The stream's timer_ids entries against the timers they name and the
  // timers the log left armed.
  absl::Status CheckTimers(const FoldedStream& folded) {
    const std::string& stream = folded.stream_id;
    std::vector<std::string> found;  // ids of the expected ones stored
    for (; timer_ids_.At(stream); timer_ids_.Next()) {
      std::string ignored, id;
      absl::Time due;
      absl::string_view value = timer_ids_.value();
      if (!keys::DecodeStreamItem(timer_ids_.key(), &ignored, &id) ||
          !keys::GetTime(&value, &due)) {
        Report(stream, "timers", "a timer_ids entry is malformed");
        continue;
      }
      const std::string key = keys::TimerDue(due, stream, id);
      Expect(Table::kTimers, key);
      RP_ASSIGN_OR_RETURN(std::optional<Timer> stored, ReadTimer(stream, key));
      const auto want = folded.timers.find(id);
      if (!stored.has_value()) {
        if (want == folded.timers.end()) {
          Report(stream, "timers",
                 absl::StrCat("timer_ids names timer \"", id,
                              "\" which is not stored"));
        }
        continue;
      }
      if (want == folded.timers.end()) {
        Report(stream, "timers",
               absl::StrCat("timer \"", id, "\" (due ", absl::FormatTime(due),
                            ") is armed but the log has it fired, "
                            "cancelled or never armed"));
        continue;
      }
      CompareTimer(want->second, *stored);
      ReportIfOverdue(want->second);
      found.push_back(id);
    }
    for (const auto& [id, timer] : folded.timers) {
      if (std::find(found.begin(), found.end(), id) != found.end()) continue;
      const absl::Time due = FromTimestamp(timer.due_time());
      const std::string key = keys::TimerDue(due, stream, id);
      RP_ASSIGN_OR_RETURN(bool present, Exists(Table::kTimers, key));
      if (present) {
        Expect(Table::kTimers, key);
        Report(stream, "timers",
               absl::StrCat("timer \"", id,
                            "\" is stored but has no timer_ids entry"));
      } else {
        Report(stream, "timers",
               absl::StrCat("timer \"", id, "\" (due ", absl::FormatTime(due),
                            ") should be armed but is not stored"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckTasks(const FoldedStream& folded) {
    const std::string& stream = folded.stream_id;
    size_t found = 0;  // expected ones stored (ids are unique keys)
    for (; tasks_.At(stream); tasks_.Next()) {
      std::string ignored, id;
      Task stored;
      if (!keys::DecodeStreamItem(tasks_.key(), &ignored, &id) ||
          !stored.ParseFromArray(tasks_.value().data(),
                                 static_cast<int>(tasks_.value().size()))) {
        Report(stream, "tasks", "a task record is malformed");
        continue;
      }
      RP_RETURN_IF_ERROR(CheckQueueEntries(stored));
      const auto want = folded.tasks.find(id);
      if (want == folded.tasks.end()) {
        Report(stream, "tasks",
               absl::StrCat("task \"", id,
                            "\" is stored but the log never opened it"));
        continue;
      }
      CompareTask(want->second, stored);
      ++found;
    }
    if (found == folded.tasks.size()) return absl::OkStatus();
    for (const auto& [id, task] : folded.tasks) {
      RP_ASSIGN_OR_RETURN(bool present,
                          Exists(Table::kTasks, keys::StreamItem(stream, id)));
      if (!present) {
        Report(stream, "tasks",
               absl::StrCat("task \"", id,
                            "\" was opened by the log but is not stored"));
      }
    }
    return absl::OkStatus();
  }

  // An OPEN task has its ready entry, or a delayed one while it waits out a
  // retry; a DEAD_LETTER or PAUSED one its marked entry, or listings of
  // those miss it.
  absl::Status CheckQueueEntries(const Task& task) {
    if (const std::string marked = task_keys::MarkedFor(task);
        !marked.empty()) {
      RP_ASSIGN_OR_RETURN(bool present, Exists(Table::kTaskReady, marked));
      if (!present) {
        Report(task.stream_id(), "tasks",
               absl::StrCat(returnpath::v1::TaskState_Name(task.state()),
                            " task \"", task.id(),
                            "\" is missing from queue \"", task.queue(), "\""));
      }
      return absl::OkStatus();
    }
    if (task.state() != returnpath::v1::TASK_STATE_OPEN)
      return absl::OkStatus();
    const std::string ready = task_keys::Ready(task);
    Expect(Table::kTaskReady, ready);
    RP_ASSIGN_OR_RETURN(bool present, Exists(Table::kTaskReady, ready));
    if (present) return absl::OkStatus();
    RP_ASSIGN_OR_RETURN(
        present, Exists(Table::kTaskReady,
                        task_keys::Delayed(task.queue(),
                                           FromTimestamp(task.visible_time()),
                                           task.stream_id(), task.id())));
    if (!present) {
      Report(task.stream_id(), "tasks",
             absl::StrCat("open task \"", task.id(),
                          "\" is missing from queue \"", task.queue(), "\""));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<bool> Exists(Table table, absl::string_view key) {
    absl::StatusOr<std::string> value = view_.Get(table, key);
    if (absl::IsNotFound(value.status())) return false;
    RP_RETURN_IF_ERROR(value.status());
    return true;
  }

  // Null if absent; a malformed record is reported and read as absent.
  absl::StatusOr<std::optional<Timer>> ReadTimer(const std::string& stream,
                                                 absl::string_view key) {
    absl::StatusOr<std::optional<Timer>> timer =
        ReadProto<Timer>(view_, Table::kTimers, key);
    if (absl::IsDataLoss(timer.status())) {
      Report(stream, "timers", "a timer record is malformed");
      return std::nullopt;
    }
    return timer;
  }

  void CompareState(const FoldedStream& folded, const StreamRecord& record) {
    const std::string& s = folded.stream_id;
    if (record.version() != folded.version ||
        record.last_position() != folded.last_position) {
      Report(
          s, "state",
          absl::StrCat("stored version ", record.version(), " at position ",
                       record.last_position(), "; the log has version ",
                       folded.version, " at position ", folded.last_position));
    }
    if (const std::string state = EncodedState(folded);
        record.state() != state) {
      Report(s, "state",
             absl::StrCat("the stored state (", record.state().size(),
                          " bytes) differs from the state the log folds to (",
                          state.size(), " bytes)"));
    }
    if (const uint64_t erased = folded.erased ? folded.last_position : 0;
        record.erased_at_position() != erased) {
      Report(s, "state",
             absl::StrCat("the state record says erased at position ",
                          record.erased_at_position(), "; the log says ",
                          erased == 0 ? std::string("not erased")
                                      : absl::StrCat("at position ", erased)));
    }
    std::vector<std::string> stored(record.index_keys().begin(),
                                    record.index_keys().end());
    std::sort(stored.begin(), stored.end());
    if (stored != folded.index_keys) {
      Report(s, "index",
             absl::StrCat("the state record lists index keys [",
                          absl::StrJoin(stored, ", "), "]; the log gives [",
                          absl::StrJoin(folded.index_keys, ", "), "]"));
    }
  }

  void CompareTimer(const Timer& want, const Timer& got) {
    if (want.SerializeAsString() != got.SerializeAsString()) {
      Report(want.stream_id(), "timers",
             absl::StrCat("timer \"", want.id(), "\" is stored as {",
                          got.ShortDebugString(), "}; the log gives {",
                          want.ShortDebugString(), "}"));
    }
  }

  // When the timer could first fire: when due, or when the event that armed
  // it was recorded if that was later (a late-recorded event may arm a timer
  // that is already due).
  absl::Time FirstFiring(const Timer& timer) const {
    const absl::Time due = FromTimestamp(timer.due_time());
    auto armed = std::lower_bound(
        events_.begin(), events_.end(), timer.armed_at_position(),
        [](const EventEnvelope& e, uint64_t p) { return e.position() < p; });
    if (armed == events_.end() ||
        armed->position() != timer.armed_at_position()) {
      return due;
    }
    return std::max(due, FromTimestamp(armed->recorded_time()));
  }

  // A stored timer the log leaves armed should fire when due; one long past
  // due was parked by the timer loop (its firing failed) or never found.
  void ReportIfOverdue(const Timer& timer) {
    if (FirstFiring(timer) >= overdue_before_) return;
    const absl::Time due = FromTimestamp(timer.due_time());
    Report(timer.stream_id(), "timers",
           absl::StrCat("timer \"", timer.id(), "\" was due ",
                        absl::FormatTime(due),
                        " and is still armed: it should have fired (parked "
                        "after a failed firing, or never picked up)"));
  }

  // Compares what the log decides; leases and retries are the queue's.
  void CompareTask(const Task& want, const Task& got) {
    const Task logged = LoggedPartOfTask(got);
    if (want.SerializeAsString() != logged.SerializeAsString()) {
      Report(want.stream_id(), "tasks",
             absl::StrCat("task \"", want.id(), "\" is stored as {",
                          got.ShortDebugString(), "}; the log gives {",
                          want.ShortDebugString(), "}"));
    }
  }

  const StoreView& view_;
  const absl::Time overdue_before_;  // InfinitePast: no overdue check
  const int part_, parts_;
  Findings& findings_;
  StreamCursor states_, timer_ids_, tasks_;
  Coverage coverage_;
  absl::Span<const EventEnvelope> events_;  // of the stream being checked
  uint64_t unreported_events_ = 0;  // folded since the last Findings::Folded
  absl::Status status_;             // the first error a Check met
};

}  // namespace

absl::StatusOr<ReplayReport> ReplayCheck(EventStore& store,
                                         const Workflow& workflow,
                                         const ReplayCheckOptions& options) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreView> view, store.Snapshot());
  const uint64_t total = view->LastPosition();
  ReplayReport report;
  Findings findings(options, total, &report);
  const int threads = std::max(1, options.threads);
  const absl::Time overdue_before = options.now == absl::InfinitePast()
                                        ? absl::InfinitePast()
                                        : options.now - options.overdue_grace;
  std::vector<std::unique_ptr<StreamChecker>> checkers;
  for (int i = 0; i < threads; ++i) {
    checkers.push_back(std::make_unique<StreamChecker>(
        *view, overdue_before, i, threads, total, &findings));
  }
  StreamsFold fold;
  fold.detail = FoldDetail::kFull;
  fold.threads = threads;
  fold.on_event = [&checkers](int part, const EventEnvelope& event,
                              const absl::Status& applied,
                              std::vector<Workflow::StatisticKey>*) {
    checkers[part]->Folded(event, applied);
  };
  fold.on_problem = [&findings](int, absl::string_view stream,
                                std::string problem) {
    findings.Report(std::string(stream), "state", std::move(problem));
  };
  fold.on_stream = [&checkers](int part, FoldedStream& stream,
                               absl::Span<const EventEnvelope> events) {
    return checkers[part]->Check(stream, events);
  };
  RP_RETURN_IF_ERROR(FoldEveryStream(*view, workflow, fold));
  for (auto& checker : checkers) RP_RETURN_IF_ERROR(checker->Finish());
  Coverage coverage;
  for (auto& checker : checkers) coverage.Merge(checker->TakeCoverage());
  checkers.clear();
  findings.Finished();
  RP_RETURN_IF_ERROR(ReportEventsOutsideTheIndex(*view, coverage, findings));
  RP_RETURN_IF_ERROR(ReportStrays(*view, coverage, findings));
  report.streams = coverage.streams;
  return report;
}

}  // namespace returnpath::engine
