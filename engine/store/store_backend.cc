#include "store/store_backend.h"

#include "absl/strings/match.h"
#include "engine/status_macros.h"

namespace returnpath::engine {

bool IsPostgresUri(absl::string_view path) {
  return absl::StartsWith(path, "postgres://") ||
         absl::StartsWith(path, "postgresql://");
}

absl::Status StoreBackend::WriteNow(const WriteSet& writes) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<GroupWrite> group, BeginGroup());
  return group->Commit(writes);
}

}  // namespace returnpath::engine
