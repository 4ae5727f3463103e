#include "workflows/return_pathway/legacy_names.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/status_macros.h"

namespace returnpath::return_pathway {
namespace {

// Every prefix Step::Key is given, longest first where one starts another.
constexpr absl::string_view kPrefixes[] = {"appeal-window",
                                           "child-info",
                                           "conversation",
                                           "deadline-follow-up",
                                           "departure-deadline",
                                           "disappeared",
                                           "escalation",
                                           "household-share",
                                           "iom-follow-up",
                                           "place-release",
                                           "police-referral",
                                           "relocate",
                                           "review"};

// Takes the digits at the front of `*in` as a number.
bool ConsumeNumber(absl::string_view* in, uint64_t* number) {
  size_t n = 0;
  while (n < in->size() && absl::ascii_isdigit((*in)[n])) ++n;
  if (n == 0 || !absl::SimpleAtoi(in->substr(0, n), number)) return false;
  in->remove_prefix(n);
  return true;
}

absl::StatusOr<uint64_t> VersionAt(uint64_t position, const EventInput& in) {
  RP_ASSIGN_OR_RETURN(returnpath::v1::EventEnvelope event,
                      in.log->EventAt(position));
  if (event.stream_id() != in.stream_id) {
    return absl::DataLossError(
        absl::StrCat("a name written before state schema 2 names position ",
                     position, ", which is not an event of ", in.stream_id));
  }
  return event.stream_version();
}

}  // namespace

absl::StatusOr<std::string> CurrentName(absl::string_view name,
                                        const EventInput& in) {
  // [escalate-]<prefix>-<position>[.<n>][-<child>][~<position>]
  absl::string_view rest = name;
  std::string out;
  if (absl::ConsumePrefix(&rest, "escalate-")) out = "escalate-";
  absl::string_view prefix;
  for (absl::string_view p : kPrefixes) {
    if (absl::StartsWith(rest, p) && rest.size() > p.size() + 1 &&
        rest[p.size()] == '-' && absl::ascii_isdigit(rest[p.size() + 1])) {
      prefix = p;
      break;
    }
  }
  if (prefix.empty()) return std::string(name);  // current, or not a key
  rest.remove_prefix(prefix.size() + 1);
  uint64_t position = 0;
  if (!ConsumeNumber(&rest, &position)) return std::string(name);
  RP_ASSIGN_OR_RETURN(const uint64_t version, VersionAt(position, in));
  absl::StrAppend(&out, prefix, "-v", version);
  const size_t tilde = rest.rfind('~');
  absl::string_view reopened;
  if (tilde != absl::string_view::npos) {
    reopened = rest.substr(tilde + 1);
    rest = rest.substr(0, tilde);
  }
  absl::StrAppend(&out, rest);  // ".<n>", "-<child>"
  if (!reopened.empty()) {
    uint64_t at = 0;
    if (!ConsumeNumber(&reopened, &at) || !reopened.empty()) {
      return std::string(name);
    }
    RP_ASSIGN_OR_RETURN(const uint64_t reopened_version, VersionAt(at, in));
    absl::StrAppend(&out, "~v", reopened_version);
  }
  return out;
}

}  // namespace returnpath::return_pathway
