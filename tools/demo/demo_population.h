#ifndef RETURNPATH_TOOLS_DEMO_DEMO_POPULATION_H_
#define RETURNPATH_TOOLS_DEMO_DEMO_POPULATION_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/event_store.h"

namespace returnpath::tools {

// Records a small SYNTHETIC population (ids "SYNTHETIC-001"..., principal
// "demo:synthetic", correlation id "synthetic-demo") at every stage of the
// return pathway, dated relative to `today`, so a fresh daemon has something
// real to show. These are not real persons. Returns how many were loaded.
absl::StatusOr<int> LoadDemoPopulation(engine::EventStore& store,
                                       absl::Time today);

}  // namespace returnpath::tools

#endif  // RETURNPATH_TOOLS_DEMO_DEMO_POPULATION_H_
