#ifndef RETURNPATH_SERVER_CHAIN_CHECKPOINTS_H_
#define RETURNPATH_SERVER_CHAIN_CHECKPOINTS_H_

// Signed checkpoints of the event log's head (export.proto, ChainCheckpoint):
// one seals each export, and CheckpointSchedule keeps one in the store at an
// interval, so that an export of the range between two proves that the log
// was not rewritten between them (docs/signed-export.md).

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "returnpath/v1/export.pb.h"
#include "server/clock_schedule.h"
#include "server/signing_key.h"

namespace returnpath::engine {

// The serialized ChainCheckpoint of the log at `position` (the hash of the
// event there; 32 zero bytes at 0) at `time`, naming `key`.
absl::StatusOr<std::string> CheckpointAt(EventStore& store,
                                         const SigningKey& key,
                                         uint64_t position, absl::Time time);

// `checkpoint` (serialized) with its signature.
v1::SignedCheckpoint SignCheckpoint(const SigningKey& key,
                                    std::string checkpoint);

// Writes a signed checkpoint of the log's head every `every` of `clock`,
// unless the store already holds one at that position; each is logged.
// Thread-safe; everything given must outlive it. Stop before closing the
// store.
class CheckpointSchedule {
 public:
  // REQUIRES: every > 0.
  CheckpointSchedule(EventStore* store, const SigningKey* key, Clock* clock,
                     absl::Duration every);
  void Stop() { schedule_.Stop(); }

 private:
  void WriteOne();

  EventStore* const store_;
  const SigningKey* const key_;
  Clock* const clock_;
  ClockSchedule schedule_;  // last: its thread uses the members above
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_CHAIN_CHECKPOINTS_H_
