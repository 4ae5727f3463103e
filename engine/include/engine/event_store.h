#ifndef RETURNPATH_ENGINE_EVENT_STORE_H_
#define RETURNPATH_ENGINE_EVENT_STORE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/clock.h"
#include "engine/master_key.h"
#include "engine/store_view.h"
#include "engine/workflow.h"
#include "google/protobuf/any.pb.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/event.pb.h"

namespace returnpath::engine {

struct StoreFileSystem;  // engine/store_file_system.h

// What one append put into its group's write, by table (Table order): keys
// put and deleted, and the bytes of their keys and values. For measuring the
// write path (bench_dataset --write_cost).
struct WriteCost {
  struct Writes {
    uint64_t puts = 0;
    uint64_t deletes = 0;
    uint64_t bytes = 0;
  };
  std::array<Writes, kTableCount> tables;

  WriteCost& operator+=(const WriteCost& other) {
    return Combine(other, [](uint64_t& a, uint64_t b) { a += b; });
  }
  WriteCost& operator-=(const WriteCost& other) {
    return Combine(other, [](uint64_t& a, uint64_t b) { a -= b; });
  }

 private:
  template <typename Op>
  WriteCost& Combine(const WriteCost& other, Op op) {
    for (size_t t = 0; t < kTableCount; ++t) {
      op(tables[t].puts, other.tables[t].puts);
      op(tables[t].deletes, other.tables[t].deletes);
      op(tables[t].bytes, other.tables[t].bytes);
    }
    return *this;
  }
};

// Told of each append once it is in its group (before the group is durable):
// the type URL of its first event, the events it wrote (related ones
// included) and its WriteCost. Runs on the sequencer thread: must not block.
using AppendObserver = std::function<void(absl::string_view kind,
                                          uint64_t events, const WriteCost&)>;

// One group commit: the commands the sequencer wrote together, the events
// they appended, and how long the write and its fsync took.
struct GroupWritten {
  size_t commands = 0;
  uint64_t events = 0;
  absl::Duration write_time;
  bool ok = false;  // false: the write failed or was refused (disk full)
};

// Told of each group commit after its write, on the sequencer's or its
// writer's thread: must not block.
using GroupObserver = std::function<void(const GroupWritten&)>;

// What the store says about itself at one moment (metrics).
struct StoreGauges {
  uint64_t last_position = 0;
  uint64_t queued_commands = 0;  // waiting for the sequencer
  uint64_t file_bytes = 0;       // the store's table files
  uint64_t memtable_bytes = 0;   // written, not yet flushed to a table file
  uint64_t live_data_bytes = 0;  // RocksDB's estimate
  uint64_t pending_compaction_bytes = 0;
  uint64_t running_compactions = 0;
  uint64_t free_disk_bytes = 0;  // on the store's disk
};

struct StoreOptions {
  // Where the store lives: a directory, for the embedded RocksDB store
  // (created if missing); or a PostgreSQL connection URI ("postgres://" or
  // "postgresql://", libpq's syntax, several hosts allowed), whose database
  // holds the store, which other processes may write at the same time
  // (docs/scale-out.md). The file system, disk and backup options below are
  // the embedded store's.
  std::string path;
  // Not owned; must outlive the store. recorded_time comes from it.
  Clock* clock = nullptr;
  // Not owned; must outlive the store. Null stores events only: no state,
  // indexes, timers or tasks (StreamRecords still carry version/position).
  // A new store records its StateSchema(); Engine::Open migrates a store
  // recorded under another.
  const Workflow* workflow = nullptr;
  // fsync every group commit. Off only for tests and benchmarks that measure
  // something other than the disk.
  bool sync = true;
  // Most commands the sequencer puts into one WriteBatch. Bounds the latency
  // a command adds to the others in its group.
  size_t max_group = 256;
  // Where the store's files go; null: the operating system's file system.
  // Tests inject faults through it (engine/store_file_system.h).
  std::shared_ptr<StoreFileSystem> file_system;
  // Writes are refused (RESOURCE_EXHAUSTED) while the data disk has less free
  // than this, and resume by themselves above it. Room for RocksDB to flush
  // every memtable (the log is kept under 64 MiB) and compact meanwhile;
  // compactions leave it free once the disk has been full.
  uint64_t min_free_disk_bytes = uint64_t{256} << 20;
  // Where the store says that it stops or resumes accepting writes, once per
  // change; null: stderr (engine/write_gate.h).
  std::function<void(absl::string_view level, absl::string_view message)> log;
  // Null: appends are not observed.
  AppendObserver on_append;
  // Null: group commits are not observed.
  GroupObserver on_group_written;
  // Append computes the workflow's transitions on the caller's thread and
  // the sequencer only checks them (engine/commit/prepare.h). false: the
  // sequencer computes every one (the serial path), for comparison.
  bool prepare_transitions = true;
  // Recorded times never go backwards. Open refuses (FAILED_PRECONDITION) a
  // clock that reads before the last recorded time, unless this is set and
  // moves the clock on: called with that time, OK if it did (checked again).
  std::function<absl::Status(absl::Time last_recorded)> clock_behind;
  // A store written under a test clock (Clock::IsTestClock) holds a test's
  // times: Open refuses it under any other clock unless this is true.
  bool accept_test_clock_store = false;
  // What an access record written before the access log was chained says:
  // who read (the actor) and the application's detail. Open chains such
  // records (store/access_chain.h); a store that holds some does not open
  // without this reader.
  struct LegacyAccess {
    std::string actor;
    std::string detail;
  };
  using LegacyAccessReader =
      std::function<absl::StatusOr<LegacyAccess>(absl::string_view record)>;
  LegacyAccessReader read_legacy_access;
  // The master key that wraps each stream's key, and the keys it replaced
  // while rotating (engine/master_key.h). Set: every event's erasable fields
  // are sealed at rest under its stream's key and opened on read
  // (docs/privacy.md, "Sealing at rest"); Open refuses another master key,
  // and rewraps every stream key under the current one when the store was
  // sealed with a previous one. Null: nothing is sealed, and Open refuses a
  // store that holds sealed events.
  std::shared_ptr<const MasterKeyring> master_keys;
};

// Which access records EventStore::ReadAccessLog visits.
struct AccessQuery {
  std::string stream_id;                   // empty: every stream's
  std::string actor;                       // empty: every actor's
  absl::Time from = absl::InfinitePast();  // inclusive
  absl::Time to = absl::InfiniteFuture();  // exclusive
  // Empty: from the newest; else what a previous read of the same query
  // returned, to go on after it.
  std::string after;
};

// One backup of a store (EventStore::Backup, RestoreStore).
struct StoreBackup {
  uint32_t id = 0;  // within its directory, counting from 1
  // Every event up to this position is in the backup (it may hold a few
  // written while it was taken), and its chain head is `chain_head`.
  uint64_t covers_position = 0;
  std::string chain_head;  // 32 raw bytes
  uint64_t bytes = 0;      // of its files, shared ones included
  uint32_t files = 0;
  absl::Time taken;
};

// Restores the newest backup in `backup_dir` into `store_path`, which must
// not exist or be empty (FAILED_PRECONDITION otherwise). Open the store and
// Verify it before serving.
absl::StatusOr<StoreBackup> RestoreStore(const std::string& backup_dir,
                                         const std::string& store_path);

struct ProposedEvent {
  // When it happened legally. Required: InfinitePast means "not set".
  absl::Time effective_time = absl::InfinitePast();
  // The domain message. Required (a non-empty type_url).
  google::protobuf::Any payload;
};

// Who made an idempotency key. The engine's own keys (a timer's firing) are
// kept apart from callers', so no caller can claim one, however it is spelled.
enum class KeyOwner { kCaller, kEngine };

struct AppendRequest {
  std::string stream_id;
  // nullopt: any version; 0: the stream must not exist yet; n: it is at n.
  std::optional<uint64_t> expected_version;
  // Optional. Global among its owner's keys: a repeat of the same request
  // (stream, and each event's payload and effective time) returns the first
  // result and appends nothing; the key used for any other request is
  // ALREADY_EXISTS.
  std::string idempotency_key;
  // Only engine code that makes its own keys sets kEngine.
  KeyOwner key_owner = KeyOwner::kCaller;
  std::string principal;
  std::string correlation_id;
  std::string causation_id;
  std::vector<ProposedEvent> events;
  // Optional: a check made inside the write, against the stream's record as
  // the write sees it (version 0: no stream yet), after expected_version. An
  // error refuses the append and writes nothing. It runs on the writer's
  // thread: cheap, no I/O, no locks.
  std::function<absl::Status(const returnpath::v1::StreamRecord&)> guard;
};

struct AppendResult {
  // The positions of the request's first and last events. Related events
  // (RelatedEvent in workflow.h) follow the event that caused them, so with
  // them the request's own events are not contiguous.
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  uint64_t stream_version = 0;  // the stream's version after the append
  bool deduplicated = false;
  size_t related_events = 0;  // written to other streams (0 when deduplicated)
  // Its transitions were computed off the sequencer, but a stream had moved
  // on meanwhile: the sequencer computed them again (a conflict).
  bool recomputed = false;
};

// Erasing a stream (EventStore::Erase): its key is destroyed, so the
// erasable fields of its events read as erased (docs/privacy.md); its state,
// index entries, timers and tasks are removed; a StreamErased event is its
// last. It needs two principals: an approval (EventStore::ApproveErasure) by
// one, the erasure by another.
struct EraseRequest {
  std::string stream_id;
  std::string principal;  // who erases: not who approved
  std::string reason;     // required
  std::string correlation_id;
  // The approval must be younger than this.
  absl::Duration approval_valid_for = absl::Hours(24 * 7);
  // Set: this approval stands in for a stored one (the retention policy's
  // rule, engine/retention.h), and is not consumed.
  std::optional<returnpath::v1::ErasureApproval> approval;
  // What the stream's events count in the statistics (Workflow::Classify,
  // summed by month), folded at `counted_at_version`: added to the store's
  // erased statistics in the same write. ABORTED if the stream has moved on
  // since (fold again). engine/replay.h's EraseStream fills these in.
  returnpath::v1::ErasedStatistics counted;
  uint64_t counted_at_version = 0;
};

struct EraseResult {
  uint64_t position = 0;  // of the StreamErased event
  uint64_t events_erased = 0;
  returnpath::v1::ErasureApproval approval;
};

struct EventPage {
  std::vector<returnpath::v1::EventEnvelope> events;  // `hash` filled in
  uint64_t next_position = 0;  // where the next page starts
};

// A listing of the secondary index. Either a prefix of index keys
// ("stage/OVERSTAYED", "stage/") or an inclusive range of whole keys
// ("due/2026-03-01".."due/2026-03-31"). Entries come in (key, stream) order.
struct IndexQuery {
  static IndexQuery Prefix(std::string prefix, size_t max = 1000);
  static IndexQuery Range(std::string first, std::string last,
                          size_t max = 1000);
  std::string prefix;
  std::optional<std::string> first, last;  // set for a range
  size_t max = 1000;
  std::string page_token;  // from IndexPage::next_page_token; empty = start
};

struct IndexEntry {
  std::string index_key;
  std::string stream_id;
};

struct IndexPage {
  std::vector<IndexEntry> entries;
  std::string next_page_token;  // empty when there is no more
};

// The page token that continues an index listing right after `entry` (what
// ListIndex gives when a page ends on it).
std::string IndexPageTokenAfter(const IndexEntry& entry);

// One event as the chain hashes it: its position, its hash and the exact
// stored envelope bytes (`hash` empty), for proofs checked outside the store.
struct StoredEvent {
  uint64_t position = 0;
  std::string hash;            // 32 raw bytes
  std::string envelope_bytes;  // as stored; never re-serialized
};

// A record the application keeps beside the log at a position (e.g. a signed
// note of the chain head there), read back in position order.
struct Checkpoint {
  uint64_t position = 0;
  std::string record;  // opaque to the store
};

// Progress of a long verification: checked through `position`, of `last`.
using VerifyProgress = std::function<void(uint64_t position, uint64_t last)>;

// The durable, hash-chained event log with per-stream state, timers and
// tasks. Thread-safe. Writes go through one sequencer thread in one global
// order; reads use RocksDB snapshots and never wait for it.
class EventStore {
 public:
  using AppendCallback = absl::AnyInvocable<void(absl::StatusOr<AppendResult>)>;

  // Opens or creates the store at options.path and checks the chain head.
  // DATA_LOSS if the meta record disagrees with the last stored event.
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(
      const StoreOptions& options);

  // Drains queued commands, then closes the database.
  virtual ~EventStore() = default;

  // Keeps `approval` (stream_id, approved_by, reason; approved_at is set
  // to now) for an erasure by another principal, replacing an earlier one.
  // NOT_FOUND for a stream that does not exist, FAILED_PRECONDITION for one
  // already erased.
  virtual absl::Status ApproveErasure(
      returnpath::v1::ErasureApproval approval) = 0;
  // Erases a stream (EraseRequest) in one write, then flushes every table
  // and compacts those it removed from, so that no file of the store holds
  // what was removed (the log files that held it go with the flush). NOT_FOUND
  // for an unknown stream; FAILED_PRECONDITION if it is already erased or has
  // no approval, or its approval expired; PERMISSION_DENIED if the approval
  // is the caller's own; ABORTED as EraseRequest says. Later appends to the
  // stream, and related events for it, are FAILED_PRECONDITION.
  virtual absl::StatusOr<EraseResult> Erase(EraseRequest request) = 0;
  // Keeps `hold` (stream_id, placed_by, reason; placed_at is set to now):
  // from then on Erase refuses the stream (FAILED_PRECONDITION naming the
  // hold) until LiftLegalHold. A new hold replaces the one before. NOT_FOUND
  // for a stream that does not exist, FAILED_PRECONDITION for an erased one.
  virtual absl::Status PlaceLegalHold(returnpath::v1::LegalHold hold) = 0;
  // Removes the stream's hold and returns it; NOT_FOUND if it has none.
  virtual absl::StatusOr<returnpath::v1::LegalHold> LiftLegalHold(
      absl::string_view stream_id) = 0;

  // Appends and returns once durable. INVALID_ARGUMENT naming the field,
  // ABORTED on an expected-version mismatch (message has the actual version),
  // ALREADY_EXISTS for an idempotency key used for another request, or the
  // workflow's own error unchanged (nothing is written then).
  virtual absl::StatusOr<AppendResult> Append(AppendRequest request) = 0;

  // As Append, but calls `done` on the sequencer thread once the batch is
  // durable or failed. `done` must not block. After Close, `done` runs at
  // once on the caller's thread with FAILED_PRECONDITION.
  virtual void AppendAsync(AppendRequest request, AppendCallback done) = 0;

  // Events of one stream from `from_version` (>= 1), at most `max`.
  // NOT_FOUND if the stream does not exist.
  virtual absl::StatusOr<std::vector<returnpath::v1::EventEnvelope>> ReadStream(
      absl::string_view stream_id, uint64_t from_version, size_t max) = 0;

  // Events of all streams in position order from `from_position` (>= 1).
  virtual absl::StatusOr<EventPage> ReadAll(uint64_t from_position,
                                            size_t max) = 0;

  // The stored events at `positions`, in that order, from one snapshot.
  // NOT_FOUND naming the first position that holds no event.
  virtual absl::StatusOr<std::vector<StoredEvent>> ReadStoredEvents(
      const std::vector<uint64_t>& positions) = 0;

  // Keeps `record` durably at `position` (a later one at the same position
  // replaces it); `done` gets OK once durable, or the error, on the sequencer
  // thread. ReadCheckpoints gives those at positions >= `from_position` in
  // position order, at most `max`.
  virtual void PutCheckpointAsync(
      uint64_t position, std::string record,
      absl::AnyInvocable<void(absl::Status)> done) = 0;
  virtual absl::StatusOr<std::vector<Checkpoint>> ReadCheckpoints(
      uint64_t from_position, size_t max) = 0;

  // The stream's version, position and workflow state. NOT_FOUND if none.
  virtual absl::StatusOr<returnpath::v1::StreamRecord> GetStreamRecord(
      absl::string_view stream_id) = 0;

  // The position of the last durable event; 0 when empty.
  virtual uint64_t LastPosition() = 0;

  virtual absl::StatusOr<IndexPage> ListIndex(const IndexQuery& query) = 0;

  // Armed timers. By stream (id order), or by due time in [from, to) in due
  // order, at most `max`.
  virtual absl::StatusOr<std::vector<returnpath::v1::Timer>> TimersForStream(
      absl::string_view stream_id) = 0;
  virtual absl::StatusOr<std::vector<returnpath::v1::Timer>> TimersDue(
      absl::Time from, absl::Time to, size_t max) = 0;
  // The due timers that sort after `after` (by due time, stream, id), before
  // `to`. Paging on from the last timer read skips the deleted timers before
  // it, which a scan from the start steps over again on every page.
  virtual absl::StatusOr<std::vector<returnpath::v1::Timer>> TimersDueAfter(
      const returnpath::v1::Timer& after, absl::Time to, size_t max) = 0;

  // Tasks of a stream in any state (id order); one task (NOT_FOUND if none);
  // the OPEN tasks of a queue in serving order (priority, then due time).
  virtual absl::StatusOr<std::vector<returnpath::v1::Task>> TasksForStream(
      absl::string_view stream_id) = 0;
  virtual absl::StatusOr<returnpath::v1::Task> GetTask(
      absl::string_view stream_id, absl::string_view task_id) = 0;
  virtual absl::StatusOr<std::vector<returnpath::v1::Task>> ReadyTasks(
      absl::string_view queue, size_t max) = 0;

  // Re-hashes positions [from, to] (to = 0: the last event) and checks the
  // chain, dense positions, the stream index, and, when the range reaches the
  // end, the chain head in meta. DATA_LOSS naming the first bad position.
  // BadPositionOf reads that position.
  virtual absl::Status Verify(uint64_t from, uint64_t to,
                              const VerifyProgress& progress) = 0;

  // The access log: who read which stream, and when, hash-chained like the
  // event log (store/access_chain.h). LogAccessAsync writes one record per
  // stream at the write's time, in one durable write: `actor` is who read,
  // `detail` the application's own record of how and why. `done` gets OK once
  // durable, or the error, on the sequencer thread (at once, on the caller's,
  // when `stream_ids` is empty). Neither may block.
  virtual void LogAccessAsync(std::vector<std::string> stream_ids,
                              std::string actor, std::string detail,
                              absl::AnyInvocable<void(absl::Status)> done) = 0;
  // Visits the records `query` selects, newest first, until `visit` returns
  // false. Returns where a next read goes on (AccessQuery::after) if it
  // stopped with more left, else empty.
  virtual absl::StatusOr<std::string> ReadAccessLog(
      const AccessQuery& query,
      absl::FunctionRef<bool(const returnpath::v1::AccessEntry&)> visit) = 0;
  // Walks the whole access log at one snapshot: its chain, its end in meta
  // and its indexes. The number of records checked, or DATA_LOSS naming the
  // first bad one.
  virtual absl::StatusOr<uint64_t> VerifyAccessLog(
      const VerifyProgress& progress) = 0;

  // A consistent view of every table as of now, for jobs that read ranges
  // the calls above do not offer. FAILED_PRECONDITION once closed. The view
  // must be released before Close.
  virtual absl::StatusOr<std::unique_ptr<StoreView>> Snapshot() = 0;

  // Maintenance for benchmarks and tools. SyncLog makes every write durable
  // (when StoreOptions::sync is off); Flush moves every table out of memory
  // into its files, so that a reopen replays no log; Compact rewrites one
  // table's files without what deletes left behind.
  virtual absl::Status SyncLog() = 0;
  virtual absl::Status Flush() = 0;
  virtual absl::Status Compact(Table table) = 0;

  // A consistent backup of the running store into `dir` (created if
  // missing), while writes go on; it shares the table files an earlier
  // backup in `dir` already holds. Keeps the newest `keep` backups there (0:
  // all). Blocks for as long as the copy takes.
  virtual absl::StatusOr<StoreBackup> Backup(const std::string& dir,
                                             uint32_t keep = 0) = 0;

  // Cheap enough for a scrape every few seconds: RocksDB's properties and
  // one statvfs.
  virtual StoreGauges Gauges() = 0;

  // Called on the sequencer thread after every durable write (events, or
  // only timers and tasks) with the last position, e.g. to wake
  // subscriptions, task long-polls or a timer loop; before the writers are
  // answered. Must not block.
  virtual void AddCommitListener(std::function<void(uint64_t)> listener) = 0;

  // Drains queued commands, waits for reads in flight, and closes the
  // database; later calls fail with FAILED_PRECONDITION. Idempotent.
  virtual absl::Status Close() = 0;
};

// The first bad position named by a DATA_LOSS from EventStore::Verify
// (carried as the status's payload, not in its words); nullopt when it names
// none (a malformed meta record).
std::optional<uint64_t> BadPositionOf(const absl::Status& status);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_EVENT_STORE_H_
