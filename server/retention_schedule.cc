#include "server/retention_schedule.h"

#include "absl/strings/str_cat.h"
#include "engine/retention.h"
#include "engine/rpc/log.h"

namespace returnpath::engine {
namespace {

void RunRetention(EventStore* store, const Workflow* workflow, Clock* clock) {
  absl::StatusOr<RetentionReport> report = EraseWhatRetentionAllows(
      *store, *workflow, clock->Now(), "system:retention");
  if (!report.ok()) {
    LogLine("error", "the retention pass failed",
            {{"error", std::string(report.status().message())}});
    return;
  }
  if (!report->first_error.ok()) {
    LogLine("error", "the retention pass could not erase some persons",
            {{"failed", absl::StrCat(report->failed)},
             {"first_error", std::string(report->first_error.message())}});
  }
  LogLine("info", "retention pass",
          {{"persons", absl::StrCat(report->streams)},
           {"erased", absl::StrCat(report->erased)},
           {"held", absl::StrCat(report->held)}});
}

}  // namespace

RetentionSchedule::RetentionSchedule(EventStore* store,
                                     const Workflow* workflow, Clock* clock,
                                     absl::Duration every)
    : schedule_(clock, every, [store, workflow, clock] {
        RunRetention(store, workflow, clock);
      }) {}

}  // namespace returnpath::engine
