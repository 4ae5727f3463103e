#ifndef RETURNPATH_ENGINE_STORE_VERIFY_H_
#define RETURNPATH_ENGINE_STORE_VERIFY_H_

// Checks of the hash-chained log: the quick one on open, the full walk.

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include <vector>

#include "engine/event_store.h"
#include "store/hash_chain.h"
#include "engine/store_view.h"

namespace returnpath::engine {

// A chain's end as meta records it under `last_key` (u64) and `head_key`
// (32 bytes); {0, genesis} if absent. DATA_LOSS naming the key if malformed.
absl::StatusOr<ChainEnd> ReadChainEnd(const StoreView& view,
                                      absl::string_view last_key,
                                      absl::string_view head_key);

// Both chains' ends (the log's and the access log's) as meta records them,
// unchecked: what a group on a shared store starts from.
absl::StatusOr<ChainState> ReadChainState(const StoreView& view);
// The records ReadChainState reads.
std::vector<TableKey> ChainStateKeys();

// Reads the end of the log from meta and checks it against the last stored
// event: same position, same hash. DATA_LOSS saying what disagrees.
absl::StatusOr<ChainState> RecoverChain(const StoreView& view);

// See EventStore::Verify, over `view` (a snapshot).
absl::Status VerifyChain(const StoreView& view, uint64_t from, uint64_t to,
                         const VerifyProgress& progress);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_VERIFY_H_
