// Fuzzes the policy file parser and validator: a text that parses and
// validates must make a PolicySet that answers for its own effective date.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "workflows/return_pathway/policy_set.h"

using returnpath::return_pathway::ParsePolicyText;
using returnpath::return_pathway::PolicySet;
using returnpath::return_pathway::ValidatePolicy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = ParsePolicyText(text, "fuzz.textproto");
  if (!policy.ok()) return 0;
  if (!ValidatePolicy(*policy, "fuzz.textproto").ok()) return 0;
  const std::string version = policy->version();
  std::vector<std::pair<std::string, returnpath::v1::Policy>> one;
  one.emplace_back("fuzz.textproto", *std::move(policy));
  auto set = PolicySet::Create(std::move(one));
  // A policy ValidatePolicy accepts is one a deployment may load.
  if (!set.ok()) std::abort();
  if (!set->Find(version).ok()) std::abort();
  return 0;
}
