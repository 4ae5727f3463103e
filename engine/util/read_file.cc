#include "engine/read_file.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "engine/text_proto.h"

namespace returnpath::engine {

absl::StatusOr<std::string> ReadFileText(const std::string& path,
                                         absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    return absl::NotFoundError(absl::StrCat("cannot read ", what, " ", path));
  }
  return text.str();
}

absl::Status ReadTextProtoFile(const std::string& path, absl::string_view what,
                               google::protobuf::Message* out) {
  RP_ASSIGN_OR_RETURN(const std::string text, ReadFileText(path, what));
  return ParseTextProto(text, absl::StrCat(what, " ", path), out);
}

}  // namespace returnpath::engine
