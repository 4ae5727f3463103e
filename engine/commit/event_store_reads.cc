// EventStoreImpl's reads. Each takes one snapshot, so it sees a
// consistent store, and never waits for the sequencer.

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "commit/event_store_impl.h"
#include "engine/status_macros.h"
#include "store/codec.h"
#include "store/keys.h"
#include "store/sealing.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::EventEnvelope;
using returnpath::v1::StreamRecord;
using returnpath::v1::Task;
using returnpath::v1::Timer;

using keys::PrefixEnd;

// Calls `visit(key, value)` for keys in [start, limit) (empty limit: to the
// end) until it returns false.
absl::Status Scan(
    const StoreView& view, Table cf, const std::string& start,
    const std::string& limit,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) {
  return view.Scan(cf, start, limit, visit);
}

// A record that must be there: NOT_FOUND if absent.
template <typename Proto>
absl::StatusOr<Proto> GetProto(const StoreView& view, Table cf,
                               absl::string_view key) {
  RP_ASSIGN_OR_RETURN(std::optional<Proto> proto,
                      ParseRecord<Proto>(cf, view.Get(cf, key)));
  if (!proto.has_value()) {
    return absl::NotFoundError(absl::StrCat("no ", TableName(cf), " record"));
  }
  return *std::move(proto);
}

absl::StatusOr<EventEnvelope> GetEvent(const StoreView& view,
                                       uint64_t position) {
  absl::StatusOr<std::string> value =
      view.Get(Table::kEvents, keys::Event(position));
  if (absl::IsNotFound(value.status())) {
    return absl::DataLossError(
        absl::StrCat("event at position ", position, " is missing"));
  }
  if (!value.ok()) return value.status();
  EventEnvelope event;
  RP_RETURN_IF_ERROR(DecodeEventValue(position, *value, &event));
  RP_RETURN_IF_ERROR(view.OpenSealed(&event));
  return event;
}

absl::Status NotFoundStream(absl::string_view stream_id) {
  return absl::NotFoundError(
      absl::StrCat("stream \"", stream_id, "\" not found"));
}

// A timers key from a timer_ids entry. False if malformed.
bool TimerKeyFromId(absl::string_view id_key, absl::string_view due_value,
                    std::string* timer_key) {
  std::string stream, id;
  absl::Time due;
  if (!keys::DecodeStreamItem(id_key, &stream, &id) ||
      !keys::GetTime(&due_value, &due)) {
    return false;
  }
  *timer_key = keys::TimerDue(due, stream, id);
  return true;
}

}  // namespace

absl::StatusOr<std::vector<EventEnvelope>> EventStoreImpl::ReadStream(
    absl::string_view stream_id, uint64_t from_version, size_t max) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  RP_ASSIGN_OR_RETURN(const std::unique_ptr<StoreView> view, OpenView());
  absl::StatusOr<std::string> record =
      view->Get(Table::kState, stream_id);
  if (absl::IsNotFound(record.status())) return NotFoundStream(stream_id);
  if (!record.ok()) return record.status();

  std::vector<uint64_t> positions;
  absl::Status bad;
  RP_RETURN_IF_ERROR(
      Scan(*view, Table::kStreams,
           keys::StreamVersion(stream_id, std::max<uint64_t>(from_version, 1)),
           PrefixEnd(keys::StreamPrefix(stream_id)),
           [&](absl::string_view key, absl::string_view value) {
             uint64_t position;
             if (positions.size() >= max) return false;
             if (!keys::GetU64(&value, &position)) {
               bad = absl::DataLossError(absl::StrCat(
                   "stream index entry of \"", stream_id, "\" is malformed"));
               return false;
             }
             positions.push_back(position);
             return true;
           }));
  RP_RETURN_IF_ERROR(bad);
  std::vector<EventEnvelope> events;
  events.reserve(positions.size());
  for (uint64_t position : positions) {
    RP_ASSIGN_OR_RETURN(EventEnvelope event,
                        GetEvent(*view, position));
    events.push_back(std::move(event));
  }
  return events;
}

absl::StatusOr<EventPage> EventStoreImpl::ReadAll(uint64_t from_position,
                                                  size_t max) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  RP_ASSIGN_OR_RETURN(const std::unique_ptr<StoreView> view, OpenView());
  EventPage page;
  page.next_position = std::max<uint64_t>(from_position, 1);
  absl::Status bad;
  RP_RETURN_IF_ERROR(
      Scan(*view, Table::kEvents, keys::Event(page.next_position), "",
           [&](absl::string_view key, absl::string_view value) {
             uint64_t position;
             if (page.events.size() >= max) return false;
             if (!keys::DecodeEvent(key, &position)) {
               bad = absl::DataLossError("a key in events is not a position");
               return false;
             }
             EventEnvelope event;
             bad = DecodeEventValue(position, value, &event);
             if (bad.ok()) bad = view->OpenSealed(&event);
             if (!bad.ok()) return false;
             page.events.push_back(std::move(event));
             page.next_position = position + 1;
             return true;
           }));
  RP_RETURN_IF_ERROR(bad);
  return page;
}

absl::StatusOr<StreamRecord> EventStoreImpl::GetStreamRecord(
    absl::string_view stream_id) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  RP_ASSIGN_OR_RETURN(const std::unique_ptr<StoreView> view, OpenView());
  absl::StatusOr<StreamRecord> record =
      GetProto<StreamRecord>(*view, Table::kState, stream_id);
  if (absl::IsNotFound(record.status())) return NotFoundStream(stream_id);
  return record;
}

std::string IndexPageTokenAfter(const IndexEntry& entry) {
  return keys::IndexEntry(entry.index_key, entry.stream_id);
}

absl::StatusOr<IndexPage> EventStoreImpl::ListIndex(const IndexQuery& query) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  const bool range = query.first.has_value() || query.last.has_value();
  if (range && !(query.first.has_value() && query.last.has_value())) {
    return absl::InvalidArgumentError("a range needs both first and last");
  }
  if (range && *query.first > *query.last) {
    return absl::InvalidArgumentError("range first is after last");
  }
  std::string start = range ? *query.first : query.prefix;
  const std::string limit = range ? "" : PrefixEnd(query.prefix);
  if (!query.page_token.empty()) start = std::max(start, query.page_token);

  RP_ASSIGN_OR_RETURN(const std::unique_ptr<StoreView> view, OpenView());
  IndexPage page;
  absl::Status bad;
  RP_RETURN_IF_ERROR(Scan(
      *view, Table::kIndex, start, limit,
      [&](absl::string_view key, absl::string_view) {
        if (key == query.page_token) return true;  // returned last page
        IndexEntry entry;
        if (!keys::DecodeIndexEntry(key, &entry.index_key, &entry.stream_id)) {
          bad = absl::DataLossError("an index entry is malformed");
          return false;
        }
        if (range && entry.index_key > *query.last) return false;
        if (page.entries.size() >= query.max) {
          // There is more: the token is the last entry returned.
          page.next_page_token = IndexPageTokenAfter(page.entries.back());
          return false;
        }
        page.entries.push_back(std::move(entry));
        return true;
      }));
  RP_RETURN_IF_ERROR(bad);
  return page;
}

absl::StatusOr<std::vector<Timer>> EventStoreImpl::TimersForStream(
    absl::string_view stream_id) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  RP_ASSIGN_OR_RETURN(const std::unique_ptr<StoreView> view, OpenView());
  std::vector<std::string> timer_keys;
  absl::Status bad;
  const std::string prefix = keys::StreamPrefix(stream_id);
  RP_RETURN_IF_ERROR(
      Scan(*view, Table::kTimerIds, prefix, PrefixEnd(prefix),
           [&](absl::string_view key, absl::string_view value) {
             std::string timer_key;
             if (!TimerKeyFromId(key, value, &timer_key)) {
               bad = absl::DataLossError("a timer_ids entry is malformed");
               return false;
             }
             timer_keys.push_back(std::move(timer_key));
             return true;
           }));
  RP_RETURN_IF_ERROR(bad);
  std::vector<Timer> timers;
  for (const std::string& key : timer_keys) {
    absl::StatusOr<Timer> timer =
        GetProto<Timer>(*view, Table::kTimers, key);
    if (absl::IsNotFound(timer.status())) {
      return absl::DataLossError("timer_ids names a missing timer");
    }
    if (!timer.ok()) return timer.status();
    timers.push_back(*std::move(timer));
  }
  return timers;
}

absl::StatusOr<std::vector<Timer>> EventStoreImpl::TimersDue(absl::Time from,
                                                             absl::Time to,
                                                             size_t max) {
  return TimersFromKey(keys::TimeOnly(from), to, max);
}

absl::StatusOr<std::vector<Timer>> EventStoreImpl::TimersDueAfter(
    const Timer& after, absl::Time to, size_t max) {
  // The smallest key after the timer's own.
  std::string from = keys::TimerDue(FromTimestamp(after.due_time()),
                                    after.stream_id(), after.id());
  from.push_back('\0');
  return TimersFromKey(from, to, max);
}

absl::StatusOr<std::vector<Timer>> EventStoreImpl::TimersFromKey(
    const std::string& from, absl::Time to, size_t max) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  RP_ASSIGN_OR_RETURN(const std::unique_ptr<StoreView> view, OpenView());
  std::vector<Timer> timers;
  absl::Status bad;
  RP_RETURN_IF_ERROR(
      Scan(*view, Table::kTimers, from, keys::TimeOnly(to),
           [&](absl::string_view, absl::string_view value) {
             if (timers.size() >= max) return false;
             Timer timer;
             if (!timer.ParseFromArray(value.data(),
                                       static_cast<int>(value.size()))) {
               bad = absl::DataLossError("a timer does not parse");
               return false;
             }
             timers.push_back(std::move(timer));
             return true;
           }));
  RP_RETURN_IF_ERROR(bad);
  return timers;
}

absl::StatusOr<std::vector<Task>> EventStoreImpl::TasksForStream(
    absl::string_view stream_id) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  RP_ASSIGN_OR_RETURN(const std::unique_ptr<StoreView> view, OpenView());
  std::vector<Task> tasks;
  absl::Status bad;
  const std::string prefix = keys::StreamPrefix(stream_id);
  RP_RETURN_IF_ERROR(
      Scan(*view, Table::kTasks, prefix, PrefixEnd(prefix),
           [&](absl::string_view, absl::string_view value) {
             Task task;
             if (!task.ParseFromArray(value.data(),
                                      static_cast<int>(value.size()))) {
               bad = absl::DataLossError("a task does not parse");
               return false;
             }
             tasks.push_back(std::move(task));
             return true;
           }));
  RP_RETURN_IF_ERROR(bad);
  return tasks;
}

absl::StatusOr<Task> EventStoreImpl::GetTask(absl::string_view stream_id,
                                             absl::string_view task_id) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  RP_ASSIGN_OR_RETURN(const std::unique_ptr<StoreView> view, OpenView());
  absl::StatusOr<Task> task = GetProto<Task>(*view, Table::kTasks, keys::StreamItem(stream_id, task_id));
  if (absl::IsNotFound(task.status())) {
    return absl::NotFoundError(absl::StrCat(
        "task \"", task_id, "\" of stream \"", stream_id, "\" not found"));
  }
  return task;
}

absl::StatusOr<std::vector<Task>> EventStoreImpl::ReadyTasks(
    absl::string_view queue, size_t max) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  RP_ASSIGN_OR_RETURN(const std::unique_ptr<StoreView> view, OpenView());
  std::vector<std::string> task_keys;
  absl::Status bad;
  const std::string prefix = keys::QueuePrefix(queue);
  RP_RETURN_IF_ERROR(
      Scan(*view, Table::kTaskReady, prefix, PrefixEnd(prefix),
           [&](absl::string_view key, absl::string_view) {
             if (task_keys.size() >= max) return false;
             std::string q, stream, id;
             if (!keys::DecodeTaskReady(key, &q, &stream, &id)) {
               bad = absl::DataLossError("a task_ready entry is malformed");
               return false;
             }
             task_keys.push_back(keys::StreamItem(stream, id));
             return true;
           }));
  RP_RETURN_IF_ERROR(bad);
  std::vector<Task> tasks;
  for (const std::string& key : task_keys) {
    absl::StatusOr<Task> task =
        GetProto<Task>(*view, Table::kTasks, key);
    if (absl::IsNotFound(task.status())) {
      return absl::DataLossError("task_ready names a missing task");
    }
    if (!task.ok()) return task.status();
    tasks.push_back(*std::move(task));
  }
  return tasks;
}

}  // namespace returnpath::engine
