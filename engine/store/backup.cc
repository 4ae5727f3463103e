#include "store/backup.h"

#include <filesystem>
#include <memory>
#include <system_error>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "engine/status_macros.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/backup_engine.h"

namespace returnpath::engine {
namespace {

namespace fs = std::filesystem;

// app_metadata: "<covered position> <chain head in hex>".
std::string Metadata(const ChainState& covered) {
  return absl::StrCat(covered.last_position, " ",
                      absl::BytesToHexString(covered.head));
}

absl::StatusOr<StoreBackup> FromInfo(const rocksdb::BackupInfo& info) {
  StoreBackup out;
  out.id = info.backup_id;
  out.bytes = info.size;
  out.files = info.number_files;
  out.taken = absl::FromUnixSeconds(info.timestamp);
  const std::vector<absl::string_view> parts =
      absl::StrSplit(info.app_metadata, ' ');
  if (parts.size() != 2 || parts[1].size() != 2 * kHashSize ||
      !absl::SimpleAtoi(parts[0], &out.covers_position) ||
      !absl::c_all_of(parts[1], absl::ascii_isxdigit)) {
    return absl::DataLossError(absl::StrCat(
        "backup ", info.backup_id, " does not say which position it covers"));
  }
  out.chain_head = absl::HexStringToBytes(parts[1]);
  return out;
}

}  // namespace

absl::StatusOr<StoreBackup> BackUpStore(const StoreDb& db,
                                        const std::string& dir,
                                        const ChainState& covered,
                                        uint32_t keep) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the backup directory: ", error.message()));
  }
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::BackupEngineOptions options(dir);
  options.share_table_files = true;  // incremental: unchanged files shared
  options.sync = true;
  RP_RETURN_IF_ERROR(
      FromRocks(rocksdb::BackupEngine::Open(options, db.db()->GetEnv(), &raw),
                "opening the backup directory"));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  rocksdb::CreateBackupOptions create;
  create.flush_before_backup = false;  // the log goes along: no write stalls
  rocksdb::BackupID id = 0;
  RP_RETURN_IF_ERROR(FromRocks(engine->CreateNewBackupWithMetadata(
                                   create, db.db(), Metadata(covered), &id),
                               "backing the store up"));
  if (keep > 0) {
    RP_RETURN_IF_ERROR(
        FromRocks(engine->PurgeOldBackups(keep), "removing older backups"));
  }
  rocksdb::BackupInfo info;
  RP_RETURN_IF_ERROR(
      FromRocks(engine->GetBackupInfo(id, &info), "reading the new backup"));
  return FromInfo(info);
}

absl::StatusOr<StoreBackup> RestoreStore(const std::string& backup_dir,
                                         const std::string& store_path) {
  std::error_code error;
  if (fs::exists(store_path, error) && !fs::is_empty(store_path, error)) {
    return absl::FailedPreconditionError(
        "the store to restore into is not empty: restore into a new data "
        "directory");
  }
  if (!fs::exists(backup_dir, error)) {
    return absl::NotFoundError("the backup directory does not exist");
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  RP_RETURN_IF_ERROR(FromRocks(rocksdb::BackupEngineReadOnly::Open(
                                   rocksdb::BackupEngineOptions(backup_dir),
                                   rocksdb::Env::Default(), &raw),
                               "opening the backup directory"));
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  std::vector<rocksdb::BackupInfo> backups;
  engine->GetBackupInfo(&backups);
  if (backups.empty()) {
    return absl::NotFoundError("the backup directory holds no backup");
  }
  RP_RETURN_IF_ERROR(FromRocks(
      engine->VerifyBackup(backups.back().backup_id, /*verify_with_checksum=*/
                           true),
      "checking the backup's files"));
  RP_RETURN_IF_ERROR(
      FromRocks(engine->RestoreDBFromLatestBackup(store_path, store_path),
                "restoring the backup"));
  return FromInfo(backups.back());
}

}  // namespace returnpath::engine
