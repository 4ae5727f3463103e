#include "replay/log_lookup.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "store/codec.h"
#include "store/keys.h"

namespace returnpath::engine {
namespace {

absl::Status NoEventAt(uint64_t position) {
  return absl::NotFoundError(
      absl::StrCat("there is no event at position ", position));
}

}  // namespace

absl::StatusOr<returnpath::v1::EventEnvelope> ViewEvents::EventAt(
    uint64_t position) const {
  RP_ASSIGN_OR_RETURN(
      returnpath::v1::EventEnvelope event,
      EventForLookup(position,
                     view_.Get(Table::kEvents, keys::Event(position))));
  RP_RETURN_IF_ERROR(view_.OpenSealed(&event));
  return event;
}

absl::StatusOr<uint64_t> ViewEvents::PositionOf(absl::string_view stream_id,
                                                uint64_t version) const {
  return PositionForLookup(
      stream_id, version,
      view_.Get(Table::kStreams, keys::StreamVersion(stream_id, version)));
}

absl::StatusOr<returnpath::v1::EventEnvelope> StoreEvents::EventAt(
    uint64_t position) const {
  RP_ASSIGN_OR_RETURN(EventPage page, store_.ReadAll(position, 1));
  if (page.events.empty() || page.events.front().position() != position) {
    return NoEventAt(position);
  }
  returnpath::v1::EventEnvelope event = std::move(page.events.front());
  event.clear_hash();
  event.clear_previous_hash();
  return event;
}

absl::StatusOr<uint64_t> StoreEvents::PositionOf(absl::string_view stream_id,
                                                 uint64_t version) const {
  absl::StatusOr<std::vector<returnpath::v1::EventEnvelope>> events =
      store_.ReadStream(stream_id, version, 1);
  if (events.ok() && !events->empty() &&
      events->front().stream_version() == version) {
    return events->front().position();
  }
  if (!events.ok() && !absl::IsNotFound(events.status())) {
    return events.status();
  }
  return NoSuchVersion(stream_id, version);
}

}  // namespace returnpath::engine
