#include "store/codec.h"

#include "absl/strings/str_cat.h"
#include "store/hash_chain.h"
#include "store/keys.h"

namespace returnpath::engine {
std::string EncodeEventValue(absl::string_view hash,
                             absl::string_view envelope_bytes) {
  std::string value;
  value.reserve(hash.size() + envelope_bytes.size());
  value.append(hash.data(), hash.size());
  value.append(envelope_bytes.data(), envelope_bytes.size());
  return value;
}

absl::Status SplitEventValue(uint64_t position, absl::string_view value,
                             absl::string_view* hash,
                             absl::string_view* envelope_bytes) {
  if (value.size() < kHashSize) {
    return absl::DataLossError(absl::StrCat("event at position ", position,
                                            " is shorter than its hash"));
  }
  *hash = value.substr(0, kHashSize);
  *envelope_bytes = value.substr(kHashSize);
  return absl::OkStatus();
}

absl::Status DecodeEventValue(uint64_t position, absl::string_view value,
                              returnpath::v1::EventEnvelope* out) {
  absl::string_view hash, bytes;
  absl::Status split = SplitEventValue(position, value, &hash, &bytes);
  if (!split.ok()) return split;
  if (!out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        absl::StrCat("event at position ", position, " does not parse"));
  }
  if (out->position() != position) {
    return absl::DataLossError(absl::StrCat("event at position ", position,
                                            " says it is at position ",
                                            out->position()));
  }
  out->set_hash(hash.data(), hash.size());
  return absl::OkStatus();
}

std::string EncodeIdempotency(const IdempotencyRecord& record) {
  std::string out;
  keys::PutU64(&out, record.first_position);
  keys::PutU64(&out, record.last_position);
  keys::PutU64(&out, record.stream_version);
  out.append(record.stream_id);
  // Stream ids hold no NUL, so the older records (none after the stream)
  // still decode.
  if (!record.fingerprint.empty()) {
    out.push_back('\0');
    out.append(record.fingerprint);
  }
  return out;
}

bool DecodeIdempotency(absl::string_view value, IdempotencyRecord* record) {
  if (!keys::GetU64(&value, &record->first_position) ||
      !keys::GetU64(&value, &record->last_position) ||
      !keys::GetU64(&value, &record->stream_version)) {
    return false;
  }
  const size_t end = std::min(value.find('\0'), value.size());
  record->stream_id.assign(value.data(), end);
  value.remove_prefix(end);
  if (!value.empty()) value.remove_prefix(1);
  record->fingerprint.assign(value.data(), value.size());
  return true;
}

absl::StatusOr<returnpath::v1::EventEnvelope> EventForLookup(
    uint64_t position, absl::StatusOr<std::string> stored) {
  if (absl::IsNotFound(stored.status())) {
    return absl::NotFoundError(
        absl::StrCat("there is no event at position ", position));
  }
  if (!stored.ok()) return stored.status();
  returnpath::v1::EventEnvelope event;
  absl::Status decoded = DecodeEventValue(position, *stored, &event);
  if (!decoded.ok()) return decoded;
  event.clear_hash();
  event.clear_previous_hash();
  return event;
}

absl::Status NoSuchVersion(absl::string_view stream_id, uint64_t version) {
  return absl::NotFoundError(
      absl::StrCat("stream \"", stream_id, "\" has no version ", version));
}

absl::StatusOr<uint64_t> PositionForLookup(absl::string_view stream_id,
                                           uint64_t version,
                                           absl::StatusOr<std::string> stored) {
  if (absl::IsNotFound(stored.status())) {
    return NoSuchVersion(stream_id, version);
  }
  if (!stored.ok()) return stored.status();
  absl::string_view in = *stored;
  uint64_t position = 0;
  if (!keys::GetU64(&in, &position)) {
    return absl::DataLossError(absl::StrCat("the record of version ", version,
                                            " of stream \"", stream_id,
                                            "\" is short"));
  }
  return position;
}

}  // namespace returnpath::engine
