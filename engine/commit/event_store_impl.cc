#include "commit/event_store_impl.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "commit/clock_check.h"
#include "engine/status_macros.h"
#include "engine/store_file_system.h"
#include "store/access_chain.h"
#include "store/backup.h"
#include "store/keys.h"
#include "store/pg_backend.h"
#include "store/rocks_backend.h"
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
absl::Status CheckSchema(StoreBackend& backend, const Workflow* workflow) {
  absl::StatusOr<std::string> stored =
      backend.Latest().Get(Table::kMeta, keys::kMetaSchemaVersion);
  if (absl::IsNotFound(stored.status())) {
    WriteSet schema;
    schema.Put(Table::kMeta, keys::kMetaSchemaVersion,
               keys::U64(keys::kSchemaVersion));
    if (workflow != nullptr) {
      schema.Put(Table::kMeta, keys::kMetaStateSchema, workflow->StateSchema());
    }
    return backend.WriteNow(schema);
  }
  if (!stored.ok()) return stored.status();
  if (*stored != keys::U64(keys::kSchemaVersion)) {
    return absl::FailedPreconditionError(
        "the store was written with another schema version");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<StoreBackend>> OpenBackend(
    const StoreOptions& options) {
  if (IsPostgresUri(options.path)) {
    PostgresOptions postgres;
    postgres.conninfo = options.path;
    postgres.sync = options.sync;
    postgres.log = options.log;
    return OpenPostgresBackend(postgres);
  }
  RocksBackend::Options rocks;
  rocks.path = options.path;
  if (options.file_system != nullptr) {
    rocks.file_system = options.file_system->rocksdb;
  }
  rocks.min_free_disk_bytes = options.min_free_disk_bytes;
  rocks.sync = options.sync;
  rocks.clock = options.clock;
  rocks.log = options.log;
  RP_ASSIGN_OR_RETURN(std::unique_ptr<RocksBackend> backend,
                      RocksBackend::Open(std::move(rocks)));
  return std::unique_ptr<StoreBackend>(std::move(backend));
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
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreBackend> backend,
                      OpenBackend(options));
  RP_RETURN_IF_ERROR(CheckSchema(*backend, options.workflow));
  RP_RETURN_IF_ERROR(OpenSealing(backend.get(), options.master_keys));
  RP_ASSIGN_OR_RETURN(ChainState chain, RecoverChain(backend->Latest()));
  RP_ASSIGN_OR_RETURN(chain.access, RecoverAccessChain(backend->Latest()));
  RP_RETURN_IF_ERROR(
      MigrateLegacyAccess(*backend, options.read_legacy_access, &chain.access));
  RP_RETURN_IF_ERROR(CheckClock(*backend, options, chain));
  Sequencer::Options seq;
  seq.clock = options.clock;
  seq.workflow = options.workflow;
  seq.on_append = options.on_append;
  seq.on_group_written = options.on_group_written;
  seq.max_group = options.max_group;
  seq.write_fault = std::move(write_fault);
  auto sequencer = std::make_unique<Sequencer>(backend.get(), std::move(seq),
                                               std::move(chain));
  Sequencer* const wake = sequencer.get();
  StoreBackend* const store = backend.get();
  backend->OnOthersCommitted(
      [wake, store] { wake->TellListeners(store->Latest().LastPosition()); });
  return std::unique_ptr<EventStoreImpl>(
      new EventStoreImpl(options, std::move(backend), std::move(sequencer)));
}

EventStoreImpl::EventStoreImpl(const StoreOptions& options,
                               std::unique_ptr<StoreBackend> backend,
                               std::unique_ptr<Sequencer> sequencer)
    : backend_(std::move(backend)),
      sequencer_(std::move(sequencer)),
      clock_(options.clock),
      prepare_with_(options.prepare_transitions ? options.workflow : nullptr) {}

EventStoreImpl::~EventStoreImpl() { Close().IgnoreError(); }

absl::Status EventStoreImpl::Close() {
  // Stop the writer first: it drains the queue and may still use the store.
  sequencer_->Stop();
  // Then the wake-ups from other processes: a listener they call may read
  // the store, which waits for mu_.
  backend_->StopWatching();
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::OkStatus();
  closed_ = true;
  return backend_->Close();
}

absl::StatusOr<std::unique_ptr<StoreView>> EventStoreImpl::OpenView() const {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreView> view, backend_->Snapshot());
  return WithSealing(std::move(view), backend_->master_keys());
}

uint64_t EventStoreImpl::LastPositionLocked() const {
  if (!backend_->Shared()) return sequencer_->Committed().last_position;
  return backend_->Latest().LastPosition();
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
      PrepareAppend(*backend_, *prepare_with_, clock_->Now(), request);
  if (!prepared.ok()) return nullptr;
  return std::make_unique<PreparedAppend>(*std::move(prepared));
}

void EventStoreImpl::AppendAsync(AppendRequest request, AppendCallback done) {
  // The workflow runs here, on the caller's thread; the sequencer checks.
  std::unique_ptr<PreparedAppend> prepared = Prepare(request);
  std::vector<TableKey> reads;
  if (TakesReads()) {
    reads = AppendReads(request, prepared.get(),
                        backend_->master_keys() != nullptr);
  }
  Command command = MakeCommand<AppendResult>(
      [request = std::move(request), prepared = std::move(prepared)](
          CommandContext& ctx) { return ctx.Append(request, prepared.get()); },
      std::move(done));
  command.reads = std::move(reads);
  sequencer_->Submit(std::move(command));
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
  return OpenView();
}

absl::Status EventStoreImpl::SyncLog() {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  return backend_->SyncLog();
}

absl::Status EventStoreImpl::Flush() {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  return backend_->Flush();
}

absl::Status EventStoreImpl::Compact(Table table) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  return backend_->Compact(table);
}

absl::StatusOr<StoreBackup> EventStoreImpl::Backup(const std::string& dir,
                                                   uint32_t keep) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  // What is durable now is in the backup; it may catch a few later writes.
  return backend_->Backup(dir, sequencer_->Committed(), keep);
}

uint64_t EventStoreImpl::LastPosition() {
  absl::ReaderMutexLock lock(&mu_);
  if (closed_) return sequencer_->Committed().last_position;
  return LastPositionLocked();
}

absl::Status EventStoreImpl::Verify(uint64_t from, uint64_t to,
                                    const VerifyProgress& progress) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  RP_ASSIGN_OR_RETURN(const std::unique_ptr<StoreView> view, OpenView());
  return VerifyChain(*view, from, to, progress);
}

void EventStoreImpl::AddCommitListener(std::function<void(uint64_t)> listener) {
  sequencer_->AddCommitListener(std::move(listener));
}

}  // namespace returnpath::engine
