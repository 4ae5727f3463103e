#ifndef RETURNPATH_ENGINE_COMMIT_EVENT_STORE_IMPL_H_
#define RETURNPATH_ENGINE_COMMIT_EVENT_STORE_IMPL_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "commit/sequencer.h"
#include "engine/event_store.h"
#include "store/store_backend.h"

namespace returnpath::engine {

// EventStore over a StoreBackend (RocksDB, or PostgreSQL shared by several
// processes): a Sequencer for writes, snapshot reads. Thread-safe. Owns the
// backend and the sequencer; the clock and workflow in the options are
// borrowed and must outlive it.
class EventStoreImpl final : public EventStore, public CommandQueue {
 public:
  // `write_fault` is the Sequencer test seam; null in production.
  static absl::StatusOr<std::unique_ptr<EventStoreImpl>> Open(
      const StoreOptions& options, std::function<absl::Status()> write_fault);

  ~EventStoreImpl() override;

  // erase.cc
  absl::Status ApproveErasure(
      returnpath::v1::ErasureApproval approval) override;
  absl::StatusOr<EraseResult> Erase(EraseRequest request) override;
  absl::Status PlaceLegalHold(returnpath::v1::LegalHold hold) override;
  absl::StatusOr<returnpath::v1::LegalHold> LiftLegalHold(
      absl::string_view stream_id) override;
  absl::StatusOr<AppendResult> Append(AppendRequest request) override;
  void AppendAsync(AppendRequest request, AppendCallback done) override;
  void Submit(Command command) override;
  std::unique_ptr<PreparedAppend> Prepare(
      const AppendRequest& request) override;
  bool TakesReads() const override { return backend_->Shared(); }

  absl::StatusOr<std::vector<returnpath::v1::EventEnvelope>> ReadStream(
      absl::string_view stream_id, uint64_t from_version, size_t max) override;
  absl::StatusOr<EventPage> ReadAll(uint64_t from_position,
                                    size_t max) override;
  absl::StatusOr<returnpath::v1::StreamRecord> GetStreamRecord(
      absl::string_view stream_id) override;
  // stored_records.cc
  absl::StatusOr<std::vector<StoredEvent>> ReadStoredEvents(
      const std::vector<uint64_t>& positions) override;
  void PutCheckpointAsync(uint64_t position, std::string record,
                          absl::AnyInvocable<void(absl::Status)> done) override;
  absl::StatusOr<std::vector<Checkpoint>> ReadCheckpoints(
      uint64_t from_position, size_t max) override;
  uint64_t LastPosition() override;
  absl::StatusOr<IndexPage> ListIndex(const IndexQuery& query) override;
  absl::StatusOr<std::vector<returnpath::v1::Timer>> TimersForStream(
      absl::string_view stream_id) override;
  absl::StatusOr<std::vector<returnpath::v1::Timer>> TimersDue(
      absl::Time from, absl::Time to, size_t max) override;
  absl::StatusOr<std::vector<returnpath::v1::Timer>> TimersDueAfter(
      const returnpath::v1::Timer& after, absl::Time to, size_t max) override;
  absl::StatusOr<std::vector<returnpath::v1::Task>> TasksForStream(
      absl::string_view stream_id) override;
  absl::StatusOr<returnpath::v1::Task> GetTask(
      absl::string_view stream_id, absl::string_view task_id) override;
  absl::StatusOr<std::vector<returnpath::v1::Task>> ReadyTasks(
      absl::string_view queue, size_t max) override;
  absl::Status Verify(uint64_t from, uint64_t to,
                      const VerifyProgress& progress) override;
  // access_records.cc
  void LogAccessAsync(std::vector<std::string> stream_ids, std::string actor,
                      std::string detail,
                      absl::AnyInvocable<void(absl::Status)> done) override;
  absl::StatusOr<std::string> ReadAccessLog(
      const AccessQuery& query,
      absl::FunctionRef<bool(const returnpath::v1::AccessEntry&)> visit)
      override;
  absl::StatusOr<uint64_t> VerifyAccessLog(
      const VerifyProgress& progress) override;
  absl::StatusOr<std::unique_ptr<StoreView>> Snapshot() override;
  absl::Status SyncLog() override;
  absl::Status Flush() override;
  absl::Status Compact(Table table) override;
  absl::StatusOr<StoreBackup> Backup(const std::string& dir,
                                     uint32_t keep) override;
  StoreGauges Gauges() override;  // store_gauges.cc
  void AddCommitListener(std::function<void(uint64_t)> listener) override;
  absl::Status Close() override;

 private:
  EventStoreImpl(const StoreOptions& options,
                 std::unique_ptr<StoreBackend> backend,
                 std::unique_ptr<Sequencer> sequencer);

  // A snapshot of every table that opens sealed events. REQUIRES: mu_ held
  // (shared is enough).
  absl::StatusOr<std::unique_ptr<StoreView>> OpenView() const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // The last durable position: this process's own on a store it alone
  // writes, else as the store says now. REQUIRES: mu_ held (shared).
  uint64_t LastPositionLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // After an erasure: every table flushed and compacted down to its last
  // level, so that no file of the store keeps what the erasure removed
  // (the log files that held it are dropped once all tables are flushed).
  absl::Status RewriteWithoutRemoved();

  // Fails once Close has begun. REQUIRES: mu_ held (shared is enough).
  absl::Status CheckOpen() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // Due timers from the timers key `from` (inclusive) to `to`.
  absl::StatusOr<std::vector<returnpath::v1::Timer>> TimersFromKey(
      const std::string& from, absl::Time to, size_t max);

  // Reads hold mu_ shared; Close holds it exclusively, so it waits for them.
  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // Constant after construction; closed by Close (sequencer first).
  const std::unique_ptr<StoreBackend> backend_;
  const std::unique_ptr<Sequencer> sequencer_;
  // What AppendAsync prepares transitions with (commit/prepare.h); the
  // workflow is null when it prepares none.
  Clock* const clock_;
  const Workflow* const prepare_with_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_COMMIT_EVENT_STORE_IMPL_H_
