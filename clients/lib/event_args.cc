#include "clients/lib/event_args.h"

#include <cstdint>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/lib/time_text.h"
#include "engine/status_macros.h"
#include "returnpath/v1/pathway.pb.h"

namespace returnpath::client {

EventArgs::EventArgs(
    std::initializer_list<std::pair<std::string, std::string>> values) {
  for (const auto& [name, value] : values) Add(name, value);
}

void EventArgs::Add(absl::string_view name, absl::string_view value) {
  values_[name].emplace_back(value);
}

bool EventArgs::Has(absl::string_view name) const {
  return values_.contains(name);
}

std::string EventArgs::Get(absl::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? "" : it->second.back();
}

std::vector<std::string> EventArgs::GetAll(absl::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>() : it->second;
}

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status Prefixed(absl::string_view name, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::InvalidArgumentError(
      absl::StrCat("--", name, ": ", status.message()));
}

absl::StatusOr<uint64_t> WholeNumber(absl::string_view name,
                                     absl::string_view text) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", name, ": '", text, "' is not a whole number >= 0"));
  }
  return static_cast<uint64_t>(value);
}

absl::StatusOr<std::string> Country(absl::string_view name,
                                    absl::string_view text) {
  std::string code = absl::AsciiStrToUpper(text);
  if (code.size() != 2 || !absl::ascii_isalpha(code[0]) ||
      !absl::ascii_isalpha(code[1])) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", name, ": '", text, "' is not a two-letter country code like AF"));
  }
  return code;
}

// Sets the singular, non-bool `field` of `target` from `text`.
absl::Status SetFromText(const EventArgSpec& spec, absl::string_view text,
                         const FieldDescriptor* field, Message* target) {
  const Reflection* reflection = target->GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      if (!spec.country) {
        reflection->SetString(target, field, std::string(text));
        return absl::OkStatus();
      }
      RP_ASSIGN_OR_RETURN(std::string code, Country(spec.name, text));
      reflection->SetString(target, field, code);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64: {
      RP_ASSIGN_OR_RETURN(uint64_t number, WholeNumber(spec.name, text));
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_INT32) {
        reflection->SetInt32(target, field, static_cast<int32_t>(number));
      } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_INT64) {
        reflection->SetInt64(target, field, static_cast<int64_t>(number));
      } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_UINT32) {
        reflection->SetUInt32(target, field, static_cast<uint32_t>(number));
      } else {
        reflection->SetUInt64(target, field, number);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      RP_ASSIGN_OR_RETURN(
          int number, ParseEnum(field->enum_type(),
                                EnumPrefix(field->enum_type()), text,
                                spec.name, spec.aliases));
      reflection->SetEnumValue(target, field, number);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (field->message_type() == v1::Date::descriptor()) {
        absl::StatusOr<v1::Date> date = ParseDate(text);
        if (!date.ok()) return Prefixed(spec.name, date.status());
        reflection->MutableMessage(target, field)->CopyFrom(*date);
        return absl::OkStatus();
      }
      break;
    default:
      break;
  }
  return absl::InternalError(absl::StrCat("--", spec.name, " cannot fill ",
                                          field->full_name()));
}

}  // namespace

absl::Status FillField(const EventArgSpec& spec, const EventArgs& args,
                       Message* message) {
  const std::vector<std::string> path = absl::StrSplit(spec.field, '.');
  Message* target = message;
  const FieldDescriptor* field = nullptr;
  for (size_t i = 0; i < path.size(); ++i) {
    field = target->GetDescriptor()->FindFieldByName(path[i]);
    if (field == nullptr) {
      return absl::InternalError(absl::StrCat(
          "--", spec.name, ": ", target->GetDescriptor()->full_name(),
          " has no field ", path[i]));
    }
    if (i + 1 == path.size()) break;
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
        field->is_repeated()) {
      return absl::InternalError(
          absl::StrCat("--", spec.name, ": ", field->full_name(),
                       " is not a message to fill a field of"));
    }
    // A sub-message exists only once something is written into it.
    const bool writes = args.Has(spec.name) || !spec.otherwise.empty() ||
                        spec.value_name.empty();
    if (!writes) return absl::OkStatus();
    target = target->GetReflection()->MutableMessage(target, field);
  }
  const Reflection* reflection = target->GetReflection();
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_BOOL &&
      !field->is_repeated()) {
    reflection->SetBool(target, field, args.Has(spec.name));
    return absl::OkStatus();
  }
  if (field->is_repeated()) {
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
      return absl::InternalError(absl::StrCat(
          "--", spec.name, " cannot fill the list ", field->full_name()));
    }
    for (const std::string& value : args.GetAll(spec.name)) {
      reflection->AddString(target, field, value);
    }
    return absl::OkStatus();
  }
  if (!args.Has(spec.name)) {
    if (spec.otherwise.empty()) return absl::OkStatus();
    return SetFromText(spec, spec.otherwise, field, target);
  }
  return SetFromText(spec, args.Get(spec.name), field, target);
}

}  // namespace returnpath::client
