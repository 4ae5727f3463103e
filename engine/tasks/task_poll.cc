// TaskQueue's long polls: waiters parked per queue, one poll thread that
// tries a lease when something changed, answers and times out.

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "commit/sequencer.h"
#include "engine/status_macros.h"
#include "engine/task_queue.h"
#include "store/codec.h"
#include "store/keys.h"
#include "store/task_keys.h"
#include "tasks/task_commands.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::Task;

// Whether the ready index of `queue` has any entry, and the time of its
// first delayed entry (InfiniteFuture if none). Latest data, no snapshot.
// A look that failed (the store unavailable, or closing) is not an empty
// queue: `status` says why, and a poll whose wait runs out meanwhile gets it.
struct QueueLook {
  bool ready = false;
  absl::Time first_delayed = absl::InfiniteFuture();
  absl::Status status;
};

QueueLook Look(EventStore& store, const std::string& queue) {
  QueueLook look;
  absl::StatusOr<std::unique_ptr<StoreView>> view = store.Snapshot();
  if (!view.ok()) {
    look.status = view.status();
    return look;
  }
  const std::string ready = keys::QueuePrefix(queue);
  look.status = (*view)->Scan(Table::kTaskReady, ready, keys::PrefixEnd(ready),
                              [&](absl::string_view, absl::string_view) {
                                look.ready = true;
                                return false;
                              });
  const std::string delayed = task_keys::DelayedPrefix(queue);
  look.status.Update((*view)->Scan(
      Table::kTaskReady, delayed, keys::PrefixEnd(delayed),
      [&](absl::string_view key, absl::string_view) {
        std::string stream, id;
        task_keys::DecodeDelayed(key, &look.first_delayed, &stream, &id);
        return false;
      }));
  return look;
}

}  // namespace

absl::StatusOr<uint64_t> TaskQueue::PollAsync(
    absl::string_view queue, absl::string_view worker, absl::Duration lease,
    absl::Duration wait, PollCallback callback, TaskFilter filter) {
  if (queue.empty() || queue.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("queue is empty or contains a NUL byte");
  }
  if (worker.empty() || worker.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("worker is empty or contains a NUL byte");
  }
  RP_RETURN_IF_ERROR(CheckLease(lease));
  if (wait < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("wait is negative");
  }
  uint64_t id;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      return absl::UnavailableError("the task queue is stopping");
    }
    id = next_id_++;
    Waiter& w = waiters_[id];
    w.queue = std::string(queue);
    w.worker = std::string(worker);
    w.filter = std::move(filter);
    w.lease = lease;
    w.deadline = absl::Now() + wait;
    w.callback = std::move(callback);
    waiting_[w.queue].push_back(id);
  }
  wakeup_->Notify();
  return id;
}

void TaskQueue::CancelPoll(uint64_t id) {
  PollCallback callback;
  {
    absl::MutexLock lock(&mu_);
    auto it = waiters_.find(id);
    if (it == waiters_.end() || it->second.cancelled) return;
    callback = std::move(it->second.callback);
    if (it->second.in_flight) {
      it->second.cancelled = true;  // TakeResults releases what it gets
    } else {
      Forget(id);
    }
  }
  callback(absl::CancelledError("the poll was cancelled"));
}

void TaskQueue::Stop() {
  absl::MutexLock stop_lock(&stop_mu_);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  wakeup_->Close();
  if (thread_.joinable()) thread_.join();
  std::vector<Delivery> out;
  std::vector<Task> releases;
  {
    absl::MutexLock lock(&mu_);
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return in_flight_ == 0;
    };
    mu_.Await(absl::Condition(&idle));
    TakeResults(&out, &releases);
    for (auto& [id, w] : waiters_) {
      if (!w.cancelled) {
        out.emplace_back(std::move(w.callback),
                         absl::UnavailableError("the task queue is stopping"));
      }
    }
    waiters_.clear();
    waiting_.clear();
  }
  for (const Task& task : releases) ReleaseQuietly(task);
  for (auto& [callback, result] : out) callback(std::move(result));
}

void TaskQueue::PollLoop() {
  uint64_t epoch = 0;
  uint64_t seen_events = 0;
  absl::Time next_visible = absl::InfiniteFuture();
  absl::Duration wait = absl::ZeroDuration();
  while (wakeup_->Wait(wait)) {
    // A new epoch when something changed: a commit, a clock move, a new
    // poll, or the time a lease or retry delay runs out.
    uint64_t events = wakeup_->events();
    if (events != seen_events || clock_->Now() >= next_visible) {
      ++epoch;
      seen_events = events;
    }
    std::vector<Delivery> out;
    wait = PollPass(epoch, &out, &next_visible);
    for (auto& [callback, result] : out) callback(std::move(result));
  }
}

absl::Duration TaskQueue::PollPass(uint64_t epoch, std::vector<Delivery>* out,
                                   absl::Time* next_visible) {
  const absl::Time now = clock_->Now();
  std::vector<Task> releases;
  std::vector<std::string> queues;
  uint64_t looked_below;
  {
    absl::MutexLock lock(&mu_);
    TakeResults(out, &releases);
    for (const auto& [queue, ids] : waiting_) queues.push_back(queue);
    looked_below = next_id_;  // poll ids only grow
  }
  for (const Task& task : releases) ReleaseQuietly(task);

  // Look without the lock: these are RocksDB reads.
  std::vector<std::pair<std::string, bool>> servable;
  absl::flat_hash_map<std::string, absl::Status> unread;
  *next_visible = absl::InfiniteFuture();
  for (const std::string& queue : queues) {
    QueueLook look = Look(*store_, queue);
    if (!look.status.ok()) unread.emplace(queue, look.status);
    bool due = look.first_delayed <= now;
    if (!due) *next_visible = std::min(*next_visible, look.first_delayed);
    servable.emplace_back(queue, look.ready || due);
  }

  struct Attempt {
    uint64_t id;
    std::string queue, worker;
    TaskFilter filter;
    absl::Duration lease;
  };
  std::vector<Attempt> attempts;
  absl::Duration wait = absl::InfiniteDuration();
  bool any_waiter;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [queue, ready] : servable) {
      auto ids = waiting_.find(queue);
      if (!ready || ids == waiting_.end()) continue;
      // One attempt per queue at a time, for the oldest waiter whose filter
      // has not found the queue empty since it last changed.
      bool busy = false;
      uint64_t next = 0;
      for (uint64_t id : ids->second) {
        const Waiter& w = waiters_.at(id);
        busy = busy || w.in_flight;
        if (next == 0 && !w.in_flight && !w.cancelled) {
          auto tried = tried_.find({queue, w.filter.name});
          if (tried == tried_.end() || tried->second < epoch) next = id;
        }
      }
      if (busy || next == 0) continue;
      Waiter& w = waiters_.at(next);
      w.in_flight = true;
      tried_[{queue, w.filter.name}] = epoch;
      ++in_flight_;
      attempts.push_back(Attempt{next, w.queue, w.worker, w.filter, w.lease});
    }
    const absl::Time real_now = absl::Now();
    std::vector<uint64_t> expired;
    for (const auto& [id, w] : waiters_) {
      if (w.in_flight) continue;
      // A poll that came after this pass looked at the queues has not been
      // tried yet: even a zero wait gets one look, in the next pass.
      if (id >= looked_below) {
        wait = absl::ZeroDuration();
        continue;
      }
      if (w.deadline <= real_now) {
        expired.push_back(id);
      } else {
        wait = std::min(wait, w.deadline - real_now);
      }
    }
    for (uint64_t id : expired) {
      // Not "no task" when the queue could not be looked at.
      auto failed = unread.find(waiters_.at(id).queue);
      absl::StatusOr<std::optional<Task>> answer = std::nullopt;
      if (failed != unread.end()) {
        answer = absl::UnavailableError(absl::StrCat(
            "cannot look at the queue: ", failed->second.message()));
      }
      out->emplace_back(std::move(waiters_.at(id).callback), std::move(answer));
      Forget(id);
    }
    any_waiter = !waiters_.empty();
  }
  // Never under mu_: a closed store answers a Submit on this thread.
  for (Attempt& a : attempts) {
    SubmitAttempt(a.id, a.queue, a.worker, a.filter, a.lease);
  }
  if (!any_waiter) return absl::InfiniteDuration();
  if (*next_visible != absl::InfiniteFuture()) {
    wait = std::min(wait, clock_->RealWaitFor(*next_visible));
  }
  return wait;
}

void TaskQueue::TakeResults(std::vector<Delivery>* out,
                            std::vector<Task>* releases) {
  for (Result& r : results_) {
    auto it = waiters_.find(r.waiter);
    if (it == waiters_.end()) continue;
    Waiter& w = it->second;
    w.in_flight = false;
    const bool leased = r.task.ok() && r.task->has_value();
    // There may be more: try again now.
    if (leased) tried_.erase({w.queue, w.filter.name});
    if (w.cancelled) {
      if (leased) releases->push_back(**r.task);
      Forget(r.waiter);
    } else if (!r.task.ok() || leased) {
      out->emplace_back(std::move(w.callback), std::move(r.task));
      Forget(r.waiter);
    }
    // Otherwise nothing was servable after all: it goes on waiting.
  }
  results_.clear();
}

void TaskQueue::Forget(uint64_t id) {
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  auto queue = waiting_.find(it->second.queue);
  if (queue != waiting_.end()) {
    auto& ids = queue->second;
    ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
    if (ids.empty()) {
      auto tried = tried_.lower_bound({queue->first, ""});
      while (tried != tried_.end() && tried->first.first == queue->first) {
        tried = tried_.erase(tried);
      }
      waiting_.erase(queue);
    }
  }
  waiters_.erase(it);
}

void TaskQueue::SubmitAttempt(uint64_t id, const std::string& queue,
                              const std::string& worker,
                              const TaskFilter& filter, absl::Duration lease) {
  commands_->Submit(MakeCommand<std::optional<Task>>(
      [queue, worker, filter, lease, options = options_](CommandContext& ctx) {
        return task_commands::Lease(ctx, queue, worker, lease, options, filter);
      },
      // Once in_flight_ drops, Stop() may return and this queue be gone:
      // the wakeup is held by the callback, not reached through `this`.
      [this, id, wakeup = wakeup_](absl::StatusOr<std::optional<Task>> task) {
        {
          absl::MutexLock lock(&mu_);
          results_.push_back(Result{id, std::move(task)});
          --in_flight_;
        }
        wakeup->Poke();
      }));
}

void TaskQueue::ReleaseQuietly(const Task& task) {
  TaskRef ref{task.stream_id(), task.id(), task.lease_owner()};
  commands_->Submit(MakeCommand<Task>(
      [ref](CommandContext& ctx) { return task_commands::Release(ctx, ref); },
      [](absl::StatusOr<Task>) {}));  // else the lease simply expires
}

}  // namespace returnpath::engine
