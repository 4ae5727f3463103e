#include "commit/command_context.h"

#include <utility>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_cat.h"
#include "commit/transition_records.h"
#include "engine/proto_time.h"
#include "engine/status_macros.h"
#include "store/access_chain.h"
#include "store/codec.h"
#include "store/keys.h"
#include "store/sealing.h"
#include "store/task_keys.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::StreamRecord;
using returnpath::v1::Task;
using returnpath::v1::Timer;

// Reads and parses a proto from the database; nullopt if absent.
template <typename Proto>
absl::StatusOr<std::optional<Proto>> GetProto(const StoreView& reads, Table cf,
                                              absl::string_view key) {
  return ParseRecord<Proto>(cf, reads.Get(cf, key));
}

// Ids, streams and queues are parts of composite keys (keys.h).
absl::Status CheckKeyPart(absl::string_view what, absl::string_view value) {
  if (value.empty() || value.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is empty or contains a NUL byte"));
  }
  return absl::OkStatus();
}

}  // namespace

CommandContext::CommandContext(const StoreView* reads,
                               const MasterKeyring* master_keys, Clock* clock,
                               const Workflow* workflow, ChainState start,
                               const CommandContext* base,
                               const AppendObserver* on_append)
    : reads_(reads),
      master_keys_(master_keys),
      clock_(clock),
      workflow_(workflow),
      base_(base),
      on_append_(on_append),
      layers_(1),
      access_start_(start.access.last) {
  ABSL_RAW_CHECK(base == nullptr || base->layers_.size() == 1,
                 "the base context is still running a command");
  layers_.front().chain = std::move(start);
}

template <typename T>
const T* CommandContext::Find(absl::flat_hash_map<std::string, T> Overlay::*map,
                              const std::string& key) const {
  for (auto layer = layers_.rbegin(); layer != layers_.rend(); ++layer) {
    const auto& m = (*layer).*map;
    if (auto it = m.find(key); it != m.end()) return &it->second;
  }
  if (base_ != nullptr) {
    const auto& m = base_->layers_.front().*map;
    if (auto it = m.find(key); it != m.end()) return &it->second;
  }
  return nullptr;
}

absl::StatusOr<std::optional<std::string>> CommandContext::GetMeta(
    absl::string_view key) {
  if (const auto* v = Find(&Overlay::meta, std::string(key))) return *v;
  absl::StatusOr<std::string> stored = reads_->Get(Table::kMeta, key);
  if (absl::IsNotFound(stored.status())) return std::nullopt;
  if (!stored.ok()) return stored.status();
  return *std::move(stored);
}

void CommandContext::PutMeta(absl::string_view key, absl::string_view value) {
  Put(Table::kMeta, key, value);
  top().meta.insert_or_assign(std::string(key), std::string(value));
}

void CommandContext::DeleteMeta(absl::string_view key) {
  Delete(Table::kMeta, key);
  top().meta.insert_or_assign(std::string(key), std::nullopt);
}

absl::StatusOr<std::optional<StreamRecord>> CommandContext::GetStream(
    absl::string_view stream_id) {
  std::string key(stream_id);
  if (const StreamRecord* r = Find(&Overlay::streams, key)) {
    return *r;
  }
  return GetProto<StreamRecord>(*reads_, Table::kState, key);
}

absl::StatusOr<std::optional<Timer>> CommandContext::GetTimer(
    absl::string_view stream_id, absl::string_view timer_id) {
  std::string key = keys::StreamItem(stream_id, timer_id);
  if (const auto* t = Find(&Overlay::timers, key)) {
    return *t;
  }
  absl::StatusOr<std::string> due_bytes =
      reads_->Get(Table::kTimerIds, key);
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
      GetProto<Timer>(*reads_, Table::kTimers,
                      keys::TimerDue(due, stream_id, timer_id)));
  if (!timer.has_value()) {
    return absl::DataLossError(
        absl::StrCat("timer_ids names a missing timer: ", key));
  }
  return timer;
}

std::vector<TableKey> ReadsAfter(const StoreView& view,
                                 absl::Span<const TableKey> read) {
  std::vector<TableKey> next;
  for (const TableKey& key : read) {
    if (key.table != Table::kTimerIds) continue;
    absl::StatusOr<std::string> value = view.Get(Table::kTimerIds, key.key);
    if (!value.ok()) continue;
    absl::string_view in = *value;
    absl::Time due;
    std::string stream, id;
    if (keys::GetTime(&in, &due) &&
        keys::DecodeStreamItem(key.key, &stream, &id)) {
      next.push_back({Table::kTimers, keys::TimerDue(due, stream, id)});
    }
  }
  return next;
}

absl::StatusOr<std::optional<Task>> CommandContext::GetTask(
    absl::string_view stream_id, absl::string_view task_id) {
  std::string key = keys::StreamItem(stream_id, task_id);
  if (const auto* t = Find(&Overlay::tasks, key)) return *t;
  return GetProto<Task>(*reads_, Table::kTasks, key);
}

absl::StatusOr<std::optional<IdempotencyRecord>> CommandContext::GetIdempotency(
    absl::string_view stored_key) {
  std::string k(stored_key);
  if (const auto* r = Find(&Overlay::idempotency, k)) {
    return *r;
  }
  absl::StatusOr<std::string> value = reads_->Get(Table::kIdempotency, k);
  if (absl::IsNotFound(value.status())) return std::nullopt;
  if (!value.ok()) return value.status();
  IdempotencyRecord record;
  if (!DecodeIdempotency(*value, &record)) {
    return absl::DataLossError(
        absl::StrCat("idempotency record does not parse: ", k));
  }
  return record;
}

absl::StatusOr<uint64_t> CommandContext::PositionOf(absl::string_view stream_id,
                                                    uint64_t version) const {
  const std::string key = keys::StreamVersion(stream_id, version);
  if (const uint64_t* p = Find(&Overlay::positions, key)) return *p;
  return PositionForLookup(stream_id, version,
                           reads_->Get(Table::kStreams, key));
}

absl::StatusOr<returnpath::v1::EventEnvelope> CommandContext::Events::EventAt(
    uint64_t position) const {
  const std::string key = keys::Event(position);
  const std::string* written = ctx_.Find(&Overlay::events, key);
  RP_ASSIGN_OR_RETURN(
      returnpath::v1::EventEnvelope event,
      written != nullptr
          ? EventForLookup(position, *written)
          : EventForLookup(position,
                           ctx_.reads_->Get(Table::kEvents, key)));
  if (event.sealed().empty()) return event;
  RP_ASSIGN_OR_RETURN(std::optional<std::string> stream_key,
                      ctx_.StreamKey(event.stream_id()));
  RP_RETURN_IF_ERROR(OpenEventWith(stream_key, &event));
  return event;
}

absl::StatusOr<uint64_t> CommandContext::Events::PositionOf(
    absl::string_view stream_id, uint64_t version) const {
  return ctx_.PositionOf(stream_id, version);
}

absl::StatusOr<std::optional<std::string>> CommandContext::StreamKey(
    absl::string_view stream_id) const {
  const std::string stream(stream_id);
  if (const auto* made = Find(&Overlay::stream_keys, stream)) return *made;
  if (auto it = durable_keys_.find(stream); it != durable_keys_.end()) {
    return it->second;
  }
  RP_ASSIGN_OR_RETURN(
      std::optional<std::string> key,
      UnwrapStoredKey(master_keys_, stream,
                      reads_->Get(Table::kKeys, keys::StreamKey(stream))));
  durable_keys_.emplace(stream, key);
  return key;
}

absl::Status CommandContext::PutTimer(const Timer& timer) {
  RP_RETURN_IF_ERROR(CheckKeyPart("timer stream_id", timer.stream_id()));
  RP_RETURN_IF_ERROR(CheckKeyPart("timer id", timer.id()));
  RP_ASSIGN_OR_RETURN(std::optional<Timer> old,
                      GetTimer(timer.stream_id(), timer.id()));
  if (old.has_value()) {
    Delete(Table::kTimers, keys::TimerDue(FromTimestamp(old->due_time()),
                                          old->stream_id(), old->id()));
  }
  absl::Time due = FromTimestamp(timer.due_time());
  std::string id_key = keys::StreamItem(timer.stream_id(), timer.id());
  Put(Table::kTimers, keys::TimerDue(due, timer.stream_id(), timer.id()),
      timer.SerializeAsString());
  Put(Table::kTimerIds, id_key, keys::TimeOnly(due));
  top().timers.insert_or_assign(std::move(id_key), timer);
  return absl::OkStatus();
}

absl::Status CommandContext::DeleteTimer(absl::string_view stream_id,
                                         absl::string_view timer_id) {
  RP_ASSIGN_OR_RETURN(std::optional<Timer> old, GetTimer(stream_id, timer_id));
  if (!old.has_value()) return absl::OkStatus();
  std::string id_key = keys::StreamItem(stream_id, timer_id);
  Delete(Table::kTimers,
         keys::TimerDue(FromTimestamp(old->due_time()), stream_id, timer_id));
  Delete(Table::kTimerIds, id_key);
  top().timers.insert_or_assign(std::move(id_key), std::nullopt);
  return absl::OkStatus();
}

absl::Status CommandContext::PutTask(const Task& task) {
  RP_RETURN_IF_ERROR(CheckKeyPart("task stream_id", task.stream_id()));
  RP_RETURN_IF_ERROR(CheckKeyPart("task id", task.id()));
  RP_RETURN_IF_ERROR(CheckKeyPart("task queue", task.queue()));
  RP_ASSIGN_OR_RETURN(std::optional<Task> old,
                      GetTask(task.stream_id(), task.id()));
  if (old.has_value() && old->state() == returnpath::v1::TASK_STATE_OPEN) {
    Delete(Table::kTaskReady, task_keys::Ready(*old));
  }
  std::string key = keys::StreamItem(task.stream_id(), task.id());
  Put(Table::kTasks, key, task.SerializeAsString());
  if (task.state() == returnpath::v1::TASK_STATE_OPEN) {
    Put(Table::kTaskReady, task_keys::Ready(task), "");
  }
  top().tasks.insert_or_assign(std::move(key), task);
  return absl::OkStatus();
}

absl::Status CommandContext::ReplaceTask(const Task& old, const Task& next) {
  DropTaskEntries(old);
  RP_RETURN_IF_ERROR(PutTask(next));
  const std::string delayed = task_keys::DelayedFor(next, now());
  if (!delayed.empty()) {
    if (next.state() == returnpath::v1::TASK_STATE_OPEN) {
      Delete(Table::kTaskReady, task_keys::Ready(next));
    }
    Put(Table::kTaskReady, delayed, "");
  }
  const std::string marked = task_keys::MarkedFor(next);
  if (!marked.empty()) Put(Table::kTaskReady, marked, "");
  return absl::OkStatus();
}

absl::Status CommandContext::OpenTask(const Task& task) {
  RP_RETURN_IF_ERROR(PutTask(task));
  if (const std::string marked = task_keys::MarkedFor(task); !marked.empty()) {
    Put(Table::kTaskReady, marked, "");
  }
  return absl::OkStatus();
}

void CommandContext::RemoveTask(const Task& task) {
  DropTaskEntries(task);
  if (task.state() == returnpath::v1::TASK_STATE_OPEN) {
    Delete(Table::kTaskReady, task_keys::Ready(task));
  }
  std::string key = keys::StreamItem(task.stream_id(), task.id());
  Delete(Table::kTasks, key);
  top().tasks.insert_or_assign(std::move(key), std::nullopt);
}

void CommandContext::DropTaskEntries(const Task& task) {
  if (task.state() == returnpath::v1::TASK_STATE_LEASED) {
    Delete(Table::kTaskReady,
           task_keys::Delayed(task.queue(), FromTimestamp(task.lease_expires()),
                              task.stream_id(), task.id()));
  } else if (task.state() == returnpath::v1::TASK_STATE_OPEN &&
             task.has_visible_time()) {
    Delete(Table::kTaskReady,
           task_keys::Delayed(task.queue(), FromTimestamp(task.visible_time()),
                              task.stream_id(), task.id()));
  } else if (const std::string marked = task_keys::MarkedFor(task);
             !marked.empty()) {
    Delete(Table::kTaskReady, marked);
  }
}

absl::Status CommandContext::UpdateTask(
    const TaskSpec& spec, const returnpath::v1::EventEnvelope& event,
    absl::Span<const uint64_t> caused_by) {
  RP_ASSIGN_OR_RETURN(std::optional<Task> stored,
                      GetTask(event.stream_id(), spec.id));
  std::optional<Task> task = stored;
  RP_RETURN_IF_ERROR(UpdateTaskFromSpec(spec, event, caused_by,
                                        task.has_value() ? &*task : nullptr));
  const bool paused = task->state() == returnpath::v1::TASK_STATE_PAUSED;
  const bool moved = task->queue() != stored->queue();
  if (stored->state() == returnpath::v1::TASK_STATE_LEASED &&
      (moved || paused)) {
    // The holder works the old queue, or the task may not be worked now: it
    // waits unleased, and its handling says whose lease ended and why.
    returnpath::v1::TaskHandling* ended = task->add_handling();
    *ended->mutable_at() = ToTimestamp(task_keys::TruncateToMicros(now()));
    ended->set_action("lease ended");
    ended->set_by(task->lease_owner());
    ended->set_reason(paused ? std::string("paused")
                             : absl::StrCat("moved to queue ", task->queue()));
    if (!paused) task->set_state(returnpath::v1::TASK_STATE_OPEN);
    task->clear_lease_owner();
    task->clear_lease_expires();
  }
  return ReplaceTask(*stored, *task);
}

void CommandContext::PutStream(const StreamRecord& record) {
  Put(Table::kState, record.stream_id(), record.SerializeAsString());
  top().streams.insert_or_assign(record.stream_id(), record);
}

void CommandContext::PutIdempotency(absl::string_view stored_key,
                                    const IdempotencyRecord& record) {
  Put(Table::kIdempotency, stored_key, EncodeIdempotency(record));
  top().idempotency.insert_or_assign(std::string(stored_key), record);
}

void CommandContext::Put(Table cf, absl::string_view key,
                         absl::string_view value) {
  batch_.Put(cf, key, value);
  WriteCost::Writes& w = written_.tables[static_cast<size_t>(cf)];
  ++w.puts;
  w.bytes += key.size() + value.size();
}

void CommandContext::Delete(Table cf, absl::string_view key) {
  batch_.Delete(cf, key);
  WriteCost::Writes& w = written_.tables[static_cast<size_t>(cf)];
  ++w.deletes;
  w.bytes += key.size();
}

void CommandContext::PutRecord(Table table, absl::string_view key,
                               absl::string_view value) {
  Put(table, key, value);
}

void CommandContext::DeleteRecord(Table table, absl::string_view key) {
  Delete(table, key);
}

absl::Status CommandContext::Scan(
    Table table, absl::string_view start, absl::string_view limit,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) const {
  return reads_->Scan(table, start, limit, visit);
}

void CommandContext::PushLayer() {
  ChainState chain = top().chain;
  layers_.emplace_back();
  top().chain = std::move(chain);
  batch_.SetSavePoint();
}

void CommandContext::PopLayer() {
  ABSL_RAW_CHECK(layers_.size() > 1, "no layer to pop");
  layers_.pop_back();
  ABSL_RAW_CHECK(batch_.HasSavePoint(), "no save point to undo");
  batch_.RollbackToSavePoint();
}

void CommandContext::MergeLayer() {
  ABSL_RAW_CHECK(layers_.size() > 1, "no layer to merge");
  Overlay done = std::move(layers_.back());
  layers_.pop_back();
  Overlay& into = top();
  for (auto& [k, v] : done.streams)
    into.streams.insert_or_assign(k, std::move(v));
  for (auto& [k, v] : done.timers)
    into.timers.insert_or_assign(k, std::move(v));
  for (auto& [k, v] : done.tasks) into.tasks.insert_or_assign(k, std::move(v));
  for (auto& [k, v] : done.idempotency) {
    into.idempotency.insert_or_assign(k, std::move(v));
  }
  for (auto& [k, v] : done.events)
    into.events.insert_or_assign(k, std::move(v));
  for (auto& [k, v] : done.positions) into.positions.insert_or_assign(k, v);
  for (auto& [k, v] : done.stream_keys) {
    into.stream_keys.insert_or_assign(k, std::move(v));
  }
  for (auto& [k, v] : done.meta) into.meta.insert_or_assign(k, std::move(v));
  into.chain = std::move(done.chain);
  ABSL_RAW_CHECK(batch_.HasSavePoint(), "no save point to pop");
  batch_.PopSavePoint();
}

void CommandContext::Begin() {
  ABSL_RAW_CHECK(layers_.size() == 1, "a command is already running");
  now_ = clock_->Now();
  durable_keys_.clear();
  PushLayer();
}

void CommandContext::Commit() {
  ABSL_RAW_CHECK(layers_.size() == 2, "no command is running");
  MergeLayer();
}

void CommandContext::Rollback() {
  ABSL_RAW_CHECK(layers_.size() == 2, "no command is running");
  PopLayer();
}

void CommandContext::LogAccess(absl::string_view stream_id,
                               absl::string_view actor,
                               absl::string_view detail) {
  returnpath::v1::AccessEntry entry;
  *entry.mutable_time() = ToTimestamp(now_);
  entry.set_stream_id(std::string(stream_id));
  entry.set_actor(std::string(actor));
  entry.set_detail(std::string(detail));
  for (const KeyValue& write :
       ChainAccessEntry(std::move(entry), &top().chain.access)) {
    Put(Table::kAccessLog, write.key, write.value);
  }
}

const WriteSet* CommandContext::FinishGroup() {
  if (batch_.Count() == 0) return nullptr;
  Put(Table::kMeta, keys::kMetaLastPosition,
      keys::U64(group_chain().last_position));
  Put(Table::kMeta, keys::kMetaChainHead, group_chain().head);
  if (group_chain().access.last != access_start_) {
    Put(Table::kMeta, keys::kMetaAccessLast,
        keys::U64(group_chain().access.last));
    Put(Table::kMeta, keys::kMetaAccessHead, group_chain().access.head);
  }
  return &batch_;
}

}  // namespace returnpath::engine
