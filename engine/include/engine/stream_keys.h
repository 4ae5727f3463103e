#ifndef RETURNPATH_ENGINE_STREAM_KEYS_H_
#define RETURNPATH_ENGINE_STREAM_KEYS_H_

// Each stream's events are sealed (engine/aead.h) with a data key of its own;
// the store keeps that key wrapped (sealed) by the master key
// (engine/master_key.h). Forgetting the wrapped key shreds the stream.
// Rotating the master key rewraps the stream keys and leaves events alone.
// Stateless; thread-safe.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/master_key.h"

namespace returnpath::engine {

// A new stream key: 32 random bytes.
std::string NewStreamKey();

struct WrappedKey {
  std::string master_key_id;  // MasterKey::id of the key that sealed it
  std::string sealed;         // AeadSeal output
};

// A self-describing byte form for storing: a version byte (1), the id's
// length as one byte, the id, then the sealed bytes.
std::string EncodeWrappedKey(const WrappedKey& wrapped);
// DATA_LOSS "a wrapped key record is damaged: ..." when it is not that form.
absl::StatusOr<WrappedKey> DecodeWrappedKey(absl::string_view bytes);

// `key` sealed by `master`, bound to `stream_id` and the master key's id:
// under another stream id it does not open.
WrappedKey WrapStreamKey(const MasterKey& master, absl::string_view stream_id,
                         absl::string_view key);

// The stream key inside `wrapped`. FAILED_PRECONDITION when the keyring does
// not hold the master key that wrapped it; DATA_LOSS when it does not open
// (changed bytes, or wrapped for another stream).
absl::StatusOr<std::string> UnwrapStreamKey(const MasterKeyring& keys,
                                            absl::string_view stream_id,
                                            const WrappedKey& wrapped);

// The same stream key wrapped with the keyring's current key, whichever of
// its keys wrapped it before; errors as UnwrapStreamKey.
absl::StatusOr<WrappedKey> RewrapStreamKey(const MasterKeyring& keys,
                                           absl::string_view stream_id,
                                           const WrappedKey& wrapped);

// A record a store keeps so that it is opened only with the master key that
// wrapped its stream keys: a known text sealed with `key`, named by its id.
std::string MasterKeyCheck(const MasterKey& key);

// OK if `check` (MasterKeyCheck of some key) is of the keyring's current or a
// previous key and opens. FAILED_PRECONDITION naming both keys' ids when it
// is of another key; DATA_LOSS when it names a key the keyring holds but does
// not open: the id is derived from the key, so the record itself is damaged.
absl::Status CheckMasterKey(const MasterKeyring& keys, absl::string_view check);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STREAM_KEYS_H_
