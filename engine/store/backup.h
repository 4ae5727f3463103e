#ifndef RETURNPATH_ENGINE_STORE_BACKUP_H_
#define RETURNPATH_ENGINE_STORE_BACKUP_H_

// Engine-internal: online backups of the store's database through RocksDB's
// BackupEngine (table files shared between the backups of one directory),
// and their restore (EventStore::Backup, RestoreStore).

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "engine/event_store.h"
#include "store/hash_chain.h"
#include "store/store_db.h"

namespace returnpath::engine {

// Backs `db` up into `dir` while writes go on; `covered` is the durable end
// of the log when it started, recorded with the backup. Keeps the newest
// `keep` backups (0: all).
absl::StatusOr<StoreBackup> BackUpStore(const StoreDb& db,
                                        const std::string& dir,
                                        const ChainState& covered,
                                        uint32_t keep);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_BACKUP_H_
