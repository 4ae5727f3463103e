#include "store/store_backend.h"

#include "engine/status_macros.h"

namespace returnpath::engine {

absl::Status StoreBackend::WriteNow(const WriteSet& writes) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<GroupWrite> group, BeginGroup());
  return group->Commit(writes);
}

}  // namespace returnpath::engine
