#ifndef RETURNPATH_ENGINE_TEXT_PROTO_H_
#define RETURNPATH_ENGINE_TEXT_PROTO_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace returnpath::engine {

// Parses protobuf text format into `out`. INVALID_ARGUMENT naming where the
// first error is: "<source>:<line>:<column>: <what protobuf says>".
absl::Status ParseTextProto(absl::string_view text, absl::string_view source,
                            google::protobuf::Message* out);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_TEXT_PROTO_H_
