#ifndef RETURNPATH_TESTS_TESTING_RAW_RPC_H_
#define RETURNPATH_TESTS_TESTING_RAW_RPC_H_

// Calling the daemon's RPCs with raw request bytes (grpc::GenericStub), for
// tests and fuzzers that send what no generated stub would.

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"

namespace returnpath::testing {

struct Rpc {
  std::string path;  // "/returnpath.v1.PathwayService/RecordEvent"
  const google::protobuf::MethodDescriptor* method;
};

// Every RPC of the four services, in their declaration order.
inline std::vector<Rpc> EveryRpc() {
  std::vector<Rpc> rpcs;
  for (const char* name :
       {"PathwayService", "TaskService", "AuditService", "AdminService"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            absl::StrCat("returnpath.v1.", name));
    if (service == nullptr) std::abort();
    for (int i = 0; i < service->method_count(); ++i) {
      rpcs.push_back({absl::StrCat("/", service->full_name(), "/",
                                   service->method(i)->name()),
                      service->method(i)});
    }
  }
  return rpcs;
}

// One call with `bytes` as its request (and `token` as bearer, unless
// empty), every reply read until the status.
class RawCall final
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  RawCall(grpc::GenericStub& stub, const std::string& path,
          const std::string& token, const void* bytes, size_t size,
          std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
    grpc::Slice slice(bytes, size);
    request_ = grpc::ByteBuffer(&slice, 1);
    if (!token.empty()) {
      context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    }
    context_.set_deadline(std::chrono::system_clock::now() + deadline);
    stub.PrepareBidiStreamingCall(&context_, path, grpc::StubOptions(), this);
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&response_);
    StartCall();
  }
  RawCall(grpc::GenericStub& stub, const std::string& path,
          const std::string& token, const std::string& bytes)
      : RawCall(stub, path, token, bytes.data(), bytes.size()) {}

  grpc::Status Wait() {
    done_.WaitForNotification();
    return status_;
  }
  void OnReadDone(bool ok) override {
    if (ok) StartRead(&response_);
  }
  void OnDone(const grpc::Status& status) override {
    status_ = status;
    done_.Notify();
  }

 private:
  grpc::ClientContext context_;
  grpc::ByteBuffer request_, response_;
  grpc::Status status_;
  absl::Notification done_;
};

}  // namespace returnpath::testing

#endif  // RETURNPATH_TESTS_TESTING_RAW_RPC_H_
