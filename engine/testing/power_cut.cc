#include "engine/testing/power_cut.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <thread>
#include <utility>

namespace returnpath::engine::testing {
namespace {

int power_cut_pipe[2] = {-1, -1};

void OnPowerCutSignal(int) {
  const int saved = errno;
  const char byte = 1;
  [[maybe_unused]] ssize_t n = write(power_cut_pipe[1], &byte, 1);
  errno = saved;
}

// Waits for the signal, then powers off: from LosePower on no write reaches
// a file, so the cut keeps exactly what was synced.
[[noreturn]] void CutWhenSignalled(std::shared_ptr<FaultFileSystem> fs,
                                   uint64_t seed, bool tear) {
  char byte = 0;
  while (read(power_cut_pipe[0], &byte, 1) != 1) {
  }
  fs->LosePower();
  std::mt19937_64 rng(seed);
  const rocksdb::IOStatus dropped =
      fs->DropUnsyncedData(&rng, tear, /*power_on=*/false);
  _exit(dropped.ok() ? kPowerCutExitCode : 1);
}

}  // namespace

absl::Status ArmPowerCut(std::shared_ptr<FaultFileSystem> fs, uint64_t seed,
                         bool tear) {
  if (power_cut_pipe[0] >= 0) return absl::FailedPreconditionError("armed");
  if (pipe(power_cut_pipe) != 0) return absl::InternalError("pipe failed");
  struct sigaction action = {};
  action.sa_handler = OnPowerCutSignal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGUSR1, &action, nullptr) != 0) {
    return absl::InternalError("sigaction(SIGUSR1) failed");
  }
  std::thread(CutWhenSignalled, std::move(fs), seed, tear).detach();
  return absl::OkStatus();
}

}  // namespace returnpath::engine::testing
