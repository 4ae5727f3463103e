#include "tasks/task_listing.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "store/codec.h"
#include "store/keys.h"
#include "store/task_keys.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::Task;
using returnpath::v1::TaskState;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
// Records one page of a closed-task listing may scan before it returns
// short, so one call stays cheap however large the store is.
constexpr size_t kScanBudget = 10000;

// A listing walks phases in order; the token is the phase and last key.
enum Phase : char {
  kReady = 'R',    // ready entries: OPEN tasks in serving order
  kDelayed = 'D',  // delayed entries: LEASED, or OPEN waiting out a retry
  kDead = 'X',     // dead-letter entries
  kPaused = 'P',   // paused entries
  kScan = 'T',     // the tasks column family, filtered
};

struct Cursor {
  Phase phase;
  std::string after;  // last key returned; empty: the phase's start
};

std::vector<Phase> PhasesFor(TaskState state) {
  switch (state) {
    case returnpath::v1::TASK_STATE_UNSPECIFIED:
      return {kReady, kDelayed, kPaused};
    case returnpath::v1::TASK_STATE_OPEN:
      return {kReady, kDelayed};
    case returnpath::v1::TASK_STATE_LEASED:
      return {kDelayed};
    case returnpath::v1::TASK_STATE_DEAD_LETTER:
      return {kDead};
    case returnpath::v1::TASK_STATE_PAUSED:
      return {kPaused};
    default:
      return {kScan};
  }
}

bool Wanted(TaskState wanted, TaskState actual) {
  if (wanted == returnpath::v1::TASK_STATE_UNSPECIFIED) {
    return actual == returnpath::v1::TASK_STATE_OPEN ||
           actual == returnpath::v1::TASK_STATE_LEASED ||
           actual == returnpath::v1::TASK_STATE_PAUSED;
  }
  return wanted == actual;
}

std::string Token(const Cursor& c) {
  return absl::WebSafeBase64Escape(std::string(1, c.phase) + c.after);
}

absl::StatusOr<Cursor> ParseToken(absl::string_view token,
                                  const std::vector<Phase>& phases) {
  if (token.empty()) return Cursor{phases.front(), ""};
  std::string raw;
  if (absl::WebSafeBase64Unescape(token, &raw) && !raw.empty()) {
    for (Phase p : phases) {
      if (raw[0] == p) return Cursor{p, raw.substr(1)};
    }
  }
  return absl::InvalidArgumentError(
      "page_token is not one this listing issued");
}

// The phase a `task_ready` key belongs to: the task queue's own entries start
// with '\0' and a letter (task_keys.h), ready entries with a queue name.
std::optional<Phase> PhaseOfKey(absl::string_view key) {
  if (key.empty()) return std::nullopt;
  if (key[0] != '\0') return kReady;
  if (key.size() < 2) return std::nullopt;
  if (key[1] == kDelayed) return kDelayed;
  if (key[1] == kDead) return kDead;
  if (key[1] == kPaused) return kPaused;
  return std::nullopt;
}

// The task an entry names, if it still is in the state the entry says.
absl::StatusOr<std::optional<Task>> Resolve(const StoreView& view, Phase phase,
                                            absl::string_view key) {
  std::string queue, stream, id;
  absl::Time at;
  bool decoded = false;
  switch (phase) {
    case kReady:
      decoded = keys::DecodeTaskReady(key, &queue, &stream, &id);
      break;
    case kDelayed:
      decoded = task_keys::DecodeDelayed(key, &at, &stream, &id);
      break;
    case kDead:
      decoded =
          task_keys::DecodeMarked(task_keys::Mark::kDead, key, &stream, &id);
      break;
    case kPaused:
      decoded =
          task_keys::DecodeMarked(task_keys::Mark::kPaused, key, &stream, &id);
      break;
    case kScan:
      break;
  }
  if (!decoded) return std::nullopt;
  RP_ASSIGN_OR_RETURN(
      std::optional<Task> task,
      ReadProto<Task>(view, Table::kTasks, keys::StreamItem(stream, id)));
  if (!task.has_value()) return std::nullopt;
  bool current = false;
  switch (phase) {
    case kReady:
      current = task->state() == returnpath::v1::TASK_STATE_OPEN &&
                task_keys::Ready(*task) == key;
      break;
    case kDelayed:
      current =
          (task->state() == returnpath::v1::TASK_STATE_LEASED &&
           task_keys::SameMicros(FromTimestamp(task->lease_expires()), at)) ||
          (task->state() == returnpath::v1::TASK_STATE_OPEN &&
           task_keys::SameMicros(FromTimestamp(task->visible_time()), at));
      break;
    case kDead:
      current = task->state() == returnpath::v1::TASK_STATE_DEAD_LETTER;
      break;
    case kPaused:
      current = task->state() == returnpath::v1::TASK_STATE_PAUSED;
      break;
    case kScan:
      break;
  }
  if (!current) return std::nullopt;
  return task;
}

std::string PhasePrefix(Phase phase, absl::string_view queue) {
  switch (phase) {
    case kReady:
      return keys::QueuePrefix(queue);
    case kDelayed:
      return task_keys::DelayedPrefix(queue);
    case kDead:
      return task_keys::MarkedPrefix(task_keys::Mark::kDead, queue);
    case kPaused:
      return task_keys::MarkedPrefix(task_keys::Mark::kPaused, queue);
    case kScan:
      break;
  }
  return "";
}

}  // namespace

absl::StatusOr<TaskPage> ListTaskPage(EventStore& store,
                                      const TaskListQuery& query) {
  if (query.queue.empty()) return absl::InvalidArgumentError("queue is empty");
  if (query.page_size < 0 || query.page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be between 0 and ", kMaxPageSize, ", not ",
                     query.page_size));
  }
  const size_t page_size =
      query.page_size == 0 ? kDefaultPageSize : query.page_size;
  const std::vector<Phase> phases = PhasesFor(query.state);
  RP_ASSIGN_OR_RETURN(Cursor cursor, ParseToken(query.page_token, phases));

  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreView> view, store.Snapshot());
  TaskPage page;
  absl::Status error;
  size_t i = 0;
  while (phases[i] != cursor.phase) ++i;
  for (; i < phases.size(); ++i) {
    const Phase phase = phases[i];
    const std::string prefix = PhasePrefix(phase, query.queue);
    const Table table = phase == kScan ? Table::kTasks : Table::kTaskReady;
    // The smallest key after the last one returned.
    std::string start = cursor.phase == phase && !cursor.after.empty()
                            ? cursor.after + std::string(1, '\0')
                            : prefix;
    size_t scanned = 0;
    bool full = false;
    std::string last;
    auto keep = [&](Task task) {
      page.tasks.push_back(std::move(task));
      page.resume_tokens.push_back(Token(Cursor{phase, last}));
    };
    RP_RETURN_IF_ERROR(view->Scan(
        table, start, keys::PrefixEnd(prefix),
        [&](absl::string_view key, absl::string_view value) {
          last.assign(key.data(), key.size());
          if (phase == kScan) {
            Task task;
            if (task.ParseFromArray(value.data(),
                                    static_cast<int>(value.size())) &&
                task.queue() == query.queue && task.state() == query.state) {
              keep(std::move(task));
            }
            full = page.tasks.size() == page_size || ++scanned == kScanBudget;
            return !full;
          }
          absl::StatusOr<std::optional<Task>> task = Resolve(*view, phase, key);
          if (!task.ok()) {
            error = task.status();
            return false;
          }
          if (task->has_value() && Wanted(query.state, (*task)->state())) {
            keep(**std::move(task));
          }
          full = page.tasks.size() == page_size;
          return !full;
        }));
    RP_RETURN_IF_ERROR(error);
    if (full) {
      page.next_page_token = Token(Cursor{phase, last});
      return page;
    }
  }
  return page;
}

absl::StatusOr<std::map<std::string, QueueTally>> TallyLiveTasks(
    EventStore& store, absl::Time now) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreView> view, store.Snapshot());
  std::map<std::string, QueueTally> tallies;
  // Ready entries, by key alone; they sort by queue, so the queue's tally
  // is looked up once per queue, not once per task.
  QueueTally* tally = nullptr;
  std::string queue_of_tally;
  absl::Status bad;
  RP_RETURN_IF_ERROR(view->Scan(
      Table::kTaskReady, std::string(1, '\x01'), "",
      [&](absl::string_view key, absl::string_view) {
        absl::string_view queue;
        absl::Time due;
        if (!keys::DecodeTaskReadyDue(key, &queue, &due)) {
          bad = absl::DataLossError("a task_ready key is malformed");
          return false;
        }
        if (tally == nullptr || queue != queue_of_tally) {
          queue_of_tally = std::string(queue);
          tally = &tallies[queue_of_tally];
        }
        ++tally->open;
        if (due < now) ++tally->overdue;
        tally->earliest_open_due = std::min(tally->earliest_open_due, due);
        return true;
      }));
  RP_RETURN_IF_ERROR(bad);
  // The task queue's own entries (their keys start with '\0'): resolved.
  absl::Status error;
  const std::string own(1, '\0');
  RP_RETURN_IF_ERROR(view->Scan(
      Table::kTaskReady, own, keys::PrefixEnd(own),
      [&](absl::string_view key, absl::string_view) {
        const std::optional<Phase> phase = PhaseOfKey(key);
        if (!phase.has_value()) return true;
        absl::StatusOr<std::optional<Task>> task = Resolve(*view, *phase, key);
        if (!task.ok()) {
          error = task.status();
          return false;
        }
        if (!task->has_value()) return true;
        const Task& t = **task;
        QueueTally& q = tallies[t.queue()];
        const absl::Time due = FromTimestamp(t.due_time());
        switch (t.state()) {
          case returnpath::v1::TASK_STATE_OPEN:  // waiting out a retry delay
            ++q.open;
            q.earliest_open_due = std::min(q.earliest_open_due, due);
            if (due < now) ++q.overdue;
            break;
          case returnpath::v1::TASK_STATE_LEASED:
            ++q.leased;
            if (due < now) ++q.overdue;
            break;
          case returnpath::v1::TASK_STATE_DEAD_LETTER:
            ++q.dead_lettered;
            break;
          case returnpath::v1::TASK_STATE_PAUSED:
            ++q.paused;
            break;
          default:
            break;
        }
        return true;
      }));
  RP_RETURN_IF_ERROR(error);
  return tallies;
}

absl::StatusOr<std::vector<Task>> ListHeldTasks(
    EventStore& store, absl::Time now,
    const std::function<bool(absl::string_view lease_owner)>& holds,
    size_t limit) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreView> view, store.Snapshot());
  const std::string prefix = task_keys::AllDelayedPrefix();
  std::vector<Task> held;
  absl::Status error;
  RP_RETURN_IF_ERROR(
      view->Scan(Table::kTaskReady, prefix, keys::PrefixEnd(prefix),
                 [&](absl::string_view key, absl::string_view) {
                   absl::StatusOr<std::optional<Task>> task =
                       Resolve(*view, kDelayed, key);
                   if (!task.ok()) {
                     error = task.status();
                     return false;
                   }
                   if (task->has_value() &&
                       (*task)->state() == returnpath::v1::TASK_STATE_LEASED &&
                       FromTimestamp((*task)->lease_expires()) > now &&
                       holds((*task)->lease_owner())) {
                     held.push_back(**std::move(task));
                   }
                   return held.size() < limit;
                 }));
  RP_RETURN_IF_ERROR(error);
  return held;
}

absl::Status VisitLiveTasks(EventStore& store, absl::string_view queue,
                            const std::function<void(const Task&)>& visit) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreView> view, store.Snapshot());
  // One queue: its four ranges; every queue: the whole family.
  std::vector<std::pair<std::optional<Phase>, std::string>> ranges;
  if (queue.empty()) {
    ranges.push_back({std::nullopt, ""});
  } else {
    for (Phase phase : {kReady, kDelayed, kDead, kPaused}) {
      ranges.push_back({phase, PhasePrefix(phase, queue)});
    }
  }
  absl::Status error;
  for (const auto& range : ranges) {
    // Named references, not a structured binding: clang 14 cannot capture
    // those in the lambda below.
    const std::optional<Phase>& fixed = range.first;
    const std::string& prefix = range.second;
    RP_RETURN_IF_ERROR(
        view->Scan(Table::kTaskReady, prefix, keys::PrefixEnd(prefix),
                   [&](absl::string_view key, absl::string_view) {
                     const std::optional<Phase> phase =
                         fixed.has_value() ? fixed : PhaseOfKey(key);
                     if (!phase.has_value()) return true;
                     absl::StatusOr<std::optional<Task>> task =
                         Resolve(*view, *phase, key);
                     if (!task.ok()) {
                       error = task.status();
                       return false;
                     }
                     if (task->has_value()) visit(**task);
                     return true;
                   }));
    RP_RETURN_IF_ERROR(error);
  }
  return absl::OkStatus();
}

}  // namespace returnpath::engine
