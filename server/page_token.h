#ifndef RETURNPATH_SERVER_PAGE_TOKEN_H_
#define RETURNPATH_SERVER_PAGE_TOKEN_H_

#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace returnpath::engine {

// Seals the store's raw page tokens (the last key scanned, which may name a
// person the caller may not see) into opaque wire tokens: web-safe base64 of
// AES-256-GCM over the raw token padded to a fixed size (so a token's length
// says nothing of the key either), bound to `binding` (who asked, and what),
// so a token opens only for the same caller and query. Immutable; thread-safe.
class PageTokens {
 public:
  // One random key per process: tokens do not outlive a restart.
  static const PageTokens& ForProcess();

  // `key` is 32 bytes.
  explicit PageTokens(std::string key);

  // Empty raw token (no more pages) gives an empty wire token.
  std::string Seal(absl::string_view raw, absl::string_view binding) const;
  // Empty wire token gives an empty raw token (the first page).
  // INVALID_ARGUMENT when the token was not sealed here for `binding`.
  absl::StatusOr<std::string> Open(absl::string_view wire,
                                   absl::string_view binding) const;

 private:
  const std::string key_;
};

// An unambiguous binding of several parts (each length-prefixed), e.g.
// {method, principal name, query fields...}.
std::string PageTokenBinding(std::initializer_list<absl::string_view> parts);

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_PAGE_TOKEN_H_
