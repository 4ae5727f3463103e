#include "replay/read_stream.h"

#include <utility>

#include "engine/status_macros.h"

namespace returnpath::engine {

absl::StatusOr<std::vector<returnpath::v1::EventEnvelope>> ReadStreamEvents(
    EventStore& store, absl::string_view stream_id,
    absl::FunctionRef<Take(const returnpath::v1::EventEnvelope&)> take) {
  constexpr size_t kPage = 1000;
  std::vector<returnpath::v1::EventEnvelope> taken;
  for (uint64_t from = 1;;) {
    RP_ASSIGN_OR_RETURN(std::vector<returnpath::v1::EventEnvelope> events,
                        store.ReadStream(stream_id, from, kPage));
    for (returnpath::v1::EventEnvelope& event : events) {
      const Take t = take(event);
      if (t == Take::kStop) return taken;
      if (t == Take::kFold) taken.push_back(std::move(event));
    }
    if (events.size() < kPage) return taken;
    from = events.back().stream_version() + 1;
  }
}

}  // namespace returnpath::engine
