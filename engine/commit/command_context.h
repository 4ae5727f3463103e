#ifndef RETURNPATH_ENGINE_COMMIT_COMMAND_CONTEXT_H_
#define RETURNPATH_ENGINE_COMMIT_COMMAND_CONTEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "commit/prepare.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/store_view.h"
#include "engine/workflow.h"
#include "returnpath/v1/engine.pb.h"
#include "store/codec.h"
#include "store/hash_chain.h"
#include "engine/master_key.h"
#include "store/write_set.h"

namespace returnpath::engine {

// What a Command sees while it runs on the sequencer: reads that include
// every write made earlier in the same group (the overlay), the append
// primitive, and timer/task helpers, all into the group's one WriteSet.
// Not thread-safe: valid only inside Command::run, on the sequencer thread.
class CommandContext {
 public:
  // `reads` is the store as durable (the group's write on a shared store);
  // `master_keys` (null: nothing is sealed) opens stream keys. `base`, if
  // set, is the previous group's context, finished and being written: reads
  // see its writes as if they were durable. All must outlive this context's
  // commands.
  // `on_append`, if set, is told of each successful Append; it must outlive
  // this context.
  CommandContext(const StoreView* reads, const MasterKeyring* master_keys,
                 Clock* clock, const Workflow* workflow,
                 ChainState start, const CommandContext* base = nullptr,
                 const AppendObserver* on_append = nullptr);
  CommandContext(const CommandContext&) = delete;
  CommandContext& operator=(const CommandContext&) = delete;

  // Reads. nullopt when absent (a stream at version 0 does not exist).
  absl::StatusOr<std::optional<returnpath::v1::StreamRecord>> GetStream(
      absl::string_view stream_id);
  absl::StatusOr<std::optional<returnpath::v1::Timer>> GetTimer(
      absl::string_view stream_id, absl::string_view timer_id);
  absl::StatusOr<std::optional<returnpath::v1::Task>> GetTask(
      absl::string_view stream_id, absl::string_view task_id);
  // `stored_key` as keys.h spells it (CallerIdempotency, EngineIdempotency).
  absl::StatusOr<std::optional<IdempotencyRecord>> GetIdempotency(
      absl::string_view stored_key);
  // The position of version `version` of `stream_id`; NOT_FOUND if none.
  absl::StatusOr<uint64_t> PositionOf(absl::string_view stream_id,
                                      uint64_t version) const;
  // Events as this context sees them (the group's own included): what a
  // workflow reads through EventLookup. Valid while the context is.
  const EventLookup& events() const { return events_; }

  // A `meta` record as this context sees it; nullopt when absent.
  absl::StatusOr<std::optional<std::string>> GetMeta(absl::string_view key);
  void PutMeta(absl::string_view key, absl::string_view value);
  void DeleteMeta(absl::string_view key);

  // erase.cc: EventStore::ApproveErasure and the write of EventStore::Erase
  // (everything but the flush and compaction after it).
  absl::Status ApproveErasure(returnpath::v1::ErasureApproval approval);
  absl::Status PlaceLegalHold(returnpath::v1::LegalHold hold);
  absl::StatusOr<returnpath::v1::LegalHold> LiftLegalHold(
      absl::string_view stream_id);
  // legal_hold.cc: the stream's hold, if any; FAILED_PRECONDITION naming it
  // if there is one.
  absl::StatusOr<std::optional<returnpath::v1::LegalHold>> GetLegalHold(
      absl::string_view stream_id);
  absl::Status RefuseHeld(absl::string_view stream_id);
  absl::StatusOr<EraseResult> Erase(const EraseRequest& request);

  // Validates and appends events to one stream, applying the workflow (if
  // any) and writing state, indexes, timers, tasks, the idempotency record
  // and the chain, and the related events its transitions name (each right
  // after the event that caused it, in the same write; see RelatedEvent). Same
  // errors as EventStore::Append. Atomic by itself: on error it leaves nothing
  // behind, so a command may go on after a failed Append. May be called more
  // than once per command, for any streams. Per event, a transition cancels
  // timers before arming (so cancelling and arming one id re-arms it) and
  // closes tasks, then updates (tasks_to_update), then opens; opening an
  // existing task id replaces that task. Closing a task marks it COMPLETED if
  // the event is a TaskCompleted for that id or the transition completes it
  // with an outcome (tasks_to_complete), else CANCELLED; closing or cancelling
  // what is absent or already closed does nothing.
  // `prepared` (may be null) is what PrepareAppend computed for `request`:
  // used if every stream it read is still at that version, else computed
  // again (AppendResult::recomputed). Append takes its transitions.
  absl::StatusOr<AppendResult> Append(const AppendRequest& request,
                                      PreparedAppend* prepared = nullptr);
  // Append's ALREADY_EXISTS for an idempotency key that was used for another
  // request. It names nothing the key was used for.
  static absl::Status KeyUsedForAnotherRequest();

  // Puts a timer (both the due-time and the by-id key), replacing one with
  // the same stream and id. DeleteTimer does nothing if there is none.
  // INVALID_ARGUMENT if the stream or id is empty or holds a NUL byte.
  absl::Status PutTimer(const returnpath::v1::Timer& timer);
  absl::Status DeleteTimer(absl::string_view stream_id,
                           absl::string_view timer_id);

  // Puts a task and keeps the ready index in step: the task has a ready
  // entry iff its state is OPEN. Use it for leases, retries and closing.
  // INVALID_ARGUMENT if the stream, id or queue is empty or holds a NUL byte.
  absl::Status PutTask(const returnpath::v1::Task& task);
  // Replaces the stored `old` by `next` in this write: the record and every
  // entry the queue keeps for it (ready; delayed for a lease or a retry
  // delay, withholding the ready entry until then; dead letter; paused), each
  // under `next`'s queue, so a task may change state and queue at once.
  absl::Status ReplaceTask(const returnpath::v1::Task& old,
                           const returnpath::v1::Task& next);
  // Puts a task the workflow opens: as PutTask, and a task opened paused
  // waits in its paused entry instead of a ready one.
  absl::Status OpenTask(const returnpath::v1::Task& task);
  // Removes the stored `task` and every queue entry it has.
  void RemoveTask(const returnpath::v1::Task& task);
  // Puts a stream's state record (state, version, position, index keys); its
  // index entries are the caller's.
  void PutStream(const returnpath::v1::StreamRecord& record);
  // Removes the queue's delayed, dead-letter or paused entry `task` may have
  // (deleting an absent key is harmless, so this need not know whether a
  // delay has passed).
  void DropTaskEntries(const returnpath::v1::Task& task);

  // The clock's time, read once per command: the recorded time of its events.
  absl::Time now() const { return now_; }
  const Workflow* workflow() const { return workflow_; }
  const ChainState& chain() const { return layers_.back().chain; }

  // Appends one record to the access log: that `actor` read `stream_id` at
  // now(), with the application's `detail` (store/access_chain.h).
  void LogAccess(absl::string_view stream_id, absl::string_view actor,
                 absl::string_view detail);

  // Writes to tables the helpers above do not cover (task hints, the access
  // log). They are rolled back with the command but are not seen by the
  // reads.
  void PutRecord(Table table, absl::string_view key, absl::string_view value);
  void DeleteRecord(Table table, absl::string_view key);
  // Calls `visit(key, value)` for the durable keys of `table` in
  // [start, limit) (empty limit: to the end) until it returns false. It does
  // not see the group's own writes.
  absl::Status Scan(
      Table table, absl::string_view start, absl::string_view limit,
      absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit)
      const;

  // Used by the sequencer. Begin starts a command; Commit keeps its writes
  // for the group; Rollback drops them. FinishGroup adds the meta record and
  // returns the batch to write (null if no command wrote anything).
  void Begin();
  void Commit();
  void Rollback();
  const WriteSet* FinishGroup();
  // The base's writes are durable: reads go to the database from now on,
  // and the base may be destroyed.
  void BaseWritten() { base_ = nullptr; }
  const ChainState& group_chain() const { return layers_.front().chain; }

 private:
  // Writes not yet in the database, by key. An entry holding nullopt means
  // "deleted".
  struct Overlay {
    absl::flat_hash_map<std::string, returnpath::v1::StreamRecord> streams;
    absl::flat_hash_map<std::string, std::optional<returnpath::v1::Timer>>
        timers;
    absl::flat_hash_map<std::string, std::optional<returnpath::v1::Task>> tasks;
    absl::flat_hash_map<std::string, IdempotencyRecord> idempotency;
    // Events (their stored values) and their positions by stream version.
    absl::flat_hash_map<std::string, std::string> events;
    absl::flat_hash_map<std::string, uint64_t> positions;
    // Stream keys (unwrapped) this group made; nullopt: removed.
    absl::flat_hash_map<std::string, std::optional<std::string>> stream_keys;
    absl::flat_hash_map<std::string, std::optional<std::string>> meta;
    ChainState chain;
  };

  // Layers mirror the WriteSet save points: [0] holds the group's
  // committed commands, [1] the running command, [2] an Append in progress.
  // Reads look from the top down; Push/Pop/Merge move with the save points.
  void PushLayer();
  void PopLayer();    // drops the top layer and rolls the batch back
  void MergeLayer();  // folds the top layer into the one below
  Overlay& top() { return layers_.back(); }
  template <typename T>
  const T* Find(absl::flat_hash_map<std::string, T> Overlay::*map,
                const std::string& key) const;

  // append.cc
  absl::StatusOr<AppendResult> AppendInternal(const AppendRequest& request,
                                              PreparedAppend* prepared);
  // Whether every stream `prepared` read is at the version it read;
  // `record` is the request's stream as the write sees it.
  absl::StatusOr<bool> StillCurrent(const PreparedAppend& prepared,
                                    const returnpath::v1::StreamRecord& record);
  // The prepared transition of `event`, taken; null if there is none (and
  // then none of the rest is used).
  PreparedEvent* TakePrepared(const returnpath::v1::EventEnvelope& event);
  // The distinct other streams one Append wrote related events to.
  using RelatedStreams = absl::flat_hash_set<std::string>;
  absl::Status AppendOne(const AppendRequest& request,
                         const ProposedEvent& proposed,
                         returnpath::v1::StreamRecord* record,
                         RelatedStreams* related);
  // Applies the workflow to `event`, writes it and its transition, and
  // advances the chain; returns the transition (for its related events).
  // `cause_position` is the causing event's for a related event, else 0.
  // `inert`: an engine record no workflow sees (StreamErased): written and
  // chained, the state left as it is.
  absl::StatusOr<Transition> WriteEvent(returnpath::v1::EventEnvelope* event,
                                        returnpath::v1::StreamRecord* record,
                                        uint64_t cause_position = 0,
                                        bool inert = false);
  // Writes `related`, caused by `cause`, depth first. `chain` holds the
  // streams from the request's down to the cause's: none may be written to.
  absl::Status AppendRelated(const AppendRequest& request,
                             const returnpath::v1::EventEnvelope& cause,
                             const std::vector<RelatedEvent>& related,
                             std::vector<std::string>* chain,
                             RelatedStreams* streams);
  absl::Status ApplyTransition(const Transition& transition,
                               const returnpath::v1::EventEnvelope& event,
                               returnpath::v1::StreamRecord* record);
  // Transition::tasks_to_update for one spec: the task changed in place,
  // its queue entries in step; INTERNAL if the workflow named no open task.
  // A task moved to another queue leaves its lease behind (see workflow.h).
  absl::Status UpdateTask(const TaskSpec& spec,
                          const returnpath::v1::EventEnvelope& event,
                          absl::Span<const uint64_t> caused_by);
  // `outcome` non-null: the task is COMPLETED with it.
  absl::Status CloseTask(absl::string_view task_id,
                         const returnpath::v1::EventEnvelope& event,
                         const std::string* outcome = nullptr);

  // command_keys.cc. The stream's key as this context sees it; nullopt
  // if it has none.
  absl::StatusOr<std::optional<std::string>> StreamKey(
      absl::string_view stream_id) const;
  // The stream's key, made, wrapped and put in this write if it has none.
  absl::StatusOr<std::string> KeyToSeal(absl::string_view stream_id);
  // Seals `event` for storing when the store seals (StoreDb::master_keys);
  // returns its plain payload to put back after it is serialized, or nullopt
  // if nothing was sealed.
  absl::StatusOr<std::optional<google::protobuf::Any>> SealForStore(
      returnpath::v1::EventEnvelope* event);

  // erase.cc: the ids of the stream's items in `table` (kTimerIds, kTasks)
  // as this context sees them, the overlay's `map` included.
  template <typename T>
  absl::StatusOr<std::vector<std::string>> ItemIds(
      Table table,
      absl::flat_hash_map<std::string, std::optional<T>> Overlay::*map,
      absl::string_view stream_id) const;

  void PutIdempotency(absl::string_view stored_key,
                      const IdempotencyRecord& record);
  void Put(Table cf, absl::string_view key, absl::string_view value);
  void Delete(Table cf, absl::string_view key);

  class Events final : public EventLookup {
   public:
    explicit Events(const CommandContext& ctx) : ctx_(ctx) {}
    absl::StatusOr<returnpath::v1::EventEnvelope> EventAt(
        uint64_t position) const override;
    absl::StatusOr<uint64_t> PositionOf(absl::string_view stream_id,
                                        uint64_t version) const override;

   private:
    const CommandContext& ctx_;
  };

  const StoreView* const reads_;
  const MasterKeyring* const master_keys_;
  Clock* const clock_;
  const Workflow* const workflow_;
  const CommandContext* base_;  // may be null; see BaseWritten
  const AppendObserver* const on_append_;  // may be null
  WriteCost written_;  // by every Put and Delete, rolled back or not
  WriteSet batch_;
  std::vector<Overlay> layers_;  // never empty
  const uint64_t access_start_;  // the access log's end before this group
  absl::Time now_;
  // Durable stream keys found by the running command (cleared by Begin: a
  // key must not outlive the command that read it).
  mutable absl::flat_hash_map<std::string, std::optional<std::string>>
      durable_keys_;
  // While an Append runs: its recorded time, and what was prepared for it.
  absl::Time recorded_;
  PreparedAppend* prepared_ = nullptr;
  size_t prepared_next_ = 0;
  const Events events_{*this};
};

// FAILED_PRECONDITION naming the erasure if `record`'s stream was erased
// (it takes no more events), else OK.
absl::Status RefuseErased(const returnpath::v1::StreamRecord& record);

// The records CommandContext::Append reads for `request`, as far as known
// before it runs (Command::reads); `prepared` may be null.
std::vector<TableKey> AppendReads(const AppendRequest& request,
                                  const PreparedAppend* prepared, bool sealed);
// The records a command reads next once it has read `read` from `view`: a
// timer found by its id is then read by its due time.
std::vector<TableKey> ReadsAfter(const StoreView& view,
                                 absl::Span<const TableKey> read);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_COMMIT_COMMAND_CONTEXT_H_
