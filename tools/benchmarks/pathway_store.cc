#include "tools/benchmarks/pathway_store.h"

#include "absl/flags/flag.h"
#include "engine/status_macros.h"
#include "tools/benchmarks/common.h"
#include "workflows/return_pathway/return_pathway_workflow.h"

namespace returnpath::bench {

absl::StatusOr<PathwayStore> OpenPathwayStore(
    const std::string& path, engine::Clock* clock, bool sync,
    engine::AppendObserver on_append) {
  PathwayStore out;
  RP_ASSIGN_OR_RETURN(out.workflow, return_pathway::NewReturnPathwayWorkflow(
                                        absl::GetFlag(FLAGS_policy_dir)));
  engine::StoreOptions options;
  options.path = path;
  options.clock = clock;
  options.workflow = out.workflow.get();
  options.sync = sync;
  options.on_append = std::move(on_append);
  RP_ASSIGN_OR_RETURN(out.store, engine::EventStore::Open(options));
  return out;
}

}  // namespace returnpath::bench
