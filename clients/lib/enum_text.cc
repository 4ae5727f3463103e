#include "clients/lib/enum_text.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace returnpath::client {
namespace {

// "Midt-Norge" -> "MIDT_NORGE"; "Sør" -> "SOR".
std::string Normalize(absl::string_view text) {
  std::string out = absl::StrReplaceAll(text, {{"ø", "o"},
                                               {"Ø", "O"},
                                               {"æ", "ae"},
                                               {"Æ", "AE"},
                                               {"å", "a"},
                                               {"Å", "A"}});
  for (char& c : out) {
    c = (c == '-' || c == ' ')
            ? '_'
            : absl::ascii_toupper(static_cast<unsigned char>(c));
  }
  return out;
}

bool IsUnspecified(absl::string_view name) {
  return absl::EndsWith(name, "_UNSPECIFIED");
}

}  // namespace

absl::StatusOr<int> ParseEnum(const google::protobuf::EnumDescriptor* type,
                              absl::string_view prefix, absl::string_view text,
                              absl::string_view what,
                              const std::vector<EnumAlias>& aliases) {
  const std::string wanted = Normalize(text);
  for (const EnumAlias& alias : aliases) {
    if (Normalize(alias.first) == wanted) {
      const auto* value = type->FindValueByName(alias.second);
      if (value != nullptr) return value->number();
    }
  }
  const auto* value = type->FindValueByName(absl::StrCat(prefix, wanted));
  if (value == nullptr || IsUnspecified(value->name())) {
    return absl::InvalidArgumentError(absl::StrCat("--", what, ": '", text,
                                                   "' is not one of ",
                                                   EnumChoices(type, prefix)));
  }
  return value->number();
}

std::string EnumPrefix(const google::protobuf::EnumDescriptor* type) {
  std::string prefix;
  for (char c : type->name()) {
    if (absl::ascii_isupper(c) && !prefix.empty()) prefix.push_back('_');
    prefix.push_back(absl::ascii_toupper(c));
  }
  prefix.push_back('_');
  return prefix;
}

std::string EnumChoices(const google::protobuf::EnumDescriptor* type,
                        absl::string_view prefix) {
  std::vector<std::string> names;
  for (int i = 0; i < type->value_count(); ++i) {
    const std::string& name = type->value(i)->name();
    if (!IsUnspecified(name))
      names.push_back(EnumText(type, prefix, type->value(i)->number()));
  }
  return absl::StrJoin(names, "|");
}

std::string EnumText(const google::protobuf::EnumDescriptor* type,
                     absl::string_view prefix, int number) {
  const auto* value = type->FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  if (IsUnspecified(value->name())) return "-";
  absl::string_view name = value->name();
  absl::ConsumePrefix(&name, prefix);
  std::string out = absl::AsciiStrToLower(name);
  for (char& c : out) {
    if (c == '_') c = '-';
  }
  return out;
}

}  // namespace returnpath::client
