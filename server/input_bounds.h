#ifndef RETURNPATH_SERVER_INPUT_BOUNDS_H_
#define RETURNPATH_SERVER_INPUT_BOUNDS_H_

// Size and range limits on everything a caller sends, checked before anything
// is read or written. Each error is INVALID_ARGUMENT naming the field and the
// limit, and never repeats the value (it may be megabytes, or not text).

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "returnpath/v1/services.pb.h"

namespace returnpath::engine {

// Ids and keys people type or systems generate: person, task, queue, worker,
// idempotency and correlation keys, task outcomes.
inline constexpr size_t kMaxIdBytes = 128;
// Index keys and prefixes ("due/2026-03-01"), event type URLs.
inline constexpr size_t kMaxKeyBytes = 256;
// Free text: notes, errors, and every string inside an event.
inline constexpr size_t kMaxTextBytes = 4096;
// Sealed page tokens are far shorter; anything longer is not ours.
inline constexpr size_t kMaxPageTokenBytes = 1024;
// One event's payload; well below the 4 MiB gRPC message limit, so a person's
// pathway and their centre's listing always fit in a reply.
inline constexpr size_t kMaxEventBytes = 64 * 1024;
// One person's stored pathway. It is served whole, so it must stay far below
// the 4 MiB reply limit; past it the person's events are refused, not stored
// and then unreadable. It holds the person's current facts, not their history
// (which stays in the log): a legitimate one is a few KiB.
inline constexpr size_t kMaxPathwayBytes = 1024 * 1024;
// One listing reply: a page ends early (with a token) rather than pass it, so
// it stays below the 4 MiB reply limit whatever the page size.
inline constexpr size_t kMaxListingBytes = 3 * 1024 * 1024;
// Records in one page of the access log.
inline constexpr size_t kMaxAccessPage = 1000;
// Entries of any repeated field in an event (household members, flags).
inline constexpr int kMaxRepeated = 64;
// Nesting of messages inside an event.
inline constexpr int kMaxNesting = 16;

absl::Status CheckLength(absl::string_view field, absl::string_view value,
                         size_t max);
// At most kMaxIdBytes, no control characters.
absl::Status CheckId(absl::string_view field, absl::string_view value);
// A call's purpose metadata: at most kMaxKeyBytes, no control characters.
absl::Status CheckPurpose(absl::string_view purpose);
// Unset is fine (callers say when it is required). Set: 1900-01-01 <= t <
// 2200-01-01, nanos in [0, 1e9).
absl::Status CheckTime(absl::string_view field,
                       const google::protobuf::Timestamp& time);
// Nanos in (-1e9, 1e9) with the sign of the seconds; at most 10,000 years.
absl::Status CheckDuration(absl::string_view field,
                           const google::protobuf::Duration& duration);
// The full message name an Any's type URL names ("returnpath.v1.X" for
// "type.googleapis.com/returnpath.v1.X").
std::string EventTypeName(const google::protobuf::Any& event);

// A packed event: size, type URL, and, walked by reflection over whatever
// message type it names, every string, repeated field and nesting level.
absl::Status CheckEvent(absl::string_view field,
                        const google::protobuf::Any& event);

// Every field of each request.
absl::Status CheckBounds(const v1::RecordEventRequest& request);
absl::Status CheckBounds(const v1::GetPathwayRequest& request);
absl::Status CheckBounds(const v1::ListPathwaysRequest& request);
absl::Status CheckBounds(const v1::PollTasksRequest& request);
absl::Status CheckBounds(const v1::SubscribeTasksRequest& request);
absl::Status CheckBounds(const v1::CompleteTaskRequest& request);
absl::Status CheckBounds(const v1::FailTaskRequest& request);
absl::Status CheckBounds(const v1::ReleaseTaskRequest& request);
absl::Status CheckBounds(const v1::ExtendLeaseRequest& request);
absl::Status CheckBounds(const v1::ListTasksRequest& request);
absl::Status CheckBounds(const v1::ClaimTaskRequest& request);
absl::Status CheckBounds(const v1::ListMineRequest& request);
absl::Status CheckBounds(const v1::ReassignTaskRequest& request);
absl::Status CheckBounds(const v1::RequeueTaskRequest& request);
absl::Status CheckBounds(const v1::QueueSummaryRequest& request);
absl::Status CheckBounds(const v1::HistoryRequest& request);
absl::Status CheckBounds(const v1::ExportRequest& request);
absl::Status CheckBounds(const v1::AsOfRequest& request);
absl::Status CheckBounds(const v1::ApproveErasureRequest& request);
absl::Status CheckBounds(const v1::EraseRequest& request);
absl::Status CheckBounds(const v1::LegalHoldRequest& request);
absl::Status CheckBounds(const v1::StatisticsRequest& request);
absl::Status CheckBounds(const v1::AccessLogRequest& request);
absl::Status CheckBounds(const v1::ComplianceRequest& request);

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_INPUT_BOUNDS_H_
