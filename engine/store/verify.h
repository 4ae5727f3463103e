#ifndef RETURNPATH_ENGINE_STORE_VERIFY_H_
#define RETURNPATH_ENGINE_STORE_VERIFY_H_

// Checks of the hash-chained log: the quick one on open, the full walk.

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/event_store.h"
#include "store/hash_chain.h"
#include "store/store_db.h"

namespace returnpath::engine {

// Reads the end of the log from meta and checks it against the last stored
// event: same position, same hash. DATA_LOSS saying what disagrees.
absl::StatusOr<ChainState> RecoverChain(const StoreDb& db);

// See EventStore::Verify. Reads one snapshot.
absl::Status VerifyChain(const StoreDb& db, uint64_t from, uint64_t to,
                         const VerifyProgress& progress);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_VERIFY_H_
