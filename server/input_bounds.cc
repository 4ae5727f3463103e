#include "server/input_bounds.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/status_macros.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace returnpath::engine {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr int64_t kNanosPerSecond = 1000000000;
constexpr int64_t kMaxDurationSeconds = 315576000000;  // 10,000 years

int64_t UnixSeconds(int year) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(year, 1, 1), absl::UTCTimeZone()));
}

absl::Status TooLong(absl::string_view field, size_t max) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, " must be at most ", max, " bytes"));
}

absl::Status CheckString(const std::string& path, const std::string& value) {
  return CheckLength(path, value, kMaxTextBytes);
}

absl::Status CheckMessage(const Message& message, const std::string& path,
                          int depth);
absl::Status CheckPacked(const google::protobuf::Any& packed,
                         const std::string& path, int depth);

absl::Status CheckField(const Message& message, const FieldDescriptor& field,
                        const std::string& path, int depth) {
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  const bool is_string = field.cpp_type() == FieldDescriptor::CPPTYPE_STRING;
  const bool is_message = field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
  if (!field.is_repeated()) {
    if (is_string)
      return CheckString(path, reflection.GetString(message, &field));
    if (is_message) {
      return CheckMessage(reflection.GetMessage(message, &field), path,
                          depth + 1);
    }
    return absl::OkStatus();
  }
  const int size = reflection.FieldSize(message, &field);
  if (size > kMaxRepeated) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " must have at most ", kMaxRepeated, " entries"));
  }
  for (int i = 0; i < size; ++i) {
    const std::string entry = absl::StrCat(path, "[", i, "]");
    if (is_string) {
      RP_RETURN_IF_ERROR(
          CheckString(entry, reflection.GetRepeatedString(message, &field, i)));
    } else if (is_message) {
      RP_RETURN_IF_ERROR(CheckMessage(
          reflection.GetRepeatedMessage(message, &field, i), entry, depth + 1));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckMessage(const Message& message, const std::string& path,
                          int depth) {
  if (depth > kMaxNesting) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, " nests messages more than ", kMaxNesting, " levels deep"));
  }
  // Times, durations and packed messages inside an event obey the same rules
  // as the request's own (a correction carries a whole event and its time).
  if (const auto* time =
          dynamic_cast<const google::protobuf::Timestamp*>(&message)) {
    return CheckTime(path, *time);
  }
  if (const auto* duration =
          dynamic_cast<const google::protobuf::Duration*>(&message)) {
    return CheckDuration(path, *duration);
  }
  if (const auto* any = dynamic_cast<const google::protobuf::Any*>(&message)) {
    return CheckPacked(*any, path, depth);
  }
  std::vector<const FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    RP_RETURN_IF_ERROR(CheckField(
        message, *field, absl::StrCat(path, ".", field->name()), depth));
  }
  return absl::OkStatus();
}

absl::Status CheckPacked(const google::protobuf::Any& packed,
                         const std::string& path, int depth) {
  const std::string type_url_field = absl::StrCat(path, ".type_url");
  RP_RETURN_IF_ERROR(
      CheckLength(type_url_field, packed.type_url(), kMaxKeyBytes));
  RP_RETURN_IF_ERROR(CheckLength(path, packed.value(), kMaxEventBytes));
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          EventTypeName(packed));
  if (descriptor == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        type_url_field, " names no message type this server knows"));
  }
  std::unique_ptr<Message> message(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(descriptor)
          ->New());
  if (!message->ParseFromString(packed.value())) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " does not parse as the type its type_url names"));
  }
  return CheckMessage(*message, path, depth);
}

absl::Status CheckTaskRef(const v1::TaskRef& ref) {
  RP_RETURN_IF_ERROR(CheckId("task.person_id", ref.person_id()));
  RP_RETURN_IF_ERROR(CheckId("task.task_id", ref.task_id()));
  return CheckId("task.worker", ref.worker());
}

}  // namespace

absl::Status CheckLength(absl::string_view field, absl::string_view value,
                         size_t max) {
  if (value.size() > max) return TooLong(field, max);
  return absl::OkStatus();
}

namespace {

// At most `max` bytes, no control characters.
absl::Status CheckPlain(absl::string_view field, absl::string_view value,
                        size_t max) {
  RP_RETURN_IF_ERROR(CheckLength(field, value, max));
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " must not contain control characters"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckId(absl::string_view field, absl::string_view value) {
  return CheckPlain(field, value, kMaxIdBytes);
}

absl::Status CheckPurpose(absl::string_view purpose) {
  return CheckPlain("the purpose metadata", purpose, kMaxKeyBytes);
}

absl::Status CheckTime(absl::string_view field,
                       const google::protobuf::Timestamp& time) {
  static const int64_t kEarliest = UnixSeconds(1900);
  static const int64_t kLatest = UnixSeconds(2200);
  if (time.seconds() < kEarliest || time.seconds() >= kLatest ||
      time.nanos() < 0 || time.nanos() >= kNanosPerSecond) {
    return absl::InvalidArgumentError(
        absl::StrCat(field,
                     " must be from 1900-01-01 to before 2200-01-01, with "
                     "nanos from 0 to 999999999"));
  }
  return absl::OkStatus();
}

absl::Status CheckDuration(absl::string_view field,
                           const google::protobuf::Duration& duration) {
  const int64_t s = duration.seconds();
  const int32_t n = duration.nanos();
  if (s > kMaxDurationSeconds || s < -kMaxDurationSeconds ||
      n <= -kNanosPerSecond || n >= kNanosPerSecond || (s > 0 && n < 0) ||
      (s < 0 && n > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field,
        " must be at most 10000 years, with nanos of the same sign as "
        "the seconds and below 1e9"));
  }
  return absl::OkStatus();
}

std::string EventTypeName(const google::protobuf::Any& event) {
  const std::string& url = event.type_url();
  return url.substr(url.rfind('/') + 1);
}

absl::Status CheckEvent(absl::string_view field,
                        const google::protobuf::Any& event) {
  return CheckPacked(event, std::string(field), 0);
}

absl::Status CheckBounds(const v1::RecordEventRequest& request) {
  RP_RETURN_IF_ERROR(CheckId("person_id", request.person_id()));
  RP_RETURN_IF_ERROR(CheckId("idempotency_key", request.idempotency_key()));
  RP_RETURN_IF_ERROR(CheckId("correlation_id", request.correlation_id()));
  RP_RETURN_IF_ERROR(CheckTime("effective_time", request.effective_time()));
  return CheckEvent("event", request.event());
}

absl::Status CheckBounds(const v1::GetPathwayRequest& request) {
  return CheckId("person_id", request.person_id());
}

absl::Status CheckBounds(const v1::ListPathwaysRequest& request) {
  RP_RETURN_IF_ERROR(
      CheckLength("index_prefix", request.index_prefix(), kMaxKeyBytes));
  RP_RETURN_IF_ERROR(CheckLength("from_key", request.from_key(), kMaxKeyBytes));
  RP_RETURN_IF_ERROR(CheckLength("to_key", request.to_key(), kMaxKeyBytes));
  return CheckLength("page_token", request.page_token(), kMaxPageTokenBytes);
}

absl::Status CheckBounds(const v1::PollTasksRequest& request) {
  RP_RETURN_IF_ERROR(CheckId("queue", request.queue()));
  RP_RETURN_IF_ERROR(CheckId("worker", request.worker()));
  RP_RETURN_IF_ERROR(CheckDuration("lease", request.lease()));
  return CheckDuration("wait", request.wait());
}

absl::Status CheckBounds(const v1::SubscribeTasksRequest& request) {
  RP_RETURN_IF_ERROR(CheckId("queue", request.queue()));
  RP_RETURN_IF_ERROR(CheckId("worker", request.worker()));
  return CheckDuration("lease", request.lease());
}

absl::Status CheckBounds(const v1::CompleteTaskRequest& request) {
  RP_RETURN_IF_ERROR(CheckTaskRef(request.task()));
  RP_RETURN_IF_ERROR(CheckId("outcome", request.outcome()));
  RP_RETURN_IF_ERROR(CheckLength("note", request.note(), kMaxTextBytes));
  return CheckId("idempotency_key", request.idempotency_key());
}

absl::Status CheckBounds(const v1::FailTaskRequest& request) {
  RP_RETURN_IF_ERROR(CheckTaskRef(request.task()));
  return CheckLength("error", request.error(), kMaxTextBytes);
}

absl::Status CheckBounds(const v1::ReleaseTaskRequest& request) {
  return CheckTaskRef(request.task());
}

absl::Status CheckBounds(const v1::ExtendLeaseRequest& request) {
  RP_RETURN_IF_ERROR(CheckTaskRef(request.task()));
  return CheckDuration("lease", request.lease());
}

absl::Status CheckBounds(const v1::ListTasksRequest& request) {
  RP_RETURN_IF_ERROR(CheckId("queue", request.queue()));
  return CheckLength("page_token", request.page_token(), kMaxPageTokenBytes);
}

absl::Status CheckBounds(const v1::ClaimTaskRequest& request) {
  RP_RETURN_IF_ERROR(CheckTaskRef(request.task()));
  return CheckDuration("lease", request.lease());
}

absl::Status CheckBounds(const v1::QueueSummaryRequest& request) {
  return CheckId("queue", request.queue());
}

absl::Status CheckBounds(const v1::ListMineRequest&) {
  return absl::OkStatus();
}

absl::Status CheckBounds(const v1::ReassignTaskRequest& request) {
  RP_RETURN_IF_ERROR(CheckTaskRef(request.task()));
  RP_RETURN_IF_ERROR(CheckId("to_principal", request.to_principal()));
  RP_RETURN_IF_ERROR(CheckId("to_worker", request.to_worker()));
  return CheckDuration("lease", request.lease());
}

absl::Status CheckBounds(const v1::RequeueTaskRequest& request) {
  RP_RETURN_IF_ERROR(CheckTaskRef(request.task()));
  return CheckLength("reason", request.reason(), kMaxTextBytes);
}

absl::Status CheckBounds(const v1::HistoryRequest& request) {
  return CheckId("person_id", request.person_id());
}

absl::Status CheckBounds(const v1::ExportRequest& request) {
  return CheckId("person_id", request.person_id());
}

absl::Status CheckBounds(const v1::AsOfRequest& request) {
  RP_RETURN_IF_ERROR(CheckId("person_id", request.person_id()));
  RP_RETURN_IF_ERROR(CheckTime("effective_time", request.effective_time()));
  return CheckTime("recorded_time", request.recorded_time());
}

absl::Status CheckBounds(const v1::ApproveErasureRequest& request) {
  RP_RETURN_IF_ERROR(CheckId("person_id", request.person_id()));
  return CheckPlain("reason", request.reason(), kMaxTextBytes);
}

absl::Status CheckBounds(const v1::EraseRequest& request) {
  RP_RETURN_IF_ERROR(CheckId("person_id", request.person_id()));
  return CheckPlain("reason", request.reason(), kMaxTextBytes);
}

absl::Status CheckBounds(const v1::LegalHoldRequest& request) {
  RP_RETURN_IF_ERROR(CheckId("person_id", request.person_id()));
  return CheckPlain("reason", request.reason(), kMaxTextBytes);
}

absl::Status CheckBounds(const v1::StatisticsRequest& request) {
  RP_RETURN_IF_ERROR(CheckTime("from", request.from()));
  return CheckTime("to", request.to());
}

absl::Status CheckBounds(const v1::AccessLogRequest& request) {
  RP_RETURN_IF_ERROR(CheckId("person_id", request.person_id()));
  RP_RETURN_IF_ERROR(CheckId("principal", request.principal()));
  RP_RETURN_IF_ERROR(CheckTime("from", request.from()));
  RP_RETURN_IF_ERROR(CheckTime("to", request.to()));
  if (request.limit() > kMaxAccessPage) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be at most ", kMaxAccessPage));
  }
  return CheckLength("page_token", request.page_token(), kMaxPageTokenBytes);
}

absl::Status CheckBounds(const v1::ComplianceRequest& request) {
  RP_RETURN_IF_ERROR(CheckId("person_id", request.person_id()));
  RP_RETURN_IF_ERROR(CheckTime("from", request.from()));
  return CheckTime("to", request.to());
}

}  // namespace returnpath::engine
