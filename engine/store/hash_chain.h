#ifndef RETURNPATH_ENGINE_STORE_HASH_CHAIN_H_
#define RETURNPATH_ENGINE_STORE_HASH_CHAIN_H_

// The event log's hash chain: each event's hash is
// SHA-256(previous event's hash || the event's stored envelope bytes), and
// the event at position 1 chains from 32 zero bytes.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "engine/digest.h"

namespace returnpath::engine {

inline constexpr size_t kHashSize = 32;

// The end of the event log: the last position and its hash.
struct ChainState {
  uint64_t last_position = 0;
  std::string head;  // hash of the event at last_position; genesis if none
};

// The previous hash of the first event: 32 zero bytes.
const std::string& GenesisHash();

// SHA-256(previous_hash || envelope_bytes), 32 raw bytes.
std::string ChainHash(absl::string_view previous_hash,
                      absl::string_view envelope_bytes);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_HASH_CHAIN_H_
