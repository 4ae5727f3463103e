// Test-only (returnpathd_faulty): the store runs on the fault-injecting file
// system and loses power on SIGUSR1 (engine/testing/power_cut.h).

#include <memory>

#include "absl/flags/flag.h"
#include "engine/testing/fault_file_system.h"
#include "engine/testing/power_cut.h"
#include "tools/returnpathd/store_setup.h"

ABSL_FLAG(uint64_t, power_cut_seed, 1,
          "test-only: chooses where a torn write ends at the power cut");
ABSL_FLAG(bool, power_cut_tear, true,
          "test-only: at the power cut keep a random part of each file's "
          "unsynced tail instead of none");
ABSL_FLAG(bool, unsafe_no_sync, false,
          "test-only, loses acknowledged events: the store never fsyncs, to "
          "show that tools/crashtest detects the loss");

namespace returnpath::tools {

absl::Status SetUpStoreFileSystem(engine::StoreOptions& options) {
  auto fs = std::make_shared<engine::testing::FaultFileSystem>();
  options.file_system = engine::testing::ForStore(fs);
  options.sync = !absl::GetFlag(FLAGS_unsafe_no_sync);
  return engine::testing::ArmPowerCut(fs, absl::GetFlag(FLAGS_power_cut_seed),
                                      absl::GetFlag(FLAGS_power_cut_tear));
}

}  // namespace returnpath::tools
