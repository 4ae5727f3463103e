#ifndef RETURNPATH_CLIENTS_LIB_EVENT_ARGS_H_
#define RETURNPATH_CLIENTS_LIB_EVENT_ARGS_H_

// Simple arguments ("--notified 2026-03-02") and how one of them fills a
// field of a domain message, read as the field's type asks.

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "clients/lib/enum_text.h"
#include "google/protobuf/message.h"

namespace returnpath::client {

// Argument values by name (no dashes: "notified", "deferred-implementation").
// A switch is present with the value "true". Thread-compatible.
class EventArgs {
 public:
  EventArgs() = default;
  EventArgs(std::initializer_list<std::pair<std::string, std::string>> values);

  void Add(absl::string_view name, absl::string_view value);
  bool Has(absl::string_view name) const;
  // The last value given, or "" when absent.
  std::string Get(absl::string_view name) const;
  std::vector<std::string> GetAll(absl::string_view name) const;

 private:
  absl::flat_hash_map<std::string, std::vector<std::string>> values_;
};

struct EventArgSpec {
  std::string name;        // "notified"
  std::string value_name;  // "DATE"; empty for a switch
  std::string help;
  bool required = false;
  bool repeated = false;
  // The field the value fills, dotted into sub-messages ("notified_on",
  // "flags.dublin_case"); empty when the kind reads the argument itself.
  std::string field;
  // A text field holding an ISO 3166 two-letter country code.
  bool country = false;
  // Extra spellings of an enum field's values.
  std::vector<EnumAlias> aliases;
  // The text used when the argument is absent; empty: the field stays unset.
  std::string otherwise;
};

// Sets `spec.field` of `message` from the argument `spec.name`: text as
// given (a country upper-cased and checked), a Date from YYYY-MM-DD, a whole
// number >= 0, an enum value by its typed name, a bool from the switch's
// presence (always set, so a sub-message of switches is always there), each
// value of a repeated text field. An absent argument leaves other fields
// unset. INVALID_ARGUMENT names the option ("--lodged: ..."); INTERNAL if
// the field does not exist or has a type no argument can fill.
absl::Status FillField(const EventArgSpec& spec, const EventArgs& args,
                       google::protobuf::Message* message);

}  // namespace returnpath::client

#endif  // RETURNPATH_CLIENTS_LIB_EVENT_ARGS_H_
