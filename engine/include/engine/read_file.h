#ifndef RETURNPATH_ENGINE_READ_FILE_H_
#define RETURNPATH_ENGINE_READ_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace returnpath::engine {

// The whole file, bytes as they are. NOT_FOUND "cannot read <what> <path>"
// when it cannot be opened or read.
absl::StatusOr<std::string> ReadFileText(const std::string& path,
                                         absl::string_view what);

// ReadFileText, then ParseTextProto (engine/text_proto.h) into `out`, errors
// named "<what> <path>:<line>:<column>: ...".
absl::Status ReadTextProtoFile(const std::string& path, absl::string_view what,
                               google::protobuf::Message* out);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_READ_FILE_H_
