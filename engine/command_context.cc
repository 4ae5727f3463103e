#include "engine/command_context.h"

#include <utility>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_cat.h"
#include "engine/codec.h"
#include "engine/keys.h"
#include "engine/status_macros.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::StreamRecord;
using returnpath::v1::Task;
using returnpath::v1::Timer;

// The entry for `key` in the command's overlay, else the group's, else null.
template <typename Map>
const typename Map::mapped_type* FindInOverlays(const Map& cmd,
                                                const Map& group,
                                                const std::string& key) {
  if (auto it = cmd.find(key); it != cmd.end()) return &it->second;
  if (auto it = group.find(key); it != group.end()) return &it->second;
  return nullptr;
}

// Reads and parses a proto from the database; nullopt if absent.
template <typename Proto>
absl::StatusOr<std::optional<Proto>> GetProto(const StoreDb& db, StoreDb::Cf cf,
                                              absl::string_view key) {
  absl::StatusOr<std::string> value = db.Get(cf, key, nullptr);
  if (absl::IsNotFound(value.status())) return std::nullopt;
  if (!value.ok()) return value.status();
  Proto proto;
  if (!proto.ParseFromString(*value)) {
    return absl::DataLossError(absl::StrCat(keys::ColumnFamilies()[cf],
                                            " record does not parse: ", key));
  }
  return proto;
}

std::string ReadyKey(const Task& task) {
  return keys::TaskReady(task.queue(), task.priority(),
                         FromTimestamp(task.due_time()), task.stream_id(),
                         task.id());
}

template <typename Map>
void MergeInto(Map& from, Map& into) {
  for (auto& [key, value] : from) into.insert_or_assign(key, std::move(value));
}

}  // namespace

CommandContext::CommandContext(const StoreDb* db, Clock* clock,
                               const Workflow* workflow, ChainState start)
    : db_(db), clock_(clock), workflow_(workflow) {
  group_.chain = std::move(start);
  cmd_.chain = group_.chain;
}

absl::StatusOr<std::optional<StreamRecord>> CommandContext::GetStream(
    absl::string_view stream_id) {
  std::string key(stream_id);
  if (const StreamRecord* r =
          FindInOverlays(cmd_.streams, group_.streams, key)) {
    return *r;
  }
  return GetProto<StreamRecord>(*db_, StoreDb::kState, key);
}

absl::StatusOr<std::optional<Timer>> CommandContext::GetTimer(
    absl::string_view stream_id, absl::string_view timer_id) {
  std::string key = keys::StreamItem(stream_id, timer_id);
  if (const auto* t = FindInOverlays(cmd_.timers, group_.timers, key)) {
    return *t;
  }
  absl::StatusOr<std::string> due_bytes =
      db_->Get(StoreDb::kTimerIds, key, nullptr);
  if (absl::IsNotFound(due_bytes.status())) return std::nullopt;
  if (!due_bytes.ok()) return due_bytes.status();
  absl::string_view in = *due_bytes;
  absl::Time due;
  if (!keys::GetTime(&in, &due)) {
    return absl::DataLossError(
        absl::StrCat("timer_ids record is short: ", key));
  }
  RP_ASSIGN_OR_RETURN(
      std::optional<Timer> timer,
      GetProto<Timer>(*db_, StoreDb::kTimers,
                      keys::TimerDue(due, stream_id, timer_id)));
  if (!timer.has_value()) {
    return absl::DataLossError(
        absl::StrCat("timer_ids names a missing timer: ", key));
  }
  return timer;
}

absl::StatusOr<std::optional<Task>> CommandContext::GetTask(
    absl::string_view stream_id, absl::string_view task_id) {
  std::string key = keys::StreamItem(stream_id, task_id);
  if (const auto* t = FindInOverlays(cmd_.tasks, group_.tasks, key)) return *t;
  return GetProto<Task>(*db_, StoreDb::kTasks, key);
}

absl::StatusOr<std::optional<IdempotencyRecord>> CommandContext::GetIdempotency(
    absl::string_view key) {
  std::string k(key);
  if (const auto* r = FindInOverlays(cmd_.idempotency, group_.idempotency, k)) {
    return *r;
  }
  absl::StatusOr<std::string> value =
      db_->Get(StoreDb::kIdempotency, k, nullptr);
  if (absl::IsNotFound(value.status())) return std::nullopt;
  if (!value.ok()) return value.status();
  IdempotencyRecord record;
  if (!DecodeIdempotency(*value, &record)) {
    return absl::DataLossError(
        absl::StrCat("idempotency record does not parse: ", k));
  }
  return record;
}

absl::Status CommandContext::PutTimer(const Timer& timer) {
  RP_ASSIGN_OR_RETURN(std::optional<Timer> old,
                      GetTimer(timer.stream_id(), timer.id()));
  if (old.has_value()) {
    Delete(StoreDb::kTimers, keys::TimerDue(FromTimestamp(old->due_time()),
                                            old->stream_id(), old->id()));
  }
  absl::Time due = FromTimestamp(timer.due_time());
  std::string id_key = keys::StreamItem(timer.stream_id(), timer.id());
  Put(StoreDb::kTimers, keys::TimerDue(due, timer.stream_id(), timer.id()),
      timer.SerializeAsString());
  Put(StoreDb::kTimerIds, id_key, keys::TimeOnly(due));
  cmd_.timers.insert_or_assign(std::move(id_key), timer);
  return absl::OkStatus();
}

absl::Status CommandContext::DeleteTimer(absl::string_view stream_id,
                                         absl::string_view timer_id) {
  RP_ASSIGN_OR_RETURN(std::optional<Timer> old, GetTimer(stream_id, timer_id));
  if (!old.has_value()) return absl::OkStatus();
  std::string id_key = keys::StreamItem(stream_id, timer_id);
  Delete(StoreDb::kTimers,
         keys::TimerDue(FromTimestamp(old->due_time()), stream_id, timer_id));
  Delete(StoreDb::kTimerIds, id_key);
  cmd_.timers.insert_or_assign(std::move(id_key), std::nullopt);
  return absl::OkStatus();
}

absl::Status CommandContext::PutTask(const Task& task) {
  RP_ASSIGN_OR_RETURN(std::optional<Task> old,
                      GetTask(task.stream_id(), task.id()));
  if (old.has_value() && old->state() == returnpath::v1::TASK_STATE_OPEN) {
    Delete(StoreDb::kTaskReady, ReadyKey(*old));
  }
  std::string key = keys::StreamItem(task.stream_id(), task.id());
  Put(StoreDb::kTasks, key, task.SerializeAsString());
  if (task.state() == returnpath::v1::TASK_STATE_OPEN) {
    Put(StoreDb::kTaskReady, ReadyKey(task), "");
  }
  cmd_.tasks.insert_or_assign(std::move(key), task);
  return absl::OkStatus();
}

void CommandContext::PutStream(const StreamRecord& record) {
  Put(StoreDb::kState, record.stream_id(), record.SerializeAsString());
  cmd_.streams.insert_or_assign(record.stream_id(), record);
}

void CommandContext::PutIdempotency(absl::string_view key,
                                    const IdempotencyRecord& record) {
  Put(StoreDb::kIdempotency, key, EncodeIdempotency(record));
  cmd_.idempotency.insert_or_assign(std::string(key), record);
}

void CommandContext::Put(StoreDb::Cf cf, absl::string_view key,
                         absl::string_view value) {
  rocksdb::Status s = batch_.Put(db_->cf(cf), ToSlice(key), ToSlice(value));
  ABSL_RAW_CHECK(s.ok(), "WriteBatch::Put failed");
}

void CommandContext::Delete(StoreDb::Cf cf, absl::string_view key) {
  rocksdb::Status s = batch_.Delete(db_->cf(cf), ToSlice(key));
  ABSL_RAW_CHECK(s.ok(), "WriteBatch::Delete failed");
}

void CommandContext::Begin() {
  cmd_ = Overlay();
  cmd_.chain = group_.chain;
  now_ = clock_->Now();
  batch_.SetSavePoint();
}

void CommandContext::Commit() {
  MergeInto(cmd_.streams, group_.streams);
  MergeInto(cmd_.timers, group_.timers);
  MergeInto(cmd_.tasks, group_.tasks);
  MergeInto(cmd_.idempotency, group_.idempotency);
  group_.chain = cmd_.chain;
  cmd_ = Overlay();
  ABSL_RAW_CHECK(batch_.PopSavePoint().ok(), "no save point to pop");
}

void CommandContext::Rollback() {
  cmd_ = Overlay();
  ABSL_RAW_CHECK(batch_.RollbackToSavePoint().ok(), "no save point to undo");
}

rocksdb::WriteBatch* CommandContext::FinishGroup() {
  if (batch_.Count() == 0) return nullptr;
  Put(StoreDb::kMeta, keys::kMetaLastPosition,
      keys::U64(group_.chain.last_position));
  Put(StoreDb::kMeta, keys::kMetaChainHead, group_.chain.head);
  return &batch_;
}

}  // namespace returnpath::engine
