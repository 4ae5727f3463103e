// Bytes that are not the request message, sent to every RPC of the real daemon
// with a generic stub: each is refused with INVALID_ARGUMENT naming the
// message type (gRPC's own answer would be UNIMPLEMENTED with no message; see
// engine/server/request_decoding.h), and the daemon keeps serving.

#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

// A field with number 0 followed by a truncated varint: no message decodes it.
const std::string kGarbage("\x00\xff\xff\xff", 4);

struct Rpc {
  std::string path;          // "/returnpath.v1.PathwayService/RecordEvent"
  std::string request_type;  // "returnpath.v1.RecordEventRequest"
};

std::vector<Rpc> EveryRpc() {
  std::vector<Rpc> rpcs;
  for (const char* name :
       {"PathwayService", "TaskService", "AuditService", "AdminService"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            absl::StrCat("returnpath.v1.", name));
    for (int i = 0; i < service->method_count(); ++i) {
      rpcs.push_back({absl::StrCat("/", service->full_name(), "/",
                                   service->method(i)->name()),
                      service->method(i)->input_type()->full_name()});
    }
  }
  return rpcs;
}

// Sends `bytes` as the request of `path` and reads to the end.
class RawCall final
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  RawCall(grpc::GenericStub& stub, const std::string& path,
          const std::string& token, const std::string& bytes) {
    grpc::Slice slice(bytes);
    request_ = grpc::ByteBuffer(&slice, 1);
    context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context_.set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(30));
    stub.PrepareBidiStreamingCall(&context_, path, grpc::StubOptions(), this);
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&response_);
    StartCall();
  }
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

class UndecodableRequestTest : public IntegrationTest {};

TEST_F(UndecodableRequestTest, EveryRpcRefusesBytesThatAreNotItsRequest) {
  grpc::GenericStub stub(daemon().NewChannel());
  const std::vector<Rpc> rpcs = EveryRpc();
  ASSERT_EQ(rpcs.size(), 25u) << "a new RPC needs a DecodeGuards line";
  for (const Rpc& rpc : rpcs) {
    // The auditor's token: decoding is refused before any role check.
    RawCall call(stub, rpc.path, daemon().Token("auditor"), kGarbage);
    const grpc::Status status = call.Wait();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << rpc.path << ": " << status.error_message();
    EXPECT_THAT(status.error_message(),
                HasSubstr(absl::StrCat("not a ", rpc.request_type)))
        << rpc.path;
  }
  // Still serving, and a request that decodes is answered as before.
  RP_EXPECT_OK(As("auditor").Statistics(v1::StatisticsRequest()));
}

TEST_F(UndecodableRequestTest, AnEmptyRequestStillDecodes) {
  grpc::GenericStub stub(daemon().NewChannel());
  RawCall call(stub, "/returnpath.v1.AdminService/Now",
               daemon().Token("admin"), "");
  EXPECT_TRUE(call.Wait().ok());
}

}  // namespace
}  // namespace returnpath::integration
