// Fuzzes the event store's value codec: stored event values and idempotency
// records read back from disk. Whatever decodes must encode to what decodes
// the same again.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "store/codec.h"

namespace engine = returnpath::engine;

namespace {

bool Same(const engine::IdempotencyRecord& a,
          const engine::IdempotencyRecord& b) {
  return a.stream_id == b.stream_id && a.first_position == b.first_position &&
         a.last_position == b.last_position &&
         a.stream_version == b.stream_version && a.fingerprint == b.fingerprint;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint64_t position = data[0];
  const absl::string_view value(reinterpret_cast<const char*>(data) + 1,
                                size - 1);

  absl::string_view hash, envelope_bytes;
  if (engine::SplitEventValue(position, value, &hash, &envelope_bytes).ok()) {
    if (engine::EncodeEventValue(hash, envelope_bytes) != value) std::abort();
  }
  returnpath::v1::EventEnvelope envelope;
  if (engine::DecodeEventValue(position, value, &envelope).ok()) {
    if (envelope.position() != position) std::abort();
  }

  engine::IdempotencyRecord record;
  if (engine::DecodeIdempotency(value, &record)) {
    engine::IdempotencyRecord again;
    if (!engine::DecodeIdempotency(engine::EncodeIdempotency(record), &again) ||
        !Same(record, again)) {
      std::abort();
    }
  }

  // Proto3 refuses to parse a string field that is not UTF-8: whatever
  // IsUtf8 lets the engine store must parse again.
  if (engine::IsUtf8(value)) {
    returnpath::v1::EventEnvelope probe, parsed;
    probe.set_stream_id(std::string(value));
    if (!parsed.ParseFromString(probe.SerializeAsString())) std::abort();
  }

  engine::FromTimestamp(envelope.effective_time());
  return 0;
}
