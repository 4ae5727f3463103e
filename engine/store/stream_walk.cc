#include "store/stream_walk.h"

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "store/codec.h"
#include "store/keys.h"

namespace returnpath::engine {

absl::Status ReadIndexedStream(
    const StoreView& view, StreamCursor& index,
    std::vector<returnpath::v1::EventEnvelope>* events,
    absl::FunctionRef<void(std::string)> problem) {
  events->clear();
  const std::string stream(index.stream());
  for (; index.At(stream); index.Next()) {
    std::string ignored;
    uint64_t version = 0, position = 0;
    absl::string_view value = index.value();
    if (!keys::DecodeStreamVersion(index.key(), &ignored, &version) ||
        !keys::GetU64(&value, &position)) {
      problem("a stream index entry is malformed");
      continue;
    }
    absl::StatusOr<std::string> stored =
        view.Get(Table::kEvents, keys::Event(position));
    if (absl::IsNotFound(stored.status())) {
      problem(absl::StrCat("the stream index puts version ", version,
                           " at position ", position,
                           ", which holds no event"));
      continue;
    }
    RP_RETURN_IF_ERROR(stored.status());
    returnpath::v1::EventEnvelope& event = events->emplace_back();
    RP_RETURN_IF_ERROR(DecodeEventValue(position, *stored, &event));
    if (event.stream_id() != stream || event.stream_version() != version) {
      problem(absl::StrCat("the stream index puts version ", version,
                           " at position ", position, ", which holds \"",
                           event.stream_id(), "\" version ",
                           event.stream_version()));
      events->pop_back();
      continue;
    }
    RP_RETURN_IF_ERROR(view.OpenSealed(&event));
  }
  return index.status();
}

}  // namespace returnpath::engine
