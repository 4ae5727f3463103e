#ifndef RETURNPATH_ENGINE_STORE_CODEC_H_
#define RETURNPATH_ENGINE_STORE_CODEC_H_

// Value encodings of the event store that are not plain protos: the stored
// event (hash || envelope bytes) and idempotency records. Times: proto_time.h.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/proto_time.h"
#include "returnpath/v1/event.pb.h"

namespace returnpath::engine {

// The `events` value: hash (32 bytes) || envelope bytes.
std::string EncodeEventValue(absl::string_view hash,
                             absl::string_view envelope_bytes);

// Splits a stored value without parsing. DATA_LOSS naming `position` if it is
// shorter than a hash.
absl::Status SplitEventValue(uint64_t position, absl::string_view value,
                             absl::string_view* hash,
                             absl::string_view* envelope_bytes);

// Parses a stored value into `out` with `hash` filled in. DATA_LOSS naming
// `position` if the value is short, does not parse, or names another position.
absl::Status DecodeEventValue(uint64_t position, absl::string_view value,
                              returnpath::v1::EventEnvelope* out);

// The event at `position` as a workflow's EventLookup gives it, from a read
// of its stored value: without its hashes; NOT_FOUND naming the position if
// the read found none.
absl::StatusOr<returnpath::v1::EventEnvelope> EventForLookup(
    uint64_t position, absl::StatusOr<std::string> stored);

// NOT_FOUND: `stream_id` has no event at `version`.
absl::Status NoSuchVersion(absl::string_view stream_id, uint64_t version);

// The position a stream-version record holds, as EventLookup::PositionOf
// gives it, from a read of `key` (keys::StreamVersion): NOT_FOUND naming the
// stream and version if the read found none.
absl::StatusOr<uint64_t> PositionForLookup(absl::string_view stream_id,
                                           uint64_t version,
                                           absl::StatusOr<std::string> stored);

// What the `idempotency` column family remembers about a command.
struct IdempotencyRecord {
  std::string stream_id;
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  uint64_t stream_version = 0;
  // What the request asked (RequestFingerprint in append.cc); empty in the
  // records written before it was kept.
  std::string fingerprint;
};

std::string EncodeIdempotency(const IdempotencyRecord& record);
bool DecodeIdempotency(absl::string_view value, IdempotencyRecord* record);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_CODEC_H_
