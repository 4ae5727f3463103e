#include "commit/event_store_impl.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "commit/clock_check.h"
#include "engine/status_macros.h"
#include "engine/store_file_system.h"
#include "rocksdb/write_batch.h"
#include "store/access_chain.h"
#include "store/backup.h"
#include "store/keys.h"
#include "store/rocks_view.h"
#include "store/sealing.h"
#include "store/verify.h"

namespace returnpath::engine {

IndexQuery IndexQuery::Prefix(std::string prefix, size_t max) {
  IndexQuery q;
  q.prefix = std::move(prefix);
  q.max = max;
  return q;
}

IndexQuery IndexQuery::Range(std::string first, std::string last, size_t max) {
  IndexQuery q;
  q.first = std::move(first);
  q.last = std::move(last);
  q.max = max;
  return q;
}

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(
    const StoreOptions& options) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<EventStoreImpl> store,
                      EventStoreImpl::Open(options, nullptr));
  return std::unique_ptr<EventStore>(std::move(store));
}

namespace {

// Writes the schema version, and the workflow's state schema, into a new
// store; refuses a store of another schema version. (A store of another state
// schema is Engine::Open's to migrate.)
absl::Status CheckSchema(const StoreDb& db, const Workflow* workflow) {
  absl::StatusOr<std::string> stored =
      db.Get(Table::kMeta, keys::kMetaSchemaVersion, nullptr);
  if (absl::IsNotFound(stored.status())) {
    rocksdb::WriteBatch batch;
    batch.Put(db.cf(Table::kMeta), keys::kMetaSchemaVersion,
              keys::U64(keys::kSchemaVersion));
    if (workflow != nullptr) {
      batch.Put(db.cf(Table::kMeta), keys::kMetaStateSchema,
                workflow->StateSchema());
    }
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return FromRocks(db.db()->Write(wo, &batch), "writing the schema version");
  }
  if (!stored.ok()) return stored.status();
  if (*stored != keys::U64(keys::kSchemaVersion)) {
    return absl::FailedPreconditionError(
        "the store was written with another schema version");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventStoreImpl>> EventStoreImpl::Open(
    const StoreOptions& options, std::function<absl::Status()> write_fault) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("path is empty");
  }
  if (options.clock == nullptr) {
    return absl::InvalidArgumentError("clock is null");
  }
  if (options.max_group == 0) {
    return absl::InvalidArgumentError("max_group is 0");
  }
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreDb> db,
                      StoreDb::Open(options.path,
                                    options.file_system != nullptr
                                        ? options.file_system->rocksdb
                                        : nullptr,
                                    options.min_free_disk_bytes));
  RP_RETURN_IF_ERROR(CheckSchema(*db, options.workflow));
  RP_RETURN_IF_ERROR(OpenSealing(db.get(), options.master_keys));
  RP_ASSIGN_OR_RETURN(ChainState chain, RecoverChain(*db));
  RP_ASSIGN_OR_RETURN(chain.access, RecoverAccessChain(*db));
  RP_RETURN_IF_ERROR(
      MigrateLegacyAccess(*db, options.read_legacy_access, &chain.access));
  RP_RETURN_IF_ERROR(CheckClock(*db, options, chain));
  Sequencer::Options seq;
  seq.clock = options.clock;
  seq.workflow = options.workflow;
  seq.sync = options.sync;
  seq.on_append = options.on_append;
  seq.on_group_written = options.on_group_written;
  seq.max_group = options.max_group;
  seq.write_fault = std::move(write_fault);
  auto gate = std::make_unique<WriteGate>(db.get(), options.path,
                                          options.min_free_disk_bytes,
                                          options.clock, options.log);
  seq.gate = gate.get();
  auto sequencer =
      std::make_unique<Sequencer>(db.get(), std::move(seq), std::move(chain));
  return std::unique_ptr<EventStoreImpl>(new EventStoreImpl(
      options, std::move(db), std::move(gate), std::move(sequencer)));
}

EventStoreImpl::EventStoreImpl(const StoreOptions& options,
                               std::unique_ptr<StoreDb> db,
                               std::unique_ptr<WriteGate> gate,
                               std::unique_ptr<Sequencer> sequencer)
    : db_(std::move(db)),
      gate_(std::move(gate)),
      sequencer_(std::move(sequencer)),
      clock_(options.clock),
      prepare_with_(options.prepare_transitions ? options.workflow : nullptr) {}

EventStoreImpl::~EventStoreImpl() { Close().IgnoreError(); }

absl::Status EventStoreImpl::Close() {
  // Stop the writer first: it drains the queue and may still use the db.
  sequencer_->Stop();
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::OkStatus();
  closed_ = true;
  return db_->Close();
}

absl::Status EventStoreImpl::CheckOpen() const {
  if (closed_)
    return absl::FailedPreconditionError("the event store is closed");
  return absl::OkStatus();
}

absl::StatusOr<AppendResult> EventStoreImpl::Append(AppendRequest request) {
  absl::StatusOr<AppendResult> out;
  absl::Notification answered;
  AppendAsync(std::move(request), [&](absl::StatusOr<AppendResult> result) {
    out = std::move(result);
    answered.Notify();
  });
  answered.WaitForNotification();
  return out;
}

std::unique_ptr<PreparedAppend> EventStoreImpl::Prepare(
    const AppendRequest& request) {
  if (prepare_with_ == nullptr) return nullptr;
  absl::ReaderMutexLock lock(&mu_);
  if (closed_) return nullptr;
  absl::StatusOr<PreparedAppend> prepared =
      PrepareAppend(*db_, *prepare_with_, clock_->Now(), request);
  if (!prepared.ok()) return nullptr;
  return std::make_unique<PreparedAppend>(*std::move(prepared));
}

void EventStoreImpl::AppendAsync(AppendRequest request, AppendCallback done) {
  // The workflow runs here, on the caller's thread; the sequencer checks.
  std::unique_ptr<PreparedAppend> prepared = Prepare(request);
  sequencer_->Submit(MakeCommand<AppendResult>(
      [request = std::move(request), prepared = std::move(prepared)](
          CommandContext& ctx) { return ctx.Append(request, prepared.get()); },
      std::move(done)));
}

void EventStoreImpl::Submit(Command command) {
  sequencer_->Submit(std::move(command));
}

CommandQueue* CommandQueueOf(EventStore& store) {
  return dynamic_cast<EventStoreImpl*>(&store);
}

absl::StatusOr<std::unique_ptr<StoreView>> EventStoreImpl::Snapshot() {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  return NewSnapshotView(*db_);
}

absl::Status EventStoreImpl::SyncLog() {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  return FromRocks(db_->db()->SyncWAL(), "syncing the log");
}

absl::Status EventStoreImpl::Flush() {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  std::vector<rocksdb::ColumnFamilyHandle*> all;
  for (size_t cf = 0; cf < kTableCount; ++cf) {
    all.push_back(db_->cf(static_cast<Table>(cf)));
  }
  const rocksdb::Status flushed =
      db_->db()->Flush(rocksdb::FlushOptions(), all);
  // A disk that failed the flush fails writes too: refused as they are, and
  // recovered at the next write.
  if (flushed.IsIOError()) return gate_->AfterWrite(flushed);
  return FromRocks(flushed, "flushing the tables");
}

absl::Status EventStoreImpl::Compact(Table table) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  return FromRocks(db_->db()->CompactRange(rocksdb::CompactRangeOptions(),
                                           db_->cf(table), nullptr, nullptr),
                   absl::StrCat("compacting the ", TableName(table)));
}

absl::StatusOr<StoreBackup> EventStoreImpl::Backup(const std::string& dir,
                                                   uint32_t keep) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  // What is durable now is in the backup; it may catch a few later writes.
  return BackUpStore(*db_, dir, sequencer_->Committed(), keep);
}

uint64_t EventStoreImpl::LastPosition() {
  return sequencer_->Committed().last_position;
}

absl::Status EventStoreImpl::Verify(uint64_t from, uint64_t to,
                                    const VerifyProgress& progress) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  return VerifyChain(*db_, from, to, progress);
}

void EventStoreImpl::AddCommitListener(std::function<void(uint64_t)> listener) {
  sequencer_->AddCommitListener(std::move(listener));
}

}  // namespace returnpath::engine
