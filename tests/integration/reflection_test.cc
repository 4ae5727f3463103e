// The daemon's standard services: health says SERVING, and server
// reflection lists the four returnpath services (what grpcurl relies on).

#include <algorithm>

#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::IsSupersetOf;
namespace reflection = ::grpc::reflection::v1alpha;

class StandardServicesTest : public IntegrationTest {};

TEST_F(StandardServicesTest, HealthIsServingWithoutAToken) {
  auto stub = grpc::health::v1::Health::NewStub(daemon().NewChannel());
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status =
      stub->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(StandardServicesTest, ReflectionListsTheFourServices) {
  auto stub = reflection::ServerReflection::NewStub(daemon().NewChannel());
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  auto stream = stub->ServerReflectionInfo(&ctx);
  reflection::ServerReflectionRequest request;
  request.set_list_services("");
  ASSERT_TRUE(stream->Write(request));
  reflection::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_TRUE(response.has_list_services_response()) << response.DebugString();
  std::vector<std::string> names;
  for (const auto& service : response.list_services_response().service()) {
    names.push_back(service.name());
  }
  EXPECT_THAT(
      names, IsSupersetOf(
                 {"returnpath.v1.PathwayService", "returnpath.v1.TaskService",
                  "returnpath.v1.AuditService", "returnpath.v1.AdminService"}));

  // The descriptors are served too, so a generic client can build requests.
  request.set_file_containing_symbol("returnpath.v1.PathwayService");
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_TRUE(response.has_file_descriptor_response())
      << response.DebugString();
  EXPECT_GT(response.file_descriptor_response().file_descriptor_proto_size(),
            0);
  stream->WritesDone();
  while (stream->Read(&response)) {
  }
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
}

}  // namespace
}  // namespace returnpath::integration
