#ifndef RETURNPATH_SERVER_RETENTION_SCHEDULE_H_
#define RETURNPATH_SERVER_RETENTION_SCHEDULE_H_

// Runs the retention pass (engine/retention.h) every `every` of the daemon's
// clock as "system:retention", and logs what it erased, found held, or
// failed to erase (counts only: the log names no person).

#include "absl/time/time.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/workflow.h"
#include "server/clock_schedule.h"

namespace returnpath::engine {

class RetentionSchedule {
 public:
  // All three must outlive it. REQUIRES: every > 0.
  RetentionSchedule(EventStore* store, const Workflow* workflow, Clock* clock,
                    absl::Duration every);

 private:
  ClockSchedule schedule_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_RETENTION_SCHEDULE_H_
