#ifndef RETURNPATH_ENGINE_COMMIT_SEQUENCER_H_
#define RETURNPATH_ENGINE_COMMIT_SEQUENCER_H_

// The single writer. Every write to the store is a Command run on the
// sequencer thread; commands queued together share one write and one fsync
// (group commit), and each is answered only after that write.
//
// Under load writes are pipelined: a second thread writes a finished group
// while the sequencer runs the next group's commands, which read the group in
// flight as if it were durable (CommandContext's base). The next group is
// written only once the one before is durable; if a write fails, the group run
// on top of it fails whole as well and nothing of it is written.
//
// On a shared store (StoreBackend::Shared: several processes write one
// database) a group holds the store's write lock from before its commands
// read until its write, and starts by reading the chain's end again: another
// process may have moved it on. Such groups are not pipelined.
//
// Adding a command (e.g. firing a timer) from engine code:
//
//   CommandQueueOf(*store)->Submit(MakeCommand<AppendResult>(
//       [timer](CommandContext& ctx) -> absl::StatusOr<AppendResult> {
//         RP_ASSIGN_OR_RETURN(auto current,
//                             ctx.GetTimer(timer.stream_id(), timer.id()));
//         if (!current.has_value()) {
//           return absl::NotFoundError("timer was cancelled");
//         }
//         // Delete first: the workflow may re-arm the same id.
//         RP_RETURN_IF_ERROR(ctx.DeleteTimer(timer.stream_id(), timer.id()));
//         AppendRequest request = ...;  // a TimerFired event
//         return ctx.Append(request);
//       },
//       [](absl::StatusOr<AppendResult> result) { /* durable or failed */ }));
//
// Rules for a command body: it runs on the sequencer thread, so it must not
// block or wait for another command; it reads through `ctx` (which sees the
// group's earlier writes) and writes only through `ctx`; if it returns an
// error, everything it wrote is rolled back and its `done` gets that error.
// `done` runs on the sequencer thread after the group's write, with the
// write's status if the body succeeded; it must not block either.

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "commit/command_context.h"
#include "commit/prepare.h"
#include "engine/clock.h"
#include "engine/workflow.h"
#include "store/store_backend.h"

namespace returnpath::engine {

// A unit of work for the sequencer; see the file comment. Move-only.
struct Command {
  absl::AnyInvocable<absl::Status(CommandContext&)> run;
  absl::AnyInvocable<void(absl::Status)> done;
  // Work nobody waits on (timer firings): it yields to the other commands,
  // so that a wave of firings does not stall the people recording events.
  bool background = false;
  // Records `run` will read, as far as known before it runs: on a shared
  // store, where each read is a round trip, the group reads them all at
  // once (GroupWrite::Prefetch). Only a hint.
  std::vector<TableKey> reads;
};

// A Command whose body yields a value; `done` gets it once durable, or the
// body's or the write's error.
template <typename T>
Command MakeCommand(absl::AnyInvocable<absl::StatusOr<T>(CommandContext&)> body,
                    absl::AnyInvocable<void(absl::StatusOr<T>)> done) {
  auto result = std::make_shared<absl::StatusOr<T>>(
      absl::InternalError("command did not run"));
  Command command;
  command.run = [body = std::move(body),
                 result](CommandContext& ctx) mutable -> absl::Status {
    *result = body(ctx);
    return result->status();
  };
  command.done = [done = std::move(done), result](absl::Status s) mutable {
    if (!s.ok()) *result = std::move(s);
    done(std::move(*result));
  };
  return command;
}

// Starts an asynchronous call, handing it the callback that answers it, and
// waits for that answer: how each blocking call wraps its asynchronous form,
// so both take one path. Never call it from the sequencer thread (a command
// body or a `done`): the answer would wait for itself.
template <typename T>
absl::StatusOr<T> AwaitAnswer(
    absl::FunctionRef<void(absl::AnyInvocable<void(absl::StatusOr<T>)>)>
        start) {
  absl::StatusOr<T> out = absl::InternalError("call was not answered");
  absl::Notification answered;
  start([&](absl::StatusOr<T> result) {
    out = std::move(result);
    answered.Notify();
  });
  answered.WaitForNotification();
  return out;
}

// Runs `body` as a command and waits until it is durable or failed (the
// blocking form of Submit(MakeCommand(body, done))).
template <typename T, typename Submitter>
absl::StatusOr<T> RunCommand(
    Submitter& submitter,
    absl::AnyInvocable<absl::StatusOr<T>(CommandContext&)> body) {
  return AwaitAnswer<T>([&](absl::AnyInvocable<void(absl::StatusOr<T>)> done) {
    submitter.Submit(MakeCommand<T>(std::move(body), std::move(done)));
  });
}

// Where engine modules (timer loop, task queue, access log) submit commands.
class CommandQueue {
 public:
  virtual ~CommandQueue() = default;
  // Queues `command`; see the file comment for the rules.
  virtual void Submit(Command command) = 0;
  // The transitions of `request` computed on the calling thread, for a
  // command's CommandContext::Append (commit/prepare.h); null when the
  // queue prepares none or the sequencer had better compute them.
  virtual std::unique_ptr<PreparedAppend> Prepare(
      const AppendRequest& request) {
    return nullptr;
  }
  // Whether commands' reads (Command::reads) are used: on a shared store,
  // where each read is a round trip. When not, a command need not name them.
  virtual bool TakesReads() const { return false; }
};

// The sequencer of `store` if EventStore::Open made it; null for any other
// EventStore (a test double), which takes no commands.
CommandQueue* CommandQueueOf(EventStore& store);

// The thread that owns all writes, and its writer thread (see the file
// comment). Thread-safe: Submit from any thread. Does not own the StoreDb,
// Clock or Workflow; they must outlive Stop().
class Sequencer {
 public:
  struct Options {
    Clock* clock = nullptr;
    const Workflow* workflow = nullptr;
    size_t max_group = 256;
    // A group takes the queued foreground commands first (up to max_group),
    // then this many background ones; with no foreground work queued,
    // background work fills a whole group.
    size_t max_background_alongside = 16;
    // Test seam: called before each group write; a non-OK status fails the
    // group exactly as a failed write would, and nothing is written.
    std::function<absl::Status()> write_fault;
    AppendObserver on_append;  // StoreOptions::on_append
    GroupObserver on_group_written;  // StoreOptions::on_group_written
  };

  // Starts the thread. `start` is the durable end of the log.
  Sequencer(StoreBackend* backend, Options options, ChainState start);
  ~Sequencer();  // Stop()
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  // Queues `command`. After Stop, answers it at once on this thread with
  // FAILED_PRECONDITION.
  void Submit(Command command);

  // Finishes every queued command, then joins the thread. Idempotent.
  void Stop();

  // The durable end of the log.
  ChainState Committed() const;

  // Commands waiting to run (foreground and background).
  size_t Queued() const;

  // See EventStore::AddCommitListener.
  void AddCommitListener(std::function<void(uint64_t)> listener);

  // Tells the listeners that the log reaches `position` (another process
  // wrote to a shared store), on the calling thread.
  void TellListeners(uint64_t position);

 private:
  using Listeners = std::vector<std::function<void(uint64_t)>>;

  // A group whose commands have run; its batch is written next or now.
  struct RanGroup {
    std::unique_ptr<CommandContext> ctx;
    std::vector<Command> commands;
    std::vector<absl::Status> statuses;  // of each body
    const WriteSet* batch = nullptr;  // ctx's, once the group is finished
    // Its write: on a shared store begun before its commands ran, else when
    // it is written.
    std::unique_ptr<GroupWrite> write;
    uint64_t start_position = 0;         // the log's end before the group
    absl::Duration write_time;           // of its write, once written
  };

  void Loop();
  void WriterLoop();
  void TakeGroup(std::vector<Command>* group)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs the commands on a context that reads `reads`, and `in_flight`'s
  // writes.
  std::unique_ptr<RanGroup> RunCommands(std::vector<Command> commands,
                                        const RanGroup* in_flight,
                                        const StoreView& reads);
  // Runs and writes one group on a shared store (see the file comment).
  void RunShared(std::vector<Command> commands);
  // Publishes a written group and answers its commands.
  void Answer(RanGroup& group, const absl::Status& write, bool wrote);
  bool QueueEmpty();
  void StartWrite(RanGroup* group);
  absl::Status AwaitWrite();
  // Writes the group's batch and notes how long the write and its fsync took.
  absl::Status Write(RanGroup& group);
  // Tells Options::on_group_written about a group that was written or failed.
  void Observe(const RanGroup& group, const absl::Status& write) const;
  bool SequencerHasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !queue_.empty() || !background_.empty() || stopping_ ||
           written_.has_value();
  }
  bool WriterHasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return to_write_ != nullptr || writer_stopping_;
  }
  bool WriteDone() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return written_.has_value();
  }

  // Constant after construction.
  StoreBackend* const backend_;
  const Options options_;

  mutable absl::Mutex mu_;
  std::deque<Command> queue_ ABSL_GUARDED_BY(mu_);
  std::deque<Command> background_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  ChainState committed_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const Listeners> listeners_ ABSL_GUARDED_BY(mu_);
  // The hand-off to the writer thread: the group to write (owned by the
  // sequencer), then the result. At most one write at a time.
  RanGroup* to_write_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::optional<absl::Status> written_ ABSL_GUARDED_BY(mu_);
  bool writer_stopping_ ABSL_GUARDED_BY(mu_) = false;

  absl::Mutex stop_mu_;  // serializes Stop; held while joining
  std::thread writer_;   // joined by Stop, after thread_
  std::thread thread_;   // joined by Stop
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_COMMIT_SEQUENCER_H_
