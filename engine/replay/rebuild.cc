// MigrateStates: see rebuild.h.

#include "replay/rebuild.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "commit/sequencer.h"
#include "commit/transition_records.h"
#include "engine/replay.h"
#include "engine/status_macros.h"
#include "replay/fold_streams.h"
#include "replay/replay_fold.h"
#include "store/keys.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::EventEnvelope;
using returnpath::v1::StreamRecord;
using returnpath::v1::Task;
using returnpath::v1::Timer;

struct RebuildReport {
  uint64_t streams = 0;
  uint64_t events = 0;
  uint64_t rewritten_streams = 0;  // with at least one record changed
};

// Streams repaired per command: bounds a group's batch and what is held.
constexpr size_t kStreamsPerCommand = 256;

// What one stream's stored records need to match its fold.
struct StreamRepair {
  std::string stream;
  std::optional<StreamRecord> record;  // to put
  std::vector<std::string> index_removed, index_added;
  std::vector<std::string> timers_removed;     // ids
  std::vector<std::string> timer_ids_removed;  // ids naming no stored timer
  std::vector<Timer> timers_put;
  std::vector<Task> tasks_removed;
  std::vector<std::pair<Task, Task>> tasks_replaced;  // stored, next
  // The same task under a new id (the workflow names its tasks anew).
  std::vector<std::pair<Task, Task>> tasks_renamed;  // stored, next
  std::vector<Task> tasks_added;

  bool empty() const {
    return !record.has_value() && index_removed.empty() &&
           index_added.empty() && timers_removed.empty() &&
           timer_ids_removed.empty() && timers_put.empty() &&
           tasks_removed.empty() && tasks_replaced.empty() &&
           tasks_renamed.empty() && tasks_added.empty();
  }
};

absl::Status WriteRepair(CommandContext& ctx, const StreamRepair& r) {
  if (r.record.has_value()) ctx.PutStream(*r.record);
  for (const std::string& key : r.index_removed) {
    ctx.DeleteRecord(Table::kIndex, keys::IndexEntry(key, r.stream));
  }
  for (const std::string& key : r.index_added) {
    ctx.PutRecord(Table::kIndex, keys::IndexEntry(key, r.stream), "");
  }
  for (const std::string& id : r.timers_removed) {
    RP_RETURN_IF_ERROR(ctx.DeleteTimer(r.stream, id));
  }
  for (const std::string& id : r.timer_ids_removed) {
    ctx.DeleteRecord(Table::kTimerIds, keys::StreamItem(r.stream, id));
  }
  for (const Timer& timer : r.timers_put) {
    RP_RETURN_IF_ERROR(ctx.PutTimer(timer));
  }
  for (const Task& task : r.tasks_removed) ctx.RemoveTask(task);
  for (const auto& [stored, next] : r.tasks_replaced) {
    RP_RETURN_IF_ERROR(ctx.ReplaceTask(stored, next));
  }
  for (const auto& [stored, next] : r.tasks_renamed) {
    ctx.RemoveTask(stored);
    RP_RETURN_IF_ERROR(ctx.ReplaceTask(stored, next));
  }
  for (const Task& task : r.tasks_added) {
    RP_RETURN_IF_ERROR(ctx.OpenTask(task));
  }
  return absl::OkStatus();
}

// `folded`, with what the queue added to `stored`: its handling history, and
// while the log leaves the task open, its lease, retry delay or dead letter.
Task KeepRuntime(Task folded, const Task& stored) {
  folded.set_attempts(stored.attempts());
  folded.set_last_error(stored.last_error());
  *folded.mutable_handling() = stored.handling();
  const bool queue_state =
      stored.state() == returnpath::v1::TASK_STATE_OPEN ||
      stored.state() == returnpath::v1::TASK_STATE_LEASED ||
      stored.state() == returnpath::v1::TASK_STATE_DEAD_LETTER;
  if (folded.state() == returnpath::v1::TASK_STATE_OPEN && queue_state) {
    folded.set_state(stored.state());
    if (stored.has_visible_time()) {
      *folded.mutable_visible_time() = stored.visible_time();
    }
    folded.set_lease_owner(stored.lease_owner());
    if (stored.has_lease_expires()) {
      *folded.mutable_lease_expires() = stored.lease_expires();
    }
  }
  return folded;
}

// Folds every stream through the shared walk (fold_streams.h), compares its
// stored records (read at the same snapshot) and queues what differs.
class Rebuilder {
 public:
  Rebuilder(const StoreView& view, const Workflow& workflow,
            CommandQueue& queue, const ReplayProgress& progress)
      : view_(view),
        workflow_(workflow),
        queue_(queue),
        progress_(progress),
        total_(view.LastPosition()) {}

  absl::StatusOr<RebuildReport> Run() {
    StreamsFold fold;
    fold.detail = FoldDetail::kFull;
    fold.on_event = [this](int, const EventEnvelope& event,
                           const absl::Status& applied,
                           std::vector<Workflow::StatisticKey>*) {
      if (!applied.ok() && error_.ok()) {
        error_ = absl::FailedPreconditionError(absl::StrCat(
            "the event at position ", event.position(), " of stream \"",
            event.stream_id(), "\" no longer applies: ", applied.message()));
      }
      if (++report_.events % 65536 == 0 && progress_) {
        progress_(report_.events, total_);
      }
    };
    fold.on_problem = [this](int, absl::string_view stream,
                             std::string problem) {
      if (error_.ok()) {
        error_ = absl::DataLossError(
            absl::StrCat("stream \"", stream, "\": ", problem));
      }
    };
    fold.on_stream = [this](int, FoldedStream& folded,
                            absl::Span<const EventEnvelope>) {
      if (error_.ok()) error_ = Add(folded);
      return error_.ok();
    };
    RP_RETURN_IF_ERROR(FoldEveryStream(view_, workflow_, fold));
    RP_RETURN_IF_ERROR(error_);
    RP_RETURN_IF_ERROR(Flush());
    if (progress_) progress_(report_.events, total_);
    return report_;
  }

 private:
  absl::Status Add(const FoldedStream& folded) {
    ++report_.streams;
    StreamRepair repair;
    repair.stream = folded.stream_id;
    RP_RETURN_IF_ERROR(RepairRecord(folded, &repair));
    RP_RETURN_IF_ERROR(RepairTimers(folded, &repair));
    RP_RETURN_IF_ERROR(RepairTasks(folded, &repair));
    if (repair.empty()) return absl::OkStatus();
    ++report_.rewritten_streams;
    pending_.push_back(std::move(repair));
    return pending_.size() == kStreamsPerCommand ? Flush() : absl::OkStatus();
  }

  // Calls `visit(key, value)` for the stream's keys of a table keyed
  // "stream \0 id".
  absl::Status ScanStream(
      Table table, const std::string& stream,
      absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) {
    const std::string prefix = keys::StreamPrefix(stream);
    return view_.Scan(table, prefix, keys::PrefixEnd(prefix), visit);
  }

  absl::Status RepairRecord(const FoldedStream& folded, StreamRepair* r) {
    RP_ASSIGN_OR_RETURN(
        std::optional<StreamRecord> stored,
        ReadProto<StreamRecord>(view_, Table::kState, folded.stream_id));
    std::vector<std::string> old_keys;
    if (stored.has_value()) {
      old_keys.assign(stored->index_keys().begin(), stored->index_keys().end());
    }
    std::sort(old_keys.begin(), old_keys.end());
    StreamRecord record;
    record.set_stream_id(folded.stream_id);
    record.set_version(folded.version);
    record.set_last_position(folded.last_position);
    record.set_state(EncodedState(folded));
    if (folded.erased) record.set_erased_at_position(folded.last_position);
    for (const std::string& key : folded.index_keys) record.add_index_keys(key);
    if (!stored.has_value() ||
        record.SerializeAsString() != stored->SerializeAsString()) {
      r->record = record;
    }
    const std::vector<std::string>& new_keys = folded.index_keys;  // sorted
    std::set_difference(old_keys.begin(), old_keys.end(), new_keys.begin(),
                        new_keys.end(), std::back_inserter(r->index_removed));
    std::set_difference(new_keys.begin(), new_keys.end(), old_keys.begin(),
                        old_keys.end(), std::back_inserter(r->index_added));
    return absl::OkStatus();
  }

  absl::Status RepairTimers(const FoldedStream& folded, StreamRepair* r) {
    const std::string& stream = folded.stream_id;
    std::map<std::string, Timer> stored;
    absl::Status read;
    RP_RETURN_IF_ERROR(ScanStream(
        Table::kTimerIds, stream,
        [&](absl::string_view key, absl::string_view value) {
          std::string ignored, id;
          absl::Time due;
          if (!keys::DecodeStreamItem(key, &ignored, &id) ||
              !keys::GetTime(&value, &due)) {
            read = absl::DataLossError(absl::StrCat(
                "a timer_ids entry of stream \"", stream, "\" is malformed"));
            return false;
          }
          absl::StatusOr<std::optional<Timer>> timer = ReadProto<Timer>(
              view_, Table::kTimers, keys::TimerDue(due, stream, id));
          if (!timer.ok()) {
            read = timer.status();
            return false;
          }
          if (timer->has_value()) {
            stored.emplace(id, **std::move(timer));
          } else {
            r->timer_ids_removed.push_back(id);
          }
          return true;
        }));
    RP_RETURN_IF_ERROR(read);
    for (const auto& [id, timer] : stored) {
      if (!folded.timers.contains(id)) r->timers_removed.push_back(id);
    }
    for (const auto& [id, timer] : folded.timers) {
      auto it = stored.find(id);
      if (it == stored.end() ||
          it->second.SerializeAsString() != timer.SerializeAsString()) {
        r->timers_put.push_back(timer);
      }
    }
    return absl::OkStatus();
  }

  absl::Status RepairTasks(const FoldedStream& folded, StreamRepair* r) {
    const std::string& stream = folded.stream_id;
    std::map<std::string, Task> stored;
    absl::Status read;
    RP_RETURN_IF_ERROR(ScanStream(
        Table::kTasks, stream, [&](absl::string_view, absl::string_view value) {
          Task task;
          if (!task.ParseFromArray(value.data(),
                                   static_cast<int>(value.size()))) {
            read = absl::DataLossError(absl::StrCat(
                "a task record of stream \"", stream, "\" is malformed"));
            return false;
          }
          std::string id = task.id();
          stored.emplace(std::move(id), std::move(task));
          return true;
        }));
    RP_RETURN_IF_ERROR(read);
    // A stored task no folded task has the id of may be one the workflow
    // now names otherwise: the same event opened the same kind of task, for
    // the same queue and with the same title. It keeps its lease and history.
    using Identity =
        std::tuple<uint64_t, std::string, std::string, std::string>;
    auto identity = [](const Task& t) {
      return Identity{t.opened_at_position(), t.kind(), t.queue(), t.title()};
    };
    std::map<Identity, std::vector<const Task*>> unnamed;
    for (const auto& [id, task] : stored) {
      if (!folded.tasks.contains(id)) unnamed[identity(task)].push_back(&task);
    }
    for (const auto& [id, task] : folded.tasks) {
      auto it = stored.find(id);
      if (it == stored.end()) {
        auto same = unnamed.find(identity(task));
        if (same != unnamed.end() && same->second.size() == 1) {
          const Task& was = *same->second.front();
          r->tasks_renamed.emplace_back(was, KeepRuntime(task, was));
          unnamed.erase(same);
          continue;
        }
        r->tasks_added.push_back(task);
      } else if (LoggedPartOfTask(it->second).SerializeAsString() !=
                 task.SerializeAsString()) {
        r->tasks_replaced.emplace_back(it->second,
                                       KeepRuntime(task, it->second));
      }
    }
    // What no folded task took over is gone.
    for (const auto& [key, tasks] : unnamed) {
      for (const Task* task : tasks) r->tasks_removed.push_back(*task);
    }
    return absl::OkStatus();
  }

  absl::Status Flush() {
    if (pending_.empty()) return absl::OkStatus();
    std::vector<StreamRepair> repairs = std::move(pending_);
    pending_.clear();
    return RunCommand<bool>(
               queue_,
               [&repairs](CommandContext& ctx) -> absl::StatusOr<bool> {
                 for (const StreamRepair& r : repairs) {
                   RP_RETURN_IF_ERROR(WriteRepair(ctx, r));
                 }
                 return true;
               })
        .status();
  }

  const StoreView& view_;
  const Workflow& workflow_;
  CommandQueue& queue_;
  const ReplayProgress& progress_;
  const uint64_t total_;
  absl::Status error_;  // the first problem; it stops the walk
  std::vector<StreamRepair> pending_;
  RebuildReport report_;
};

absl::Status RecordSchema(CommandQueue& queue, const std::string& schema) {
  return RunCommand<bool>(
             queue,
             [&schema](CommandContext& ctx) -> absl::StatusOr<bool> {
               ctx.PutRecord(Table::kMeta, keys::kMetaStateSchema, schema);
               return true;
             })
      .status();
}

}  // namespace

absl::Status MigrateStates(EventStore& store, const Workflow& workflow,
                           const MigrationLog& log) {
  CommandQueue* queue = CommandQueueOf(store);
  if (queue == nullptr) return absl::OkStatus();  // a test double
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreView> view, store.Snapshot());
  absl::StatusOr<std::string> stored =
      view->Get(Table::kMeta, keys::kMetaStateSchema);
  if (!stored.ok() && !absl::IsNotFound(stored.status())) {
    return stored.status();
  }
  const std::string from = stored.ok() ? *stored : "";
  const std::string to = workflow.StateSchema();
  if (from == to) return absl::OkStatus();
  if (view->LastPosition() == 0) return RecordSchema(*queue, to);
  auto say = [&log](absl::string_view message) {
    if (log) log("info", message);
  };
  const std::string name = !stored.ok()   ? "(not recorded)"
                           : from.empty() ? "(none)"
                                          : from;
  say(absl::StrCat("migrating the store: states were written under \"", name,
                   "\", the workflow keeps \"", to,
                   "\"; rebuilding every stream from the log"));
  const absl::Time start = absl::Now();
  int last_percent = -1;
  const ReplayProgress progress = [&](uint64_t done, uint64_t total) {
    const int percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
    if (percent / 10 == last_percent / 10) return;
    last_percent = percent;
    say(absl::StrCat("migrating the store: ", done, " of ", total,
                     " events folded (", percent, " %)"));
  };
  // The snapshot that read the schema is the one rebuilt from: nothing else
  // writes until the engine is open.
  absl::StatusOr<RebuildReport> report =
      Rebuilder(*view, workflow, *queue, progress).Run();
  if (!report.ok()) {
    return absl::Status(
        report.status().code(),
        absl::StrCat("cannot migrate the store from state schema \"", name,
                     "\" to \"", to, "\": ", report.status().message(),
                     "; nothing was served and the stored events are intact"));
  }
  RP_RETURN_IF_ERROR(RecordSchema(*queue, to));
  say(absl::StrCat("migrated the store to state schema \"", to,
                   "\": ", report->streams, " streams, ", report->events,
                   " events folded, ", report->rewritten_streams,
                   " streams rewritten, in ",
                   absl::FormatDuration(absl::Now() - start)));
  return absl::OkStatus();
}

}  // namespace returnpath::engine
