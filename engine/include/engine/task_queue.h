#ifndef RETURNPATH_ENGINE_TASK_QUEUE_H_
#define RETURNPATH_ENGINE_TASK_QUEUE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/wakeup.h"
#include "returnpath/v1/engine.pb.h"

namespace returnpath::engine {

class CommandQueue;  // engine/sequencer.h

struct TaskQueueOptions {
  // Failed attempts (Fail calls, and leases that ran out before the task was
  // completed, see below) before a task is dead-lettered: enough to ride out
  // a worker's bad hour, few enough that a task that can never succeed, or
  // whose worker keeps crashing, reaches a person within a day.
  int max_attempts = 5;
  // Whether a lease that runs out counts as a failed attempt. True suits
  // machine workers (a crashing worker's task reaches the dead letters).
  // False suits human work: a person whose lease ran out over lunch has not
  // failed, the task just goes back to the queue; only Fail counts.
  bool lease_expiry_counts_as_failure = true;
  // Delay before the first retry; it doubles with each failed attempt
  // (30 s, 1 min, 2 min, ...), so a flapping dependency is not hammered.
  absl::Duration retry_base = absl::Seconds(30);
  // Longest retry delay, so a task that failed a few times still comes back
  // the same working day.
  absl::Duration retry_max = absl::Hours(1);
  // Longest lease one Lease or ExtendLease grants: a crashed worker's task
  // comes back to the queue within this.
  absl::Duration max_lease = absl::Hours(12);
};

// Names a task and the worker acting on it.
struct TaskRef {
  std::string stream_id;
  std::string task_id;
  std::string worker;
};

struct CompleteRequest {
  TaskRef task;
  std::string outcome;  // the worker's outcome code, e.g. "relocated"
  std::string note;
  // Optional; a retry with the same key appends nothing.
  std::string idempotency_key;
  // Who is recorded on the TaskCompleted event; empty: the worker.
  std::string principal;
  std::string correlation_id;
};

struct CompleteResult {
  uint64_t position = 0;      // of the TaskCompleted event in the stream
  bool deduplicated = false;  // already completed: nothing was appended
};

// Which tasks a worker may lease, judged by the stream the task belongs to
// (e.g. its index keys); a task outside it stays in the queue for others.
// `allows` runs on the sequencer thread inside a lease: it must be quick and
// must not block. Filters with the same `name` must allow the same tasks (a
// queue that had nothing for one is not tried again for the other until
// something changes). An empty `allows` allows every task.
struct TaskFilter {
  std::string name;
  std::function<bool(const returnpath::v1::StreamRecord& stream)> allows;
};

struct TaskListQuery {
  std::string queue;
  // UNSPECIFIED: open, leased and paused (every task a person may still
  // have to do; paused ones last). COMPLETED and CANCELLED have no index by
  // queue: they are found by scanning, so their pages may come back short
  // (even empty) with a token to go on.
  returnpath::v1::TaskState state = returnpath::v1::TASK_STATE_UNSPECIFIED;
  int page_size = 50;      // 0: 50; at most 1000
  std::string page_token;  // from the previous page
};

struct TaskPage {
  std::vector<returnpath::v1::Task> tasks;
  // One per task: the page token that continues the listing right after it.
  std::vector<std::string> resume_tokens;
  std::string next_page_token;  // empty on the last page
};

// Durable task queues over the store's `tasks`/`task_ready` column families:
// leases, completion (a TaskCompleted event), retries, dead letters and long
// polls. Thread-safe; owns one thread that answers long polls. `store` and
// `clock` must outlive it; destroy it before closing the store.
// The live tasks of one queue, counted (TaskQueue::Tally).
struct QueueTally {
  int64_t open = 0;
  int64_t leased = 0;
  int64_t overdue = 0;  // open or leased, due before now
  int64_t dead_lettered = 0;
  int64_t paused = 0;
  absl::Time earliest_open_due = absl::InfiniteFuture();
};

class TaskQueue {
 public:
  // Called once, never under a lock, on the queue's poll thread (or on the
  // thread calling CancelPoll or Stop): a leased task, nullopt when nothing
  // came within the wait, or an error. It must not block.
  using PollCallback = absl::AnyInvocable<void(
      absl::StatusOr<std::optional<returnpath::v1::Task>>)>;

  // Answers an asynchronous call once, on the sequencer thread after the
  // write is durable (or failed), or at once on the caller's thread for a
  // bad argument. It must not block: hand further work to another thread.
  template <typename T>
  using Done = absl::AnyInvocable<void(absl::StatusOr<T>)>;

  static absl::StatusOr<std::unique_ptr<TaskQueue>> Create(
      EventStore* store, Clock* clock, TaskQueueOptions options = {});

  ~TaskQueue();  // Stop()
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  // The first servable task of `queue` that `filter` allows (lower priority
  // first, then earlier due; visible_time <= now; expired leases count as
  // servable), now LEASED to `worker` until now + lease; nullopt if none.
  // The blocking calls below wait for the sequencer: never call them from a
  // command or its `done`.
  absl::StatusOr<std::optional<returnpath::v1::Task>> Lease(
      absl::string_view queue, absl::string_view worker, absl::Duration lease,
      const TaskFilter& filter = {});

  // Records a TaskCompleted event in the task's stream through the normal
  // append path; the workflow sees it and closes the task. Completing a
  // completed task returns the first result and appends nothing. The worker
  // must hold the lease, or have held it last if it expired. A key already
  // used for another request is ALREADY_EXISTS, and the task stays as it was.
  absl::StatusOr<CompleteResult> Complete(const CompleteRequest& request);

  // The worker gives up: the task comes back after retry_base * 2^attempts
  // (capped at retry_max), or is dead-lettered at max_attempts.
  absl::StatusOr<returnpath::v1::Task> Fail(const TaskRef& ref,
                                            absl::string_view error);
  // Back to OPEN at once.
  absl::StatusOr<returnpath::v1::Task> Release(const TaskRef& ref);
  // Leases that particular task to `ref.worker` until now + lease: an OPEN
  // one (even one waiting out a retry delay: a person chose it), one whose
  // lease ran out, or one `ref.worker` holds already (its lease is renewed).
  // FAILED_PRECONDITION when another worker holds a live lease, naming the
  // holder and the lease end in `zone`, or when the task is closed or
  // dead-lettered.
  void ClaimAsync(TaskRef ref, absl::Duration lease, absl::TimeZone zone,
                  Done<returnpath::v1::Task> done);
  // Hands the task `ref.worker` holds to `to_worker` with a fresh lease of
  // `lease`, recording the handover in the task's `handling`.
  void ReassignAsync(TaskRef ref, std::string to_worker, absl::Duration lease,
                     Done<returnpath::v1::Task> done);
  // Puts a DEAD_LETTER task back: OPEN at once, attempts reset, `reason`
  // and `ref.worker` recorded in its `handling`. FAILED_PRECONDITION for a
  // task in any other state.
  void RequeueAsync(TaskRef ref, std::string reason,
                    Done<returnpath::v1::Task> done);
  // The lease now runs until now + lease.
  absl::StatusOr<returnpath::v1::Task> ExtendLease(const TaskRef& ref,
                                                   absl::Duration lease);
  // The same four calls without waiting: each answers `done` (see Done).
  // The calls above wait for these.
  void CompleteAsync(CompleteRequest request, Done<CompleteResult> done);
  void FailAsync(TaskRef ref, std::string error,
                 Done<returnpath::v1::Task> done);
  void ReleaseAsync(TaskRef ref, Done<returnpath::v1::Task> done);
  void ExtendLeaseAsync(TaskRef ref, absl::Duration lease,
                        Done<returnpath::v1::Task> done);
  // Errors of the calls above: INVALID_ARGUMENT naming a bad field;
  // NOT_FOUND for an unknown task; FAILED_PRECONDITION when the task is not
  // leased by `worker` (or closed), with a sentence naming the task.

  // Tasks of a queue by state, in serving order for OPEN, by lease expiry
  // for LEASED. INVALID_ARGUMENT for a bad page size or token.
  absl::StatusOr<TaskPage> List(const TaskListQuery& query);
  absl::StatusOr<TaskPage> ListDeadLetters(absl::string_view queue,
                                           int page_size,
                                           absl::string_view page_token);
  // Each OPEN, LEASED, DEAD_LETTER and PAUSED task of `queue` (every queue
  // when empty), once, from one snapshot (VisitLiveTasks): for counts.
  absl::Status VisitLive(
      absl::string_view queue,
      const std::function<void(const returnpath::v1::Task&)>& visit);
  // Every queue's live tasks counted, from one snapshot, without reading the
  // open ones' records: a ready entry exists exactly while its task is OPEN
  // and its key holds the queue and due time. The few leased, delayed,
  // dead-lettered and paused tasks are read through their records.
  absl::StatusOr<std::map<std::string, QueueTally>> Tally(absl::Time now);
  // The tasks of every queue under a live lease whose owner `holds` accepts,
  // at most `limit` of them (in key order of their queues and lease ends).
  absl::StatusOr<std::vector<returnpath::v1::Task>> ListHeld(
      const std::function<bool(absl::string_view lease_owner)>& holds,
      size_t limit);

  // Long poll: leases as soon as a task `filter` allows is servable in
  // `queue` (now, or when a commit opens or frees one, or a lease or retry
  // delay runs out), or answers nullopt after `wait` of real time. Returns an
  // id for CancelPoll. INVALID_ARGUMENT for bad arguments,
  // UNAVAILABLE once stopped (the callback is then never called).
  absl::StatusOr<uint64_t> PollAsync(absl::string_view queue,
                                     absl::string_view worker,
                                     absl::Duration lease, absl::Duration wait,
                                     PollCallback callback,
                                     TaskFilter filter = {});
  // Answers the poll with CANCELLED if it is still waiting; a task leased for
  // it meanwhile is released. Unknown or answered ids are ignored.
  void CancelPoll(uint64_t id);

  // Answers every waiting poll with UNAVAILABLE and joins the thread.
  // Idempotent. Never call it from a PollCallback.
  void Stop();

 private:
  struct Waiter {
    std::string queue;
    std::string worker;
    TaskFilter filter;
    absl::Duration lease;
    absl::Time deadline;  // real time
    PollCallback callback;
    bool in_flight = false;  // a lease attempt for it is on the sequencer
    bool cancelled = false;  // answered already; release what it gets
  };
  struct Result {
    uint64_t waiter;
    absl::StatusOr<std::optional<returnpath::v1::Task>> task;
  };
  using Delivery =
      std::pair<PollCallback,
                absl::StatusOr<std::optional<returnpath::v1::Task>>>;

  TaskQueue(EventStore* store, CommandQueue* commands, Clock* clock,
            TaskQueueOptions options);

  absl::Status CheckLease(absl::Duration lease) const;

  // task_poll.cc: the poll thread.
  void PollLoop();
  // One pass; returns how long (real time) to wait before the next and sets
  // `next_visible` to the first time a delayed task of a waited-on queue
  // becomes servable.
  absl::Duration PollPass(uint64_t epoch, std::vector<Delivery>* out,
                          absl::Time* next_visible);
  // Answers the waiters whose lease attempts came back; collects tasks
  // leased for cancelled waiters, to be released.
  void TakeResults(std::vector<Delivery>* out,
                   std::vector<returnpath::v1::Task>* releases)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Forget(uint64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // REQUIRES: mu_ not held (a closed store answers on this thread).
  void SubmitAttempt(uint64_t id, const std::string& queue,
                     const std::string& worker, const TaskFilter& filter,
                     absl::Duration lease) ABSL_LOCKS_EXCLUDED(mu_);
  void ReleaseQuietly(const returnpath::v1::Task& task)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Constant after construction.
  EventStore* const store_;
  CommandQueue* const commands_;  // the store's sequencer
  Clock* const clock_;
  const TaskQueueOptions options_;
  const std::shared_ptr<Wakeup> wakeup_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  // Waiter ids per queue, oldest first.
  std::map<std::string, std::deque<uint64_t>> waiting_ ABSL_GUARDED_BY(mu_);
  // The epoch of the last attempt that found nothing, by queue and filter
  // name; a queue is tried again for that filter only after something
  // changed (a later epoch).
  std::map<std::pair<std::string, std::string>, uint64_t> tried_
      ABSL_GUARDED_BY(mu_);
  std::vector<Result> results_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  absl::Mutex stop_mu_;  // serializes Stop; held while joining
  std::thread thread_;   // the poll thread; joined by Stop
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_TASK_QUEUE_H_
