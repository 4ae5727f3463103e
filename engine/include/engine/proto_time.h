#ifndef RETURNPATH_ENGINE_PROTO_TIME_H_
#define RETURNPATH_ENGINE_PROTO_TIME_H_

// Times in their proto form, and the UTF-8 check proto3 strings need: one
// definition for the engine, the workflow, the server and the clients.

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace returnpath::engine {

// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or code points
// past U+10FFFF). Proto3 refuses to parse a string field that is not, so
// every string the engine stores in one is checked first.
bool IsUtf8(absl::string_view s);

// Converts, clamping infinite times to the Timestamp range (years 1..9999).
google::protobuf::Timestamp ToTimestamp(absl::Time t);
absl::Time FromTimestamp(const google::protobuf::Timestamp& ts);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_PROTO_TIME_H_
