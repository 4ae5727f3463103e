#include "server/backup_schedule.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/rpc/log.h"

namespace returnpath::engine {

absl::StatusOr<TakenBackup> BackUpAndLog(EventStore& store,
                                         const std::string& dir, uint32_t keep,
                                         absl::string_view by) {
  const absl::Time started = absl::Now();
  absl::StatusOr<StoreBackup> backup = store.Backup(dir, keep);
  if (!backup.ok()) {
    LogLine("error", "backup failed",
            {{"status", backup.status().ToString()}, {"by", by}});
    return backup.status();
  }
  const absl::Duration took = absl::Now() - started;
  LogLine("info", "backed up",
          {{"backup", absl::StrCat(backup->id)},
           {"covers_position", absl::StrCat(backup->covers_position)},
           {"bytes", absl::StrCat(backup->bytes)},
           {"files", absl::StrCat(backup->files)},
           {"took", absl::FormatDuration(took)},
           {"by", by}});
  return TakenBackup{*std::move(backup), took};
}

BackupSchedule::BackupSchedule(EventStore* store, Clock* clock,
                               BackupScheduleOptions options)
    : options_(std::move(options)),
      schedule_(clock, options_.every, [store, this] {
        // A failure is logged; the next backup runs on time.
        BackUpAndLog(*store, options_.dir, options_.keep, "schedule")
            .status()
            .IgnoreError();
      }) {}

void BackupSchedule::Stop() { schedule_.Stop(); }

}  // namespace returnpath::engine
