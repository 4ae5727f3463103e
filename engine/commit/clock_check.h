#ifndef RETURNPATH_ENGINE_COMMIT_CLOCK_CHECK_H_
#define RETURNPATH_ENGINE_COMMIT_CLOCK_CHECK_H_

// Engine-internal: the checks EventStore::Open makes of its clock, so that
// recorded times never go backwards and a test's times never mix with real
// ones (StoreOptions::clock_behind, accept_test_clock_store).

#include "absl/status/status.h"
#include "engine/event_store.h"
#include "store/hash_chain.h"
#include "store/store_backend.h"

namespace returnpath::engine {

// Refuses (FAILED_PRECONDITION, naming both times) a clock behind the
// recorded time of the event at `chain.last_position`, and a store written
// under a test clock opened under another one (unless accepted); marks the
// store when a test clock opens it.
absl::Status CheckClock(StoreBackend& backend, const StoreOptions& options,
                        const ChainState& chain);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_COMMIT_CLOCK_CHECK_H_
