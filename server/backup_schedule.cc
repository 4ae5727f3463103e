#include "server/backup_schedule.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
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

struct BackupSchedule::Shared {
  absl::Mutex mu;
  bool stopped ABSL_GUARDED_BY(mu) = false;
  uint64_t clock_moves ABSL_GUARDED_BY(mu) = 0;
};

BackupSchedule::BackupSchedule(EventStore* store, Clock* clock,
                               BackupScheduleOptions options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      shared_(std::make_shared<Shared>()) {
  // A manual clock moves only when told: its moves wake the loop.
  clock_->AddListener([weak = std::weak_ptr<Shared>(shared_)] {
    if (std::shared_ptr<Shared> shared = weak.lock()) {
      absl::MutexLock lock(&shared->mu);
      ++shared->clock_moves;
    }
  });
  thread_ = std::thread([this] { Run(); });
}

BackupSchedule::~BackupSchedule() { Stop(); }

void BackupSchedule::Stop() {
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->stopped = true;
  }
  if (thread_.joinable()) thread_.join();
}

void BackupSchedule::Run() {
  absl::Time next = clock_->Now() + options_.every;
  for (;;) {
    {
      absl::MutexLock lock(&shared_->mu);
      const uint64_t moves = shared_->clock_moves;
      const absl::Duration wait = clock_->RealWaitFor(next);
      // Wakes on Stop, on a move of a manual clock, or when `next` comes.
      struct Wake {
        Shared* shared;
        uint64_t moves;
      } wake{shared_.get(), moves};
      shared_->mu.AwaitWithTimeout(
          absl::Condition(
              +[](Wake* w) {
                return w->shared->stopped || w->shared->clock_moves != w->moves;
              },
              &wake),
          wait);
      if (shared_->stopped) return;
    }
    if (clock_->Now() < next) continue;
    // A failure is logged; the next backup runs on time.
    BackUpAndLog(*store_, options_.dir, options_.keep, "schedule")
        .status()
        .IgnoreError();
    next = clock_->Now() + options_.every;
  }
}

}  // namespace returnpath::engine
