// Fuzzes the input bounds every request passes (server/input_bounds.h):
// the first byte picks a request type, the rest are its wire bytes, decoded as
// gRPC would and checked as the service checks them. A refusal must be
// INVALID_ARGUMENT; nothing may crash, whatever the nesting or the Any inside.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/status/status.h"
#include "server/input_bounds.h"

namespace engine = returnpath::engine;
namespace v1 = returnpath::v1;

namespace {

template <typename Request>
absl::Status Check(const uint8_t* data, size_t size) {
  Request request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) {
    return absl::OkStatus();  // gRPC refuses it before the service sees it
  }
  return engine::CheckBounds(request);
}

// An event on its own, as RecordEvent carries it.
absl::Status CheckAnyEvent(const uint8_t* data, size_t size) {
  google::protobuf::Any event;
  if (!event.ParseFromArray(data, static_cast<int>(size))) {
    return absl::OkStatus();
  }
  return engine::CheckEvent("event", event);
}

// One case per CheckBounds overload of server/input_bounds.h, and the event.
// New cases go at the end: the seeds' first bytes (make_seeds.sh) name these.
absl::Status CheckOne(uint8_t which, const uint8_t* data, size_t size) {
  switch (which % 25) {
    case 0: return Check<v1::RecordEventRequest>(data, size);
    case 1: return Check<v1::GetPathwayRequest>(data, size);
    case 2: return Check<v1::ListPathwaysRequest>(data, size);
    case 3: return Check<v1::PollTasksRequest>(data, size);
    case 4: return Check<v1::SubscribeTasksRequest>(data, size);
    case 5: return Check<v1::CompleteTaskRequest>(data, size);
    case 6: return Check<v1::FailTaskRequest>(data, size);
    case 7: return Check<v1::ReleaseTaskRequest>(data, size);
    case 8: return Check<v1::ExtendLeaseRequest>(data, size);
    case 9: return Check<v1::ListTasksRequest>(data, size);
    case 10: return Check<v1::HistoryRequest>(data, size);
    case 11: return Check<v1::AsOfRequest>(data, size);
    case 12: return Check<v1::StatisticsRequest>(data, size);
    case 13: return Check<v1::AccessLogRequest>(data, size);
    case 14: return Check<v1::ClaimTaskRequest>(data, size);
    case 15: return Check<v1::ListMineRequest>(data, size);
    case 16: return Check<v1::ReassignTaskRequest>(data, size);
    case 17: return Check<v1::RequeueTaskRequest>(data, size);
    case 18:
      return CheckAnyEvent(data, size);
    case 19:
      return Check<v1::QueueSummaryRequest>(data, size);
    case 20:
      return Check<v1::ExportRequest>(data, size);
    case 21:
      return Check<v1::ComplianceRequest>(data, size);
    case 22:
      return Check<v1::ApproveErasureRequest>(data, size);
    case 23:
      return Check<v1::EraseRequest>(data, size);
    default:
      return Check<v1::LegalHoldRequest>(data, size);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const absl::Status status = CheckOne(data[0], data + 1, size - 1);
  if (!status.ok() && !absl::IsInvalidArgument(status)) std::abort();
  return 0;
}
