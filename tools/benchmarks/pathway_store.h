#ifndef RETURNPATH_TOOLS_BENCHMARKS_PATHWAY_STORE_H_
#define RETURNPATH_TOOLS_BENCHMARKS_PATHWAY_STORE_H_

// A store running the return-pathway workflow, as the suites open it.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/master_key.h"
#include "engine/workflow.h"

namespace returnpath::bench {

// The workflow (from --policy_dir) outlives the store: members are destroyed
// in reverse order.
struct PathwayStore {
  std::unique_ptr<engine::Workflow> workflow;
  std::unique_ptr<engine::EventStore> store;
};

// Opens (or creates) the store at `path` on `clock`, which must outlive it,
// telling `on_append` (if set) of every append.
// With `master_keys`, the store seals erasable fields (docs/privacy.md) as
// the daemon's does.
absl::StatusOr<PathwayStore> OpenPathwayStore(
    const std::string& path, engine::Clock* clock, bool sync,
    engine::AppendObserver on_append = nullptr,
    std::shared_ptr<const engine::MasterKeyring> master_keys = nullptr);

}  // namespace returnpath::bench

#endif  // RETURNPATH_TOOLS_BENCHMARKS_PATHWAY_STORE_H_
