#ifndef RETURNPATH_ENGINE_MASTER_KEY_H_
#define RETURNPATH_ENGINE_MASTER_KEY_H_

// The master key that wraps every stream's data key (engine/stream_keys.h):
// read from a private file or from text, named by an id that does not reveal
// it, and kept with the keys it replaced while they are rotated out.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace returnpath::engine {

struct MasterKey {
  // 16 lowercase hex digits: the first 8 bytes of
  // SHA-256("returnpath master key" || key). Names the key in records and
  // messages without revealing it.
  std::string id;
  std::string key;  // 32 raw bytes
  // Where the key came from, for messages: "file /x/y",
  // "environment RETURNPATH_MASTER_KEY".
  std::string source;
};

// The id of a 32-byte key (see MasterKey::id).
std::string MasterKeyId(absl::string_view key);

// The key written as 64 hex digits; whitespace around them is ignored.
// INVALID_ARGUMENT "the master key from <source> is not 64 hex digits
// (32 bytes)" otherwise.
absl::StatusOr<MasterKey> MasterKeyFromText(absl::string_view text,
                                            std::string source);

// The key in `path` (as MasterKeyFromText). FAILED_PRECONDITION when the
// file cannot be read or its group or others may read it.
absl::StatusOr<MasterKey> ReadMasterKeyFile(const std::string& path);

// A new random key written to `path` as hex, mode 0600, durably.
// ALREADY_EXISTS if `path` exists: replacing a master key loses every stream
// key wrapped with it. FAILED_PRECONDITION when it cannot be written.
absl::StatusOr<MasterKey> CreateMasterKeyFile(const std::string& path);

// The key that wraps from now on, and the keys it replaces, which still
// unwrap what they wrapped until everything is rewrapped (rotation).
class MasterKeyring {
 public:
  MasterKeyring(MasterKey current, std::vector<MasterKey> previous = {});

  const MasterKey& current() const { return current_; }
  const std::vector<MasterKey>& previous() const { return previous_; }

  // The current or a previous key with this id; nullptr if none.
  const MasterKey* Find(absl::string_view id) const;

 private:
  MasterKey current_;
  std::vector<MasterKey> previous_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_MASTER_KEY_H_
