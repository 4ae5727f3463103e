#include "testing/health.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "grpcpp/generic/generic_stub.h"

namespace returnpath::process {
namespace {

// One Check with `deadline`. Through the generic stub, so no health proto is
// needed: HealthCheckRequest{service: ""} is empty, and the answer
// HealthCheckResponse{status: SERVING (1)} is the bytes 08 01.
bool Serving(grpc::GenericStub& stub, absl::Time deadline) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(deadline));
  ctx.set_wait_for_ready(true);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                 &request, &response, [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return false;
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return false;
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return bytes == std::string("\x08\x01", 2);
}

}  // namespace

bool WaitForServing(const std::shared_ptr<grpc::Channel>& channel,
                    absl::Duration timeout) {
  grpc::GenericStub stub(channel);
  const absl::Time until = absl::Now() + timeout;
  while (absl::Now() < until) {
    if (Serving(stub, std::min(until, absl::Now() + absl::Seconds(2)))) {
      return true;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

}  // namespace returnpath::process
