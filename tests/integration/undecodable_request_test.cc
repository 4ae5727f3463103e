// Bytes that are not the request message, sent to every RPC of the real daemon
// with a generic stub: each is refused with INVALID_ARGUMENT naming the
// message type (gRPC's own answer would be UNIMPLEMENTED with no message; see
// engine/rpc/request_decoding.h), and the daemon keeps serving.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "tests/integration/fixture.h"
#include "tests/testing/raw_rpc.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

// A field with number 0 followed by a truncated varint: no message decodes it.
const std::string kGarbage("\x00\xff\xff\xff", 4);

using ::returnpath::testing::EveryRpc;
using ::returnpath::testing::RawCall;
using ::returnpath::testing::Rpc;

class UndecodableRequestTest : public IntegrationTest {};

TEST_F(UndecodableRequestTest, EveryRpcRefusesBytesThatAreNotItsRequest) {
  grpc::GenericStub stub(daemon().NewChannel());
  const std::vector<Rpc> rpcs = EveryRpc();
  ASSERT_EQ(rpcs.size(), 41u) << "a new RPC needs a DecodeGuards line";
  for (const Rpc& rpc : rpcs) {
    // The auditor's token: decoding is refused before any role check.
    RawCall call(stub, rpc.path, daemon().Token("auditor"), kGarbage);
    const grpc::Status status = call.Wait();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << rpc.path << ": " << status.error_message();
    EXPECT_THAT(status.error_message(),
                HasSubstr(absl::StrCat("not a ", rpc.method->input_type()->full_name())))
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
