#ifndef RETURNPATH_SERVER_MASTER_KEYS_H_
#define RETURNPATH_SERVER_MASTER_KEYS_H_

// The master keys the daemon gives the store to seal personal fields at rest
// with (engine/master_key.h, docs/privacy.md "Sealing at rest"): from a file,
// from the environment, or a key file made in the data directory on first
// start.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/master_key.h"

namespace returnpath::engine {

inline constexpr char kMasterKeyVariable[] = "RETURNPATH_MASTER_KEY";

// Where the keys may come from.
struct MasterKeySources {
  std::string file;                         // --master_key_file; empty: none
  std::vector<std::string> previous_files;  // --previous_master_key_files
  // The value of RETURNPATH_MASTER_KEY; nullopt (or empty) if it is unset.
  std::optional<std::string> environment;
  std::string data_dir;
};

struct LoadedMasterKeys {
  std::shared_ptr<const MasterKeyring> keyring;
  // The key file made now in the data directory; empty if none was.
  std::string created;
};

// The current key from `file` or `environment` (giving both is refused as
// ambiguous: INVALID_ARGUMENT), else from `<data_dir>/master.key`, created
// (mode 0600) if absent; the previous keys from their files.
// FAILED_PRECONDITION for a file that cannot be read or that others may
// read, INVALID_ARGUMENT for text that is not a key (engine/master_key.h).
absl::StatusOr<LoadedMasterKeys> LoadMasterKeys(
    const MasterKeySources& sources);

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_MASTER_KEYS_H_
