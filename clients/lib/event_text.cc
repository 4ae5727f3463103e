#include "clients/lib/event_text.h"

#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "clients/lib/event_kinds.h"
#include "clients/lib/time_text.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "returnpath/v1/household.pb.h"
#include "returnpath/v1/pathway.pb.h"

namespace returnpath::client {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string TypeName(const google::protobuf::Any& any) {
  const std::string& url = any.type_url();
  return url.substr(url.rfind('/') + 1);
}

// "FinalRejectionBasis" -> "FINAL_REJECTION_BASIS_".
std::string EnumPrefix(const google::protobuf::EnumDescriptor* type) {
  std::string out;
  for (char c : type->name()) {
    if (absl::ascii_isupper(c) && !out.empty()) out.push_back('_');
    out.push_back(absl::ascii_toupper(c));
  }
  out.push_back('_');
  return out;
}

std::string EnumWords(const google::protobuf::EnumValueDescriptor* value) {
  std::string name = value->name();
  const std::string prefix = EnumPrefix(value->type());
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  name = absl::AsciiStrToLower(name);
  absl::StrReplaceAll({{"_", "-"}}, &name);
  return name;
}

// "notified_on" -> "notified", "iom_reference" -> "iom reference".
std::string FieldWords(const FieldDescriptor* field) {
  std::string name = field->name();
  if (name.size() > 3 && name.substr(name.size() - 3) == "_on") {
    name = name.substr(0, name.size() - 3);
  }
  absl::StrReplaceAll({{"_", " "}}, &name);
  return name;
}

std::string MessageValue(const Message& value);

bool IsPrintable(const std::string& s) {
  for (char c : s) {
    if (!absl::ascii_isprint(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string SingleValue(const Message& message, const FieldDescriptor* field,
                        int index) {
  const Reflection* r = message.GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string s = repeated ? r->GetRepeatedString(message, field, index)
                               : r->GetString(message, field);
      if (field->type() == FieldDescriptor::TYPE_BYTES && !IsPrintable(s)) {
        return ShortHash(s);
      }
      return s;
    }
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(repeated ? r->GetRepeatedInt32(message, field, index)
                                   : r->GetInt32(message, field));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(repeated ? r->GetRepeatedInt64(message, field, index)
                                   : r->GetInt64(message, field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(repeated ? r->GetRepeatedUInt32(message, field, index)
                                   : r->GetUInt32(message, field));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(repeated ? r->GetRepeatedUInt64(message, field, index)
                                   : r->GetUInt64(message, field));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(repeated ? r->GetRepeatedDouble(message, field, index)
                                   : r->GetDouble(message, field));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(repeated ? r->GetRepeatedFloat(message, field, index)
                                   : r->GetFloat(message, field));
    case FieldDescriptor::CPPTYPE_BOOL:
      return "yes";
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumWords(repeated ? r->GetRepeatedEnum(message, field, index)
                                : r->GetEnum(message, field));
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return MessageValue(repeated
                              ? r->GetRepeatedMessage(message, field, index)
                              : r->GetMessage(message, field));
  }
  return "?";
}

std::string MessageValue(const Message& value) {
  const Descriptor* type = value.GetDescriptor();
  if (type == v1::Date::descriptor()) {
    v1::Date date;
    date.CopyFrom(value);
    return DateText(date);
  }
  if (type == google::protobuf::Timestamp::descriptor()) {
    google::protobuf::Timestamp time;
    time.CopyFrom(value);
    return TimeText(time);
  }
  if (type == google::protobuf::Duration::descriptor()) {
    google::protobuf::Duration duration;
    duration.CopyFrom(value);
    return DurationText(FromDurationProto(duration));
  }
  if (type == google::protobuf::Any::descriptor()) {
    google::protobuf::Any any;
    any.CopyFrom(value);
    return absl::StrCat("(", DescribeEvent(any), ")");
  }
  const std::string fields = DescribeFields(value);
  return fields.empty() ? "-" : absl::StrCat("(", fields, ")");
}

// A payload's own message, from the generated pool; null if not linked.
std::unique_ptr<Message> Unpack(const google::protobuf::Any& any) {
  const Descriptor* type =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          TypeName(any));
  if (type == nullptr) return nullptr;
  const Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  if (prototype == nullptr) return nullptr;
  std::unique_ptr<Message> message(prototype->New());
  if (!message->ParseFromString(any.value())) return nullptr;
  return message;
}

}  // namespace

std::string EventName(const google::protobuf::Any& event) {
  const std::string type = TypeName(event);
  for (const EventKind& kind : EventKinds()) {
    if (kind.message == type) return kind.name;
  }
  if (type == "returnpath.v1.TimerFired") return "timer-fired";
  if (type == "returnpath.v1.TaskCompleted") return "task-completed";
  if (type == "returnpath.v1.StreamErased") return "erased";
  if (type == "returnpath.v1.HouseholdMemberJoined") return "child-joined";
  if (type == "returnpath.v1.GuardianDecisionFollowed") {
    return "follows-guardian";
  }
  if (type == "returnpath.v1.GuardianFollowsCorrected") {
    return "guardian-corrected";
  }
  if (type == "returnpath.v1.HouseholdTasksShared") {
    return "household-task-shared";
  }
  if (type.empty()) return "(no payload)";
  return type.substr(type.rfind('.') + 1);
}

std::string DescribeFields(const Message& message) {
  const Reflection* r = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(message, &fields);
  std::vector<std::string> parts;
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_BOOL &&
        !field->is_repeated()) {
      if (r->GetBool(message, field)) parts.push_back(FieldWords(field));
      continue;
    }
    if (field->is_repeated()) {
      std::vector<std::string> values;
      for (int i = 0; i < r->FieldSize(message, field); ++i) {
        values.push_back(SingleValue(message, field, i));
      }
      parts.push_back(
          absl::StrCat(FieldWords(field), " ", absl::StrJoin(values, " ")));
      continue;
    }
    const std::string value = SingleValue(message, field, 0);
    if (value == "-") continue;  // an empty message, e.g. no flags set
    parts.push_back(absl::StrCat(FieldWords(field), " ", value));
  }
  return absl::StrJoin(parts, ", ");
}

std::string DescribeEvent(const google::protobuf::Any& event) {
  const std::string name = EventName(event);
  auto words = [](const std::string& enum_name, absl::string_view prefix) {
    return absl::AsciiStrToLower(absl::StrReplaceAll(
        absl::StripPrefix(enum_name, prefix), {{"_", " "}}));
  };
  v1::GuardianFollowsCorrected corrected;
  if (event.UnpackTo(&corrected)) {
    // "the final rejection of version 4 now final rejection" per correction
    // (events recorded before versions were used name a position).
    std::vector<std::string> parts;
    for (const v1::FollowCorrection& c : corrected.corrections()) {
      parts.push_back(absl::StrCat(
          "the ",
          words(v1::FollowedDecision_Name(c.decision()), "FOLLOWED_DECISION_"),
          c.guardian_version() != 0
              ? absl::StrCat(" of version ", c.guardian_version())
              : absl::StrCat(" of event ", c.guardian_position()),
          c.retracted()
              ? " taken back"
              : absl::StrCat(
                    " now ",
                    words(v1::Stage_Name(c.followed().stage()), "STAGE_"))));
    }
    return absl::StrCat(name, ": guardian ", corrected.guardian_id(),
                        " corrected ", absl::StrJoin(parts, "; "));
  }
  v1::GuardianDecisionFollowed followed;
  if (event.UnpackTo(&followed)) {
    // Only what the child takes on, not the guardian's whole record.
    return absl::StrCat(name, ": the ",
                        words(v1::FollowedDecision_Name(followed.decision()),
                              "FOLLOWED_DECISION_"),
                        " of guardian ", followed.guardian_id(), "; now ",
                        words(v1::Stage_Name(followed.stage()), "STAGE_"));
  }
  std::unique_ptr<Message> message = Unpack(event);
  if (message == nullptr) return name;
  const std::string fields = DescribeFields(*message);
  return fields.empty() ? name : absl::StrCat(name, ": ", fields);
}

std::string CausedBy(const v1::EventEnvelope& event) {
  if (event.caused_by_stream_id().empty()) return "";
  return absl::StrCat("caused by ", event.caused_by_stream_id(), " event ",
                      event.caused_by_position());
}

std::string ShortHash(const std::string& bytes) {
  if (bytes.empty()) return "-";
  return absl::BytesToHexString(bytes).substr(0, 12);
}

}  // namespace returnpath::client
