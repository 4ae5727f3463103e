// The engine under concurrent writers, timers and task workers, through many
// simulated power losses (engine/testing/fault_file_system.h): nothing it
// acknowledged may be lost. RP_POWER_LOSS_SEED and RP_POWER_LOSS_CRASHES
// repeat or lengthen a run (the seed is printed); RP_POWER_LOSS_SYNC=0 runs
// the store without fsync, which must make the first test fail.

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/engine/power_loss_scenario.h"

namespace returnpath::engine::testing {
namespace {

uint64_t FromEnv(const char* name, uint64_t otherwise) {
  const char* text = std::getenv(name);
  uint64_t value = 0;
  return text != nullptr && absl::SimpleAtoi(text, &value) ? value : otherwise;
}

std::string FirstProblems(const PowerLossReport& report) {
  constexpr size_t kShown = 20;
  std::vector<std::string> shown(
      report.problems.begin(),
      report.problems.begin() + std::min(kShown, report.problems.size()));
  if (report.problems.size() > kShown) {
    shown.push_back(
        absl::StrCat("... and ", report.problems.size() - kShown, " more"));
  }
  return absl::StrJoin(shown, "\n");
}

PowerLossOptions Options() {
  PowerLossOptions options;
  options.seed = FromEnv("RP_POWER_LOSS_SEED", std::random_device()());
  options.crashes = static_cast<int>(FromEnv("RP_POWER_LOSS_CRASHES", 20));
  options.sync = FromEnv("RP_POWER_LOSS_SYNC", 1) != 0;
  std::cout << "RP_POWER_LOSS_SEED=" << options.seed
            << " RP_POWER_LOSS_CRASHES=" << options.crashes << std::endl;
  return options;
}

TEST(PowerLossTest, EveryAcknowledgedWriteSurvivesEveryCrash) {
  PowerLossReport report = PowerLossScenario(Options()).Run();
  std::cout << report.crashes << " crashes (" << report.crashes_while_opening
            << " while opening), " << report.acknowledged
            << " acknowledged writes checked, " << report.lost << " lost"
            << std::endl;
  EXPECT_GT(report.acknowledged, 0u);
  EXPECT_EQ(report.lost, 0u);
  EXPECT_TRUE(report.problems.empty()) << FirstProblems(report);
}

// Proves the test above can fail: a store that never fsyncs loses
// acknowledged events at a power loss, and the checks see it.
TEST(PowerLossTest, DetectsLossWhenTheStoreDoesNotSync) {
  PowerLossOptions options = Options();
  options.sync = false;
  PowerLossReport report = PowerLossScenario(options).Run();
  std::cout << "without fsync: " << report.crashes << " crashes, "
            << report.acknowledged << " acknowledged, " << report.lost
            << " lost; first problem: "
            << (report.problems.empty() ? "none" : report.problems.front())
            << std::endl;
  EXPECT_GT(report.lost, 0u);
}

}  // namespace
}  // namespace returnpath::engine::testing
