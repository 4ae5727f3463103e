#include "tools/benchmarks/import_file.h"

#include <memory>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/lib/enum_text.h"
#include "clients/lib/event_kinds.h"
#include "clients/lib/time_text.h"
#include "engine/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tools/benchmarks/population.h"

namespace returnpath::bench {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Value;

// The value of `spec`'s field in `message`, as the file writes it; null when
// the field is unset (or a switch is off).
std::unique_ptr<Value> FieldValue(const client::EventArgSpec& spec,
                                  const Message& message) {
  const Message* at = &message;
  const FieldDescriptor* field = nullptr;
  const std::vector<std::string> path = absl::StrSplit(spec.field, '.');
  for (size_t i = 0; i < path.size(); ++i) {
    field = at->GetDescriptor()->FindFieldByName(path[i]);
    if (field == nullptr) return nullptr;
    if (i + 1 == path.size()) break;
    if (!at->GetReflection()->HasField(*at, field)) return nullptr;
    at = &at->GetReflection()->GetMessage(*at, field);
  }
  const auto* reflection = at->GetReflection();
  auto value = std::make_unique<Value>();
  if (field->is_repeated()) {
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) return nullptr;
    const int n = reflection->FieldSize(*at, field);
    if (n == 0) return nullptr;
    for (int i = 0; i < n; ++i) {
      value->mutable_list_value()->add_values()->set_string_value(
          reflection->GetRepeatedString(*at, field, i));
    }
    return value;
  }
  if (!reflection->HasField(*at, field)) return nullptr;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      value->set_string_value(reflection->GetString(*at, field));
      return value;
    case FieldDescriptor::CPPTYPE_BOOL:
      if (!reflection->GetBool(*at, field)) return nullptr;
      value->set_bool_value(true);
      return value;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* type = field->enum_type();
      value->set_string_value(
          client::EnumText(type, client::EnumPrefix(type),
                           reflection->GetEnumValue(*at, field)));
      return value;
    }
    case FieldDescriptor::CPPTYPE_INT32:
      value->set_number_value(reflection->GetInt32(*at, field));
      return value;
    case FieldDescriptor::CPPTYPE_INT64:
      value->set_number_value(reflection->GetInt64(*at, field));
      return value;
    case FieldDescriptor::CPPTYPE_UINT32:
      value->set_number_value(reflection->GetUInt32(*at, field));
      return value;
    case FieldDescriptor::CPPTYPE_UINT64:
      value->set_number_value(reflection->GetUInt64(*at, field));
      return value;
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      v1::Date date;
      date.CopyFrom(reflection->GetMessage(*at, field));
      value->set_string_value(client::DateText(date));
      return value;
    }
    default:
      return nullptr;
  }
}

}  // namespace

absl::StatusOr<std::string> BacklogLine(const std::string& person,
                                        const google::protobuf::Any& event,
                                        absl::Time effective) {
  const std::string type(
      event.type_url().substr(event.type_url().rfind('/') + 1));
  const client::EventKind* kind = nullptr;
  for (const client::EventKind& k : client::EventKinds()) {
    if (k.message == type && kind == nullptr) kind = &k;
  }
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          type);
  if (kind == nullptr || descriptor == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("no kind records ", type));
  }
  std::unique_ptr<Message> message(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(descriptor)
          ->New());
  if (!event.UnpackTo(message.get())) {
    return absl::InvalidArgumentError(absl::StrCat("cannot unpack ", type));
  }
  google::protobuf::Struct line;
  auto& top = *line.mutable_fields();
  top["person"].set_string_value(person);
  top["event"].set_string_value(kind->name);
  top["effective"].set_string_value(
      absl::FormatTime(absl::RFC3339_sec, effective, absl::UTCTimeZone()));
  auto& fields = *top["fields"].mutable_struct_value()->mutable_fields();
  for (const client::EventArgSpec& spec : kind->args) {
    if (spec.field.empty()) continue;
    std::unique_ptr<Value> value = FieldValue(spec, *message);
    if (value == nullptr && spec.name == kind->legal_date) {
      value = std::make_unique<Value>();
      value->set_string_value(client::DateText(client::DateInOslo(effective)));
    }
    if (value != nullptr) fields[spec.name] = std::move(*value);
  }
  std::string json;
  const auto written = google::protobuf::util::MessageToJsonString(line, &json);
  if (!written.ok()) {
    return absl::InternalError(std::string(written.message()));
  }
  return json;
}

absl::StatusOr<ImportFile> PopulationAsImportFile(size_t persons,
                                                  absl::CivilDay today) {
  ImportFile file;
  for (size_t n = 1; n <= persons; ++n) {
    const absl::CivilDay registered = today - 480 + (n * 7919) % 470;
    Person person = MakePerson("IMPORT", n, registered);
    person.children.clear();
    std::mt19937_64 rng(n);
    for (const Planned& planned : PlanPathway(person, rng)) {
      const absl::CivilDay day = registered + planned.days;
      if (day >= today) break;
      RP_ASSIGN_OR_RETURN(
          std::string line,
          BacklogLine(person.id, Payload(planned.ev, person), At(day, 10)));
      absl::StrAppend(&file.text, line, "\n");
      ++file.events;
    }
    ++file.persons;
  }
  return file;
}

}  // namespace returnpath::bench
