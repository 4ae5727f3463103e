#ifndef RETURNPATH_ENGINE_STORE_ACCESS_CHAIN_H_
#define RETURNPATH_ENGINE_STORE_ACCESS_CHAIN_H_

// The access log's records: who read which stream and when, each record
// chained to the one before it like the events (hash_chain.h), and indexed by
// stream, by actor and by time, newest first (keys.h).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/event_store.h"
#include "returnpath/v1/engine.pb.h"
#include "store/hash_chain.h"
#include "store/store_backend.h"

namespace returnpath::engine {

struct KeyValue {
  std::string key;
  std::string value;
};

// Chains `entry` (its time, stream, actor and detail set) onto `*end`: sets
// its sequence and previous_hash, moves `*end` on to it, and returns what
// storing it writes: the record and its three index entries.
std::vector<KeyValue> ChainAccessEntry(returnpath::v1::AccessEntry entry,
                                       ChainEnd* end);

// The key of `entry` in the index `tag` (keys::kAccessBy*Tag).
std::string AccessIndexKey(char tag, const returnpath::v1::AccessEntry& entry);

// The entry a stored record holds, checked against its key's sequence;
// `*hash` (if set) gets its stored hash, `*bytes` (if set) the entry's bytes.
// DATA_LOSS naming the sequence.
absl::StatusOr<returnpath::v1::AccessEntry> ParseAccessRecord(
    uint64_t sequence, absl::string_view value,
    absl::string_view* hash = nullptr, absl::string_view* bytes = nullptr);

// The access log's end as meta records it, checked against its last record.
absl::StatusOr<ChainEnd> RecoverAccessChain(const StoreView& view);

// Walks the whole access log in `view` (a snapshot): dense sequences from 1, each
// record's hash and link, the end in meta, and that the three indexes hold
// exactly one entry per record and nothing else. DATA_LOSS naming the first
// bad record ("access record 17: ..."), else the number of records.
// `progress(done, last)` now and then.
absl::StatusOr<uint64_t> VerifyAccessChain(const StoreView& view,
                                           const VerifyProgress& progress);

// Chains the records an earlier release wrote unchained (keyed by stream,
// then time) onto `*end`, in their key order, through `read`, and removes
// them; each batch moves records and meta together, so a stopped migration
// goes on at the next open. FAILED_PRECONDITION if there are some and `read`
// is null.
absl::Status MigrateLegacyAccess(StoreBackend& backend,
                                 const StoreOptions::LegacyAccessReader& read,
                                 ChainEnd* end);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_ACCESS_CHAIN_H_
