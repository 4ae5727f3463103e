#ifndef RETURNPATH_ENGINE_REPLAY_READ_STREAM_H_
#define RETURNPATH_ENGINE_REPLAY_READ_STREAM_H_

// Engine-internal: a stream's events as the store reads them now, chosen one
// by one, for the folds of one stream (as-of views, what-if).

#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/event_store.h"
#include "returnpath/v1/event.pb.h"

namespace returnpath::engine {

enum class Take { kFold, kSkip, kStop };

// `stream_id`'s events in stream order that `take` keeps, up to the first it
// stops at. NOT_FOUND, as ReadStream, for an unknown stream.
absl::StatusOr<std::vector<returnpath::v1::EventEnvelope>> ReadStreamEvents(
    EventStore& store, absl::string_view stream_id,
    absl::FunctionRef<Take(const returnpath::v1::EventEnvelope&)> take);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_REPLAY_READ_STREAM_H_
