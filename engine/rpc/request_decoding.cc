#include "engine/rpc/request_decoding.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/unknown_field_set.h"

namespace returnpath::engine::request_decoding {
namespace {

// The largest field number protobuf allows; no returnpath message uses it.
constexpr int kUndecodableField = 536870911;

}  // namespace

void MarkUndecodable(google::protobuf::Message* request) {
  request->GetReflection()->MutableUnknownFields(request)->AddVarint(
      kUndecodableField, 1);
}

bool IsUndecodable(const google::protobuf::Message& request) {
  const google::protobuf::UnknownFieldSet& unknown =
      request.GetReflection()->GetUnknownFields(request);
  for (int i = 0; i < unknown.field_count(); ++i) {
    if (unknown.field(i).number() == kUndecodableField) return true;
  }
  return false;
}

grpc::Status Refusal(const google::protobuf::Message& request) {
  return grpc::Status(
      grpc::StatusCode::INVALID_ARGUMENT,
      absl::StrCat("request: the bytes are not a ",
                   request.GetDescriptor()->full_name(), " message"));
}

int MethodIndex(absl::string_view service, absl::string_view method) {
  const google::protobuf::ServiceDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          std::string(service));
  const google::protobuf::MethodDescriptor* found =
      descriptor == nullptr ? nullptr
                            : descriptor->FindMethodByName(std::string(method));
  if (found == nullptr) {
    std::fprintf(stderr, "DecodeGuards: %s has no method %s\n",
                 std::string(service).c_str(), std::string(method).c_str());
    std::abort();
  }
  return found->index();
}

}  // namespace returnpath::engine::request_decoding
