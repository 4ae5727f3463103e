#ifndef RETURNPATH_ENGINE_STORE_KEYS_H_
#define RETURNPATH_ENGINE_STORE_KEYS_H_

// The RocksDB layout of the event store: column family names and key
// encodings, in one place so the timer loop, task leasing and tools agree.
//
// Integers are big-endian so byte order is numeric order. Signed values are
// biased first (times: int64 Unix micros + 2^63; priorities: int32 + 2^31),
// so earlier times and lower priorities sort first. Strings inside composite
// keys end with '\0'; stream ids, timer and task ids, queue names and index
// keys therefore never contain '\0' (the append path rejects them).
//
//   cf           key                                          value
//   events       u64 position                                 hash(32) ||
//   EventEnvelope bytes (hash empty) streams      stream \0 u64 version u64
//   position state        stream StreamRecord timers       time due, stream \0
//   timer_id                 Timer timer_ids    stream \0 timer_id time due
//   (finds the timers key) tasks        stream \0 task_id Task (kept after
//   closing) task_ready   queue \0 i32 priority, time due, stream \0 task_id
//                                                             empty; present
//                                                             iff the task is
//                                                             OPEN
//   idempotency  a caller's key as given, or 0xff engine key  IdempotencyRecord
//   (codec.h) index        index_key \0 stream                          empty
//   access_log   the access log (store/access_chain.h): 0x01 u64 sequence
//   -> hash(32) || AccessEntry bytes, and three indexes, newest first: 0x02
//   stream \0, 0x03 actor \0, 0x04 (every entry), each followed by the
//   inverted time and inverted sequence, value empty
//   meta         "last_position" u64, "chain_head" 32 bytes, "schema_version"
//   u64, "state_schema" text, "access_last" u64, "access_head" 32 bytes,
//   "checkpoint/" u64 position -> the application's checkpoint record,
//   "master_key_check" MasterKeyCheck (engine/stream_keys.h)
//   keys         stream                                       EncodeWrappedKey
//   of the stream's data key (store/sealing.h); absent: no event of the
//   stream is sealed, or the stream was erased
//
// The `default` column family exists (RocksDB requires it) and stays empty.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace returnpath::engine::keys {

inline constexpr char kEvents[] = "events";
inline constexpr char kStreams[] = "streams";
inline constexpr char kState[] = "state";
inline constexpr char kTimers[] = "timers";
inline constexpr char kTimerIds[] = "timer_ids";
inline constexpr char kTasks[] = "tasks";
inline constexpr char kTaskReady[] = "task_ready";
inline constexpr char kIdempotency[] = "idempotency";
inline constexpr char kIndex[] = "index";
inline constexpr char kAccessLog[] = "access_log";
inline constexpr char kMeta[] = "meta";
inline constexpr char kKeys[] = "keys";

// Every column family above, in a fixed order (see Table).
const std::vector<std::string>& ColumnFamilies();

inline constexpr char kMetaLastPosition[] = "last_position";
inline constexpr char kMetaChainHead[] = "chain_head";
inline constexpr char kMetaSchemaVersion[] = "schema_version";
// Workflow::StateSchema() of the states stored; absent in stores written
// before it was kept.
inline constexpr char kMetaStateSchema[] = "state_schema";
// "test": the store was written under a test clock (Clock::IsTestClock).
inline constexpr char kMetaClock[] = "clock";
// Never holds a value: deleted without the log to keep a memtable filled
// (WriteGate).
inline constexpr char kMetaLogKeeper[] = "log_keeper";
// The access log's end: its last sequence and that record's hash.
inline constexpr char kMetaAccessLast[] = "access_last";
inline constexpr char kMetaAccessHead[] = "access_head";
// Checkpoints (EventStore::PutCheckpointAsync): this prefix, then the u64
// position.
inline constexpr char kMetaCheckpointPrefix[] = "checkpoint/";
// MasterKeyCheck of the master key that wrapped the stream keys; absent in
// a store that never sealed.
inline constexpr char kMetaMasterKeyCheck[] = "master_key_check";
// What erased streams counted in the statistics (ErasedStatistics).
inline constexpr char kMetaErasedStatistics[] = "erased_statistics";
// An erasure's approval (ErasureApproval): this prefix, then the stream id.
inline constexpr char kMetaErasureApprovalPrefix[] = "erasure_approval/";
// A legal hold (LegalHold): this prefix, then the stream id.
inline constexpr char kMetaLegalHoldPrefix[] = "legal_hold/";
inline constexpr uint64_t kSchemaVersion = 1;

// Primitive encoders. Get* return false if `in` is too short and otherwise
// consume what they read.
void PutU64(std::string* out, uint64_t v);
void PutI32(std::string* out, int32_t v);
void PutTime(std::string* out, absl::Time t);  // saturates infinite times
bool GetU64(absl::string_view* in, uint64_t* v);

// The smallest key greater than every key that starts with `prefix`; empty
// means "no bound".
std::string PrefixEnd(std::string prefix);
bool GetTime(absl::string_view* in, absl::Time* t);
std::string U64(uint64_t v);

// events
std::string Event(uint64_t position);
bool DecodeEvent(absl::string_view key, uint64_t* position);

// streams
std::string StreamPrefix(absl::string_view stream);  // stream \0
std::string StreamVersion(absl::string_view stream, uint64_t version);
bool DecodeStreamVersion(absl::string_view key, std::string* stream,
                         uint64_t* version);

// timer_ids and tasks: stream \0 id
std::string StreamItem(absl::string_view stream, absl::string_view id);
bool DecodeStreamItem(absl::string_view key, std::string* stream,
                      std::string* id);

// timers
std::string TimerDue(absl::Time due, absl::string_view stream,
                     absl::string_view id);
std::string TimeOnly(absl::Time t);  // a bound for scanning `timers`
bool DecodeTimerDue(absl::string_view key, absl::Time* due, std::string* stream,
                    std::string* id);

// task_ready
std::string QueuePrefix(absl::string_view queue);  // queue \0
std::string TaskReady(absl::string_view queue, int32_t priority, absl::Time due,
                      absl::string_view stream, absl::string_view id);
bool DecodeTaskReady(absl::string_view key, std::string* queue,
                     std::string* stream, std::string* id);
// A ready entry's queue (a view into `key`) and due time, without copying.
bool DecodeTaskReadyDue(absl::string_view key, absl::string_view* queue,
                        absl::Time* due);

// keys: the stream id as it is.
std::string StreamKey(absl::string_view stream);

// idempotency. A caller's key is stored as given: it is UTF-8 (the append
// path checks), which never holds a 0xff byte, so no caller's key can reach
// an engine key, stored behind one.
std::string CallerIdempotency(absl::string_view key);
std::string EngineIdempotency(absl::string_view key);

// index
std::string IndexEntry(absl::string_view index_key, absl::string_view stream);
bool DecodeIndexEntry(absl::string_view key, std::string* index_key,
                      std::string* stream);

// access_log. Index keys end with the entry's time and sequence, both
// inverted, so that a forward scan reads the newest first.
inline constexpr char kAccessRecordTag = '\x01';
inline constexpr char kAccessByStreamTag = '\x02';
inline constexpr char kAccessByActorTag = '\x03';
inline constexpr char kAccessByTimeTag = '\x04';
// Records written before the log was chained were keyed stream \0 time
// sequence; stream ids never start with a byte below this one.
inline constexpr char kAccessLegacyStart[] = "\x05";
std::string AccessRecord(uint64_t sequence);
bool DecodeAccessRecord(absl::string_view key, uint64_t* sequence);
// tag name \0; for kAccessByTimeTag, the tag alone.
std::string AccessIndexPrefix(char tag, absl::string_view name = "");
std::string AccessIndex(absl::string_view prefix, absl::Time time,
                        uint64_t sequence);
// The sequence an index key ends with.
bool DecodeAccessIndexSequence(absl::string_view key, uint64_t* sequence);
// The range of index keys under `prefix` whose time is in [from, to):
// [*start, *limit) (empty limit: to the end of the table).
void AccessIndexRange(absl::string_view prefix, absl::Time from, absl::Time to,
                      std::string* start, std::string* limit);
// A record written before the log was chained.
bool DecodeLegacyAccess(absl::string_view key, std::string* stream,
                        absl::Time* time);

}  // namespace returnpath::engine::keys

#endif  // RETURNPATH_ENGINE_STORE_KEYS_H_
