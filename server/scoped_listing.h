#ifndef RETURNPATH_SERVER_SCOPED_LISTING_H_
#define RETURNPATH_SERVER_SCOPED_LISTING_H_

// Listings that count only what the caller may see. The store pages through
// every entry, and its tokens may stand on entries out of the caller's scope;
// a scoped page holds up to `page_size` entries in scope, and its token stands
// on the last entry it returned and is given only when another entry in scope
// follows. So neither the number of pages, nor an empty page, nor where a
// token stands tells anything about entries out of scope.

#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"

namespace returnpath::engine {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;
// Entries asked of the store per read while a scoped page is collected.
inline constexpr size_t kScanPageSize = 256;

// A request's page_size: 0 gives kDefaultPageSize; INVALID_ARGUMENT outside
// 0..kMaxPageSize.
inline absl::StatusOr<size_t> RequestedPageSize(int page_size) {
  if (page_size < 0 || page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be between 0 and ", kMaxPageSize));
  }
  return page_size == 0 ? kDefaultPageSize : page_size;
}

// One page as the store gave it.
template <typename Entry>
struct StorePage {
  std::vector<Entry> entries;
  // One per entry: the store token that continues right after it.
  std::vector<std::string> resume_tokens;
  std::string next_page_token;  // empty: the listing ends here
};

template <typename Entry>
struct ScopedPage {
  std::vector<Entry> entries;   // in scope, at most the page size
  std::string next_page_token;  // raw; empty when nothing in scope follows
  // One per entry: the store token that continues right after it, for a
  // reply that serves fewer entries than it collected.
  std::vector<std::string> resume_tokens;
};

// Reads store pages from `token` on (`read` gives the page a token names)
// and keeps the entries `in_scope` allows, until `page_size` are kept and one
// more in scope is seen, or the listing ends.
template <typename Entry>
absl::StatusOr<ScopedPage<Entry>> CollectInScope(
    size_t page_size, std::string token,
    absl::FunctionRef<absl::StatusOr<StorePage<Entry>>(const std::string&)>
        read,
    absl::FunctionRef<absl::StatusOr<bool>(const Entry&)> in_scope) {
  ScopedPage<Entry> page;
  std::string after_last_kept;
  do {
    RP_ASSIGN_OR_RETURN(StorePage<Entry> read_page, read(token));
    for (size_t i = 0; i < read_page.entries.size(); ++i) {
      RP_ASSIGN_OR_RETURN(const bool covered, in_scope(read_page.entries[i]));
      if (!covered) continue;
      if (page.entries.size() == page_size) {
        page.next_page_token = std::move(after_last_kept);
        return page;
      }
      page.entries.push_back(std::move(read_page.entries[i]));
      page.resume_tokens.push_back(read_page.resume_tokens[i]);
      after_last_kept = std::move(read_page.resume_tokens[i]);
    }
    token = std::move(read_page.next_page_token);
  } while (!token.empty());
  return page;
}

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_SCOPED_LISTING_H_
