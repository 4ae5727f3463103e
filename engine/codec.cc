#include "engine/codec.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/hash_chain.h"
#include "engine/keys.h"

namespace returnpath::engine {
namespace {

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, Timestamp's valid range.
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;

}  // namespace

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  if (t == absl::InfiniteFuture()) {
    ts.set_seconds(kMaxSeconds);
    return ts;
  }
  if (t == absl::InfinitePast()) {
    ts.set_seconds(kMinSeconds);
    return ts;
  }
  int64_t seconds = absl::ToUnixSeconds(t);  // floors
  int64_t nanos = absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds));
  ts.set_seconds(std::clamp(seconds, kMinSeconds, kMaxSeconds));
  ts.set_nanos(static_cast<int32_t>(nanos));
  return ts;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

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
  return out;
}

bool DecodeIdempotency(absl::string_view value, IdempotencyRecord* record) {
  if (!keys::GetU64(&value, &record->first_position) ||
      !keys::GetU64(&value, &record->last_position) ||
      !keys::GetU64(&value, &record->stream_version)) {
    return false;
  }
  record->stream_id.assign(value.data(), value.size());
  return true;
}

}  // namespace returnpath::engine
