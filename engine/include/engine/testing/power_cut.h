#ifndef RETURNPATH_ENGINE_TESTING_POWER_CUT_H_
#define RETURNPATH_ENGINE_TESTING_POWER_CUT_H_

// Test-only: makes a running process lose power on a signal. The store must
// run on `fs` (StoreOptions::file_system); on SIGUSR1 the process stops all
// writing, cuts its files back to what was synced (tearing the unsynced tail
// when asked) and exits at once with kPowerCutExitCode, so that what was not
// fsynced is really gone, not kept by the page cache as after a SIGKILL.

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "engine/testing/fault_file_system.h"

namespace returnpath::engine::testing {

// The exit code of a process that lost power through ArmPowerCut.
inline constexpr int kPowerCutExitCode = 86;

// Installs the SIGUSR1 handler and the thread that cuts the power. Call once,
// before the store opens; `seed` chooses where torn writes end.
absl::Status ArmPowerCut(std::shared_ptr<FaultFileSystem> fs, uint64_t seed,
                         bool tear);

}  // namespace returnpath::engine::testing

#endif  // RETURNPATH_ENGINE_TESTING_POWER_CUT_H_
