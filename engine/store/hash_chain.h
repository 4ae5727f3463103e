#ifndef RETURNPATH_ENGINE_STORE_HASH_CHAIN_H_
#define RETURNPATH_ENGINE_STORE_HASH_CHAIN_H_

// The hash chains of the event log and the access log. Each event's hash is
// SHA-256(previous event's hash || the event's stored envelope bytes), and
// the event at position 1 chains from 32 zero bytes.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "engine/digest.h"

namespace returnpath::engine {

inline constexpr size_t kHashSize = 32;

// The previous hash of the first event: 32 zero bytes.
const std::string& GenesisHash();

// A chain's end: its last position or sequence, and that link's hash. The
// access log's (store/access_chain.h) is chained like the events.
struct ChainEnd {
  uint64_t last = 0;                 // the last sequence; 0 if none
  std::string head = GenesisHash();  // that record's hash
};

// The ends of the two chained logs: the event log's last position and its
// hash, and the access log's.
struct ChainState {
  uint64_t last_position = 0;
  std::string head;  // hash of the event at last_position; genesis if none
  ChainEnd access;
};

// SHA-256(previous_hash || envelope_bytes), 32 raw bytes.
std::string ChainHash(absl::string_view previous_hash,
                      absl::string_view envelope_bytes);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_HASH_CHAIN_H_
