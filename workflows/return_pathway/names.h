#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_NAMES_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_NAMES_H_

#include <algorithm>

#include "absl/strings/string_view.h"

namespace returnpath::return_pathway {

// ISO 3166-1 alpha-2: two upper-case letters.
inline bool IsCountryCode(absl::string_view code) {
  return code.size() == 2 && std::all_of(code.begin(), code.end(), [](char c) {
           return c >= 'A' && c <= 'Z';
         });
}

// Ids and centre names end up inside task ids, index keys and queue names, so
// they hold letters, digits, '-', '_', '.' and ':' only.
inline bool IsValidName(absl::string_view name) {
  return !name.empty() && name.size() <= 128 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                  c == ':';
         });
}

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_NAMES_H_
