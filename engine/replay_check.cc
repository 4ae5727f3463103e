// ReplayCheck: rebuild everything the log implies and compare it with what
// the store holds, from one RocksDB snapshot.

#include <algorithm>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/codec.h"
#include "engine/keys.h"
#include "engine/replay.h"
#include "engine/replay_fold.h"
#include "engine/status_macros.h"
#include "engine/store_access.h"
#include "engine/task_keys.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::EventEnvelope;
using returnpath::v1::StreamRecord;
using returnpath::v1::Task;
using returnpath::v1::Timer;

constexpr size_t kPage = 1024;
constexpr size_t kKeptDifferences = 1000;

using Streams = absl::flat_hash_map<std::string, FoldedStream>;

class Checker {
 public:
  Checker(const StoreDb& db, const rocksdb::Snapshot* snapshot,
          const ReplayCheckOptions& options, ReplayReport* report)
      : db_(db), snapshot_(snapshot), options_(options), report_(report) {}

  void Report(std::string stream, std::string what, std::string detail) {
    ReplayDifference d{std::move(stream), std::move(what), std::move(detail)};
    ++report_->difference_count;
    if (options_.on_difference) options_.on_difference(d);
    if (report_->differences.size() < kKeptDifferences) {
      report_->differences.push_back(std::move(d));
    }
  }

  absl::Status FoldLog(const Workflow& workflow, Streams* streams) {
    uint64_t total = 0;
    absl::StatusOr<std::string> last =
        db_.Get(StoreDb::kMeta, keys::kMetaLastPosition, snapshot_);
    if (last.ok()) {
      absl::string_view in = *last;
      keys::GetU64(&in, &total);
    }
    absl::Status error;
    RP_RETURN_IF_ERROR(ScanRange(
        db_, StoreDb::kEvents, snapshot_, "", "",
        [&](absl::string_view key, absl::string_view value) {
          uint64_t position = 0;
          EventEnvelope event;
          if (!keys::DecodeEvent(key, &position)) {
            error = absl::DataLossError("an events key is malformed");
            return false;
          }
          error = DecodeEventValue(position, value, &event);
          if (!error.ok()) return false;
          FoldedStream& s = (*streams)[event.stream_id()];
          absl::Status applied =
              FoldEvent(workflow, &event, FoldDetail::kFull, &s);
          if (!applied.ok()) {
            Report(event.stream_id(), "state",
                   absl::StrCat("the event at position ", position,
                                " no longer applies: ", applied.message()));
            s.stream_id = event.stream_id();
            s.version = event.stream_version();
            s.last_position = position;
          }
          if (++report_->events % kPage == 0 && options_.progress) {
            options_.progress(report_->events, total);
          }
          return true;
        }));
    RP_RETURN_IF_ERROR(error);
    if (options_.progress) options_.progress(report_->events, total);
    report_->streams = streams->size();
    return absl::OkStatus();
  }

  absl::Status CheckStates(const Streams& streams) {
    std::set<std::string> seen;
    absl::Status error;
    RP_RETURN_IF_ERROR(ScanRange(
        db_, StoreDb::kState, snapshot_, "", "",
        [&](absl::string_view key, absl::string_view value) {
          std::string stream(key);
          StreamRecord record;
          if (!record.ParseFromArray(value.data(),
                                     static_cast<int>(value.size()))) {
            Report(stream, "state", "the state record does not parse");
            return true;
          }
          auto it = streams.find(stream);
          if (it == streams.end()) {
            Report(stream, "state",
                   "a state record exists but the log has no events for it");
            return true;
          }
          seen.insert(stream);
          CompareState(it->second, record);
          return true;
        }));
    for (const auto& [stream, folded] : streams) {
      if (!seen.count(stream)) {
        Report(stream, "state",
               absl::StrCat("the log has ", folded.version,
                            " events but there is no state record"));
      }
    }
    return error;
  }

  absl::Status CheckIndex(const Streams& streams) {
    std::set<std::pair<std::string, std::string>> expected;  // key, stream
    for (const auto& [stream, folded] : streams) {
      for (const std::string& key : folded.index_keys) {
        expected.emplace(key, stream);
      }
    }
    RP_RETURN_IF_ERROR(
        ScanRange(db_, StoreDb::kIndex, snapshot_, "", "",
                  [&](absl::string_view raw, absl::string_view) {
                    std::string key, stream;
                    if (!keys::DecodeIndexEntry(raw, &key, &stream)) {
                      Report("", "index", "an index entry is malformed");
                    } else if (expected.erase({key, stream}) == 0) {
                      Report(stream, "index",
                             absl::StrCat("stray index entry \"", key, "\""));
                    }
                    return true;
                  }));
    for (const auto& [key, stream] : expected) {
      Report(stream, "index",
             absl::StrCat("missing index entry \"", key, "\""));
    }
    return absl::OkStatus();
  }

  absl::Status CheckTimers(const Streams& streams) {
    // (stream, id) -> due, from timer_ids.
    std::map<std::pair<std::string, std::string>, absl::Time> by_id;
    RP_RETURN_IF_ERROR(
        ScanRange(db_, StoreDb::kTimerIds, snapshot_, "", "",
                  [&](absl::string_view key, absl::string_view value) {
                    std::string stream, id;
                    absl::Time due;
                    if (keys::DecodeStreamItem(key, &stream, &id) &&
                        keys::GetTime(&value, &due)) {
                      by_id[{stream, id}] = due;
                    } else {
                      Report("", "timers", "a timer_ids entry is malformed");
                    }
                    return true;
                  }));
    std::map<std::pair<std::string, std::string>, const Timer*> expected;
    for (const auto& [stream, folded] : streams) {
      for (const auto& [id, timer] : folded.timers) {
        expected[{stream, id}] = &timer;
      }
    }
    RP_RETURN_IF_ERROR(ScanRange(
        db_, StoreDb::kTimers, snapshot_, "", "",
        [&](absl::string_view key, absl::string_view value) {
          absl::Time due;
          std::string stream, id;
          Timer stored;
          if (!keys::DecodeTimerDue(key, &due, &stream, &id) ||
              !stored.ParseFromArray(value.data(),
                                     static_cast<int>(value.size()))) {
            Report(stream, "timers", "a timer record is malformed");
            return true;
          }
          auto ids = by_id.find({stream, id});
          if (ids == by_id.end() || ids->second != due) {
            Report(stream, "timers",
                   absl::StrCat("timer \"", id,
                                "\" has no matching timer_ids entry"));
          } else {
            by_id.erase(ids);
          }
          auto it = expected.find({stream, id});
          if (it == expected.end()) {
            Report(
                stream, "timers",
                absl::StrCat("timer \"", id, "\" (due ", absl::FormatTime(due),
                             ") is armed but the log has it fired, "
                             "cancelled or never armed"));
            return true;
          }
          CompareTimer(*it->second, stored);
          expected.erase(it);
          return true;
        }));
    for (const auto& [key, due] : by_id) {
      Report(key.first, "timers",
             absl::StrCat("timer_ids names timer \"", key.second,
                          "\" which is not stored"));
    }
    for (const auto& [key, timer] : expected) {
      Report(key.first, "timers",
             absl::StrCat("timer \"", key.second, "\" (due ",
                          absl::FormatTime(FromTimestamp(timer->due_time())),
                          ") should be armed but is not stored"));
    }
    return absl::OkStatus();
  }

  absl::Status CheckTasks(const Streams& streams) {
    std::set<std::string> ready;  // ready and delayed entries
    RP_RETURN_IF_ERROR(ScanRange(db_, StoreDb::kTaskReady, snapshot_, "", "",
                                 [&](absl::string_view key, absl::string_view) {
                                   ready.emplace(key);
                                   return true;
                                 }));
    std::map<std::pair<std::string, std::string>, const Task*> expected;
    for (const auto& [stream, folded] : streams) {
      for (const auto& [id, task] : folded.tasks) {
        expected[{stream, id}] = &task;
      }
    }
    RP_RETURN_IF_ERROR(ScanRange(
        db_, StoreDb::kTasks, snapshot_, "", "",
        [&](absl::string_view key, absl::string_view value) {
          std::string stream, id;
          Task stored;
          if (!keys::DecodeStreamItem(key, &stream, &id) ||
              !stored.ParseFromArray(value.data(),
                                     static_cast<int>(value.size()))) {
            Report(stream, "tasks", "a task record is malformed");
            return true;
          }
          CheckQueueEntries(stored, &ready);
          auto it = expected.find({stream, id});
          if (it == expected.end()) {
            Report(stream, "tasks",
                   absl::StrCat("task \"", id,
                                "\" is stored but the log never opened it"));
            return true;
          }
          CompareTask(*it->second, stored);
          expected.erase(it);
          return true;
        }));
    for (const auto& [key, task] : expected) {
      Report(key.first, "tasks",
             absl::StrCat("task \"", key.second,
                          "\" was opened by the log but is not stored"));
    }
    // What is left of the store's own ready entries names no OPEN task.
    for (const std::string& key : ready) {
      if (!key.empty() && key[0] == '\0') continue;  // task queue hints
      std::string queue, stream, id;
      keys::DecodeTaskReady(key, &queue, &stream, &id);
      Report(stream, "tasks",
             absl::StrCat("ready entry of queue \"", queue, "\" for task \"",
                          id, "\" names no open task with that order"));
    }
    return absl::OkStatus();
  }

 private:
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
    if (record.state() != folded.state) {
      Report(s, "state",
             absl::StrCat("the stored state (", record.state().size(),
                          " bytes) differs from the state the log folds to (",
                          folded.state.size(), " bytes)"));
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

  // Compares what the log decides; leases and retries are the queue's.
  void CompareTask(const Task& want, const Task& got) {
    Task logged = got;
    logged.clear_attempts();
    logged.clear_visible_time();
    logged.clear_lease_owner();
    logged.clear_lease_expires();
    logged.clear_last_error();
    using returnpath::v1::TASK_STATE_OPEN;
    const bool runtime_state =
        got.state() == returnpath::v1::TASK_STATE_LEASED ||
        got.state() == returnpath::v1::TASK_STATE_DEAD_LETTER;
    if (runtime_state) logged.set_state(TASK_STATE_OPEN);
    // Closing a dead-lettered task does nothing (CommandContext::CloseTask).
    Task expected = want;
    if (got.state() == returnpath::v1::TASK_STATE_DEAD_LETTER &&
        want.state() != TASK_STATE_OPEN) {
      expected.set_state(TASK_STATE_OPEN);
      expected.clear_outcome();
      expected.clear_closed_at_position();
    }
    if (expected.SerializeAsString() != logged.SerializeAsString()) {
      Report(want.stream_id(), "tasks",
             absl::StrCat("task \"", want.id(), "\" is stored as {",
                          got.ShortDebugString(), "}; the log gives {",
                          want.ShortDebugString(), "}"));
    }
  }

  // An OPEN task has its ready entry, or a delayed one while it waits out a
  // retry; ready entries found here are crossed off.
  void CheckQueueEntries(const Task& task, std::set<std::string>* ready) {
    if (task.state() != returnpath::v1::TASK_STATE_OPEN) return;
    if (ready->erase(task_keys::Ready(task)) > 0) return;
    if (ready->count(task_keys::Delayed(task.queue(),
                                        FromTimestamp(task.visible_time()),
                                        task.stream_id(), task.id())) > 0) {
      return;
    }
    Report(task.stream_id(), "tasks",
           absl::StrCat("open task \"", task.id(),
                        "\" is missing from queue \"", task.queue(), "\""));
  }

  const StoreDb& db_;
  const rocksdb::Snapshot* const snapshot_;
  const ReplayCheckOptions& options_;
  ReplayReport* const report_;
};

}  // namespace

absl::StatusOr<ReplayReport> ReplayCheck(EventStore& store,
                                         const Workflow& workflow,
                                         const ReplayCheckOptions& options) {
  RP_ASSIGN_OR_RETURN(const StoreDb* db, StoreDbOf(store));
  ScopedSnapshot snapshot(db->db());
  ReplayReport report;
  Checker checker(*db, snapshot.get(), options, &report);
  Streams streams;
  RP_RETURN_IF_ERROR(checker.FoldLog(workflow, &streams));
  RP_RETURN_IF_ERROR(checker.CheckStates(streams));
  RP_RETURN_IF_ERROR(checker.CheckIndex(streams));
  RP_RETURN_IF_ERROR(checker.CheckTimers(streams));
  RP_RETURN_IF_ERROR(checker.CheckTasks(streams));
  return report;
}

}  // namespace returnpath::engine
