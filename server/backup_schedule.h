#ifndef RETURNPATH_SERVER_BACKUP_SCHEDULE_H_
#define RETURNPATH_SERVER_BACKUP_SCHEDULE_H_

// The daemon's scheduled backups: every `every` of the engine's clock, an
// online backup of the store into one directory (EventStore::Backup), the
// newest `keep` kept, each logged. Runs on its own thread (ClockSchedule).

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "server/clock_schedule.h"

namespace returnpath::engine {

// A backup of `store` into `dir` (the newest `keep` kept) and how long it
// took, logged as "backed up" with who asked (`by`), or at level=error.
struct TakenBackup {
  StoreBackup backup;
  absl::Duration took;
};
absl::StatusOr<TakenBackup> BackUpAndLog(EventStore& store,
                                         const std::string& dir, uint32_t keep,
                                         absl::string_view by);

struct BackupScheduleOptions {
  std::string dir;
  absl::Duration every = absl::Hours(24);
  uint32_t keep = 7;
};

// Thread-safe. `store` and `clock` must outlive it; Stop before closing the
// store.
class BackupSchedule {
 public:
  // The first backup is taken `every` after the start.
  BackupSchedule(EventStore* store, Clock* clock,
                 BackupScheduleOptions options);

  // Waits for a backup in progress, then joins the thread. Idempotent.
  void Stop();

 private:
  const BackupScheduleOptions options_;
  ClockSchedule schedule_;  // after options_: its job reads them
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_BACKUP_SCHEDULE_H_
