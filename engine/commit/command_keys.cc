// CommandContext's part in sealing (store/sealing.h): an event's erasable
// fields sealed under its stream's key, made in the same write when the
// stream has none. (StreamKey, which reads the overlay, is in
// command_context.cc.)

#include <utility>

#include "commit/command_context.h"
#include "engine/status_macros.h"
#include "engine/stream_keys.h"
#include "store/keys.h"
#include "store/sealing.h"

namespace returnpath::engine {

absl::StatusOr<std::string> CommandContext::KeyToSeal(
    absl::string_view stream_id) {
  RP_ASSIGN_OR_RETURN(std::optional<std::string> found, StreamKey(stream_id));
  if (found.has_value()) return *std::move(found);
  std::string key = NewStreamKey();
  Put(Table::kKeys, keys::StreamKey(stream_id),
      EncodeWrappedKey(
          WrapStreamKey(master_keys_->current(), stream_id, key)));
  top().stream_keys.insert_or_assign(std::string(stream_id), key);
  return key;
}

absl::StatusOr<std::optional<google::protobuf::Any>>
CommandContext::SealForStore(returnpath::v1::EventEnvelope* event) {
  if (master_keys_ == nullptr) return std::nullopt;
  google::protobuf::Any plain = event->payload();
  RP_ASSIGN_OR_RETURN(
      bool sealed,
      SealEvent([&] { return KeyToSeal(event->stream_id()); }, event));
  if (!sealed) return std::nullopt;
  return std::optional<google::protobuf::Any>(std::move(plain));
}

}  // namespace returnpath::engine
