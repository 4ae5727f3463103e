#include "store/hash_chain.h"

namespace returnpath::engine {

const std::string& GenesisHash() {
  static const auto* const kGenesis = new std::string(kHashSize, '\0');
  return *kGenesis;
}

std::string ChainHash(absl::string_view previous_hash,
                      absl::string_view envelope_bytes) {
  return Sha256(previous_hash, envelope_bytes);
}

}  // namespace returnpath::engine
