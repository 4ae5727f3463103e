#ifndef RETURNPATH_CLIENTS_LIB_ENUM_TEXT_H_
#define RETURNPATH_CLIENTS_LIB_ENUM_TEXT_H_

// Protobuf enum values in the words people type: REGION_MIDT_NORGE is
// "midt-norge" (also accepted: "MIDT_NORGE", "Midt-Norge", "midt norge").

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace returnpath::client {

// An extra spelling for a value: {"une",
// "FINAL_REJECTION_BASIS_REJECTED_BY_UNE"}.
using EnumAlias = std::pair<std::string, std::string>;

// The number of the value named `text` in `type`, whose value names start
// with `prefix` (e.g. "REGION_"). The UNSPECIFIED value is never accepted.
// INVALID_ARGUMENT listing the choices otherwise; `what` names the option.
absl::StatusOr<int> ParseEnum(const google::protobuf::EnumDescriptor* type,
                              absl::string_view prefix, absl::string_view text,
                              absl::string_view what,
                              const std::vector<EnumAlias>& aliases = {});

// The prefix of every value name of `type`, from its name: "REGION_" for
// Region, "IOM_PROGRAMME_" for IomProgramme.
std::string EnumPrefix(const google::protobuf::EnumDescriptor* type);

// "midt-norge|nord|..." for help texts.
std::string EnumChoices(const google::protobuf::EnumDescriptor* type,
                        absl::string_view prefix);

// The typed spelling of `number`: "midt-norge"; "-" for 0, the number if
// unknown.
std::string EnumText(const google::protobuf::EnumDescriptor* type,
                     absl::string_view prefix, int number);

}  // namespace returnpath::client

#endif  // RETURNPATH_CLIENTS_LIB_ENUM_TEXT_H_
