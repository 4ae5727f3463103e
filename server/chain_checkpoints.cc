#include "server/chain_checkpoints.h"

#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/proto_time.h"
#include "engine/rpc/log.h"
#include "engine/signature.h"
#include "engine/status_macros.h"

namespace returnpath::engine {

absl::StatusOr<std::string> CheckpointAt(EventStore& store,
                                         const SigningKey& key,
                                         uint64_t position, absl::Time time) {
  v1::ChainCheckpoint checkpoint;
  checkpoint.set_position(position);
  if (position == 0) {
    checkpoint.set_head(std::string(32, '\0'));
  } else {
    RP_ASSIGN_OR_RETURN(std::vector<StoredEvent> head,
                        store.ReadStoredEvents({position}));
    checkpoint.set_head(head.front().hash);
  }
  *checkpoint.mutable_time() = ToTimestamp(time);
  checkpoint.set_key_id(key.key_id());
  return checkpoint.SerializeAsString();
}

v1::SignedCheckpoint SignCheckpoint(const SigningKey& key,
                                    std::string checkpoint) {
  v1::SignedCheckpoint signed_checkpoint;
  signed_checkpoint.set_signature(
      key.Sign(SigningInput(kCheckpointContext, checkpoint)));
  signed_checkpoint.set_checkpoint(std::move(checkpoint));
  return signed_checkpoint;
}

CheckpointSchedule::CheckpointSchedule(EventStore* store, const SigningKey* key,
                                       Clock* clock, absl::Duration every)
    : store_(store),
      key_(key),
      clock_(clock),
      schedule_(clock, every, [this] { WriteOne(); }) {}

void CheckpointSchedule::WriteOne() {
  const uint64_t position = store_->LastPosition();
  absl::StatusOr<std::vector<Checkpoint>> latest =
      store_->ReadCheckpoints(position, 1);
  if (latest.ok() && !latest->empty() && latest->front().position == position)
    return;  // the log has not moved since the last one
  absl::StatusOr<std::string> checkpoint =
      CheckpointAt(*store_, *key_, position, clock_->Now());
  if (!checkpoint.ok()) {
    LogLine("error", "checkpoint failed",
            {{"status", checkpoint.status().ToString()}});
    return;
  }
  v1::SignedCheckpoint signed_checkpoint =
      SignCheckpoint(*key_, *std::move(checkpoint));
  store_->PutCheckpointAsync(
      position, signed_checkpoint.SerializeAsString(),
      [position](absl::Status written) {
        if (!written.ok()) {
          LogLine("error", "checkpoint failed",
                  {{"status", written.ToString()}});
          return;
        }
        LogLine("info", "checkpoint", {{"position", absl::StrCat(position)}});
      });
}

}  // namespace returnpath::engine
