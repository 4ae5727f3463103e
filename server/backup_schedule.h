#ifndef RETURNPATH_SERVER_BACKUP_SCHEDULE_H_
#define RETURNPATH_SERVER_BACKUP_SCHEDULE_H_

// The daemon's scheduled backups: every `every` of the engine's clock, an
// online backup of the store into one directory (EventStore::Backup), the
// newest `keep` kept, each logged. Runs on its own thread.

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/clock.h"
#include "engine/event_store.h"

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
  ~BackupSchedule();  // Stop()
  BackupSchedule(const BackupSchedule&) = delete;
  BackupSchedule& operator=(const BackupSchedule&) = delete;

  // Waits for a backup in progress, then joins the thread. Idempotent.
  void Stop();

 private:
  struct Shared;  // what the clock's listener may still touch after Stop
  void Run();

  EventStore* const store_;
  Clock* const clock_;
  const BackupScheduleOptions options_;
  std::shared_ptr<Shared> shared_;
  std::thread thread_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_BACKUP_SCHEDULE_H_
