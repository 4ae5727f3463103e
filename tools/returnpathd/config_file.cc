#include "tools/returnpathd/config_file.h"

#include <vector>

#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "engine/read_file.h"
#include "engine/status_macros.h"
#include "engine/text_proto.h"
#include "returnpath/v1/daemon_config.pb.h"

namespace returnpath::tools {
namespace {

using google::protobuf::FieldDescriptor;

// A field's value as its flag would be written on a command line.
std::string FlagText(const google::protobuf::Message& config,
                     const FieldDescriptor& field) {
  const google::protobuf::Reflection& r = *config.GetReflection();
  if (field.is_repeated()) {  // a list flag: comma-separated strings
    std::vector<std::string> values;
    for (int i = 0; i < r.FieldSize(config, &field); ++i) {
      values.push_back(r.GetRepeatedString(config, &field, i));
    }
    return absl::StrJoin(values, ",");
  }
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_BOOL:
      return r.GetBool(config, &field) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(r.GetInt32(config, &field));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(r.GetInt64(config, &field));
    default:
      return r.GetString(config, &field);
  }
}

}  // namespace

std::set<std::string> FlagsOnCommandLine(int argc, char** argv) {
  std::set<std::string> names;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;  // the rest are not flags
    if (!absl::ConsumePrefix(&arg, "--") && !absl::ConsumePrefix(&arg, "-")) {
      continue;
    }
    arg = arg.substr(0, arg.find('='));
    names.emplace(arg);
    if (absl::ConsumePrefix(&arg, "no")) names.emplace(arg);
  }
  return names;
}

absl::Status ApplyConfigFile(const std::string& path,
                             const std::set<std::string>& given) {
  RP_ASSIGN_OR_RETURN(const std::string text,
                      engine::ReadFileText(path, "the configuration file"));
  return ApplyConfigText(text, path, given);
}

absl::Status ApplyConfigText(absl::string_view text, const std::string& path,
                             const std::set<std::string>& given) {
  v1::DaemonConfig config;
  RP_RETURN_IF_ERROR(engine::ParseTextProto(
      text, absl::StrCat("the configuration file ", path), &config));
  std::vector<const FieldDescriptor*> fields;
  config.GetReflection()->ListFields(config, &fields);
  for (const FieldDescriptor* field : fields) {
    if (given.count(field->name()) > 0) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(field->name());
    if (flag == nullptr) {
      return absl::InternalError(absl::StrCat("DaemonConfig.", field->name(),
                                              " names no flag of returnpathd"));
    }
    std::string error;
    if (!flag->ParseFrom(FlagText(config, *field), &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", field->name(), ": ", error));
    }
  }
  return absl::OkStatus();
}

}  // namespace returnpath::tools
