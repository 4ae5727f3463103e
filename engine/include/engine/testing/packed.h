#ifndef RETURNPATH_ENGINE_TESTING_PACKED_H_
#define RETURNPATH_ENGINE_TESTING_PACKED_H_

#include "google/protobuf/any.pb.h"
#include "google/protobuf/message.h"

namespace returnpath::engine::testing {

// `message` packed into an Any, as events carry their payloads. Test-only.
inline google::protobuf::Any Packed(const google::protobuf::Message& message) {
  google::protobuf::Any any;
  any.PackFrom(message);
  return any;
}

}  // namespace returnpath::engine::testing

#endif  // RETURNPATH_ENGINE_TESTING_PACKED_H_
