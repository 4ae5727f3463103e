#include "tools/benchmarks/pathway_store.h"

#include "absl/flags/flag.h"
#include "engine/status_macros.h"
#include "tools/benchmarks/common.h"
#include "workflows/return_pathway/return_pathway_workflow.h"

ABSL_FLAG(bool, serial_transitions, false,
          "compute every transition on the sequencer instead of the caller's "
          "thread (StoreOptions::prepare_transitions), for comparison");

namespace returnpath::bench {

absl::StatusOr<PathwayStore> OpenPathwayStore(
    const std::string& path, engine::Clock* clock, bool sync,
    engine::AppendObserver on_append,
    std::shared_ptr<const engine::MasterKeyring> master_keys) {
  PathwayStore out;
  RP_ASSIGN_OR_RETURN(out.workflow, return_pathway::NewReturnPathwayWorkflow(
                                        absl::GetFlag(FLAGS_policy_dir)));
  engine::StoreOptions options;
  RP_ASSIGN_OR_RETURN(options.path, BenchStorePath(path));
  options.clock = clock;
  options.workflow = out.workflow.get();
  options.sync = sync;
  options.on_append = std::move(on_append);
  options.master_keys = std::move(master_keys);
  options.prepare_transitions = !absl::GetFlag(FLAGS_serial_transitions);
  RP_ASSIGN_OR_RETURN(out.store, engine::EventStore::Open(options));
  return out;
}

}  // namespace returnpath::bench
