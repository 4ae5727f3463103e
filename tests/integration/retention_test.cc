// The retention policy erases on the daemon's clock (issue 16): a person
// whose pathway ended longer ago than `retention.erase_after_years` is erased
// by the retention pass; an auditor's legal hold keeps them until it is
// lifted. The policy's rule is the erasure's second principal.

#include <filesystem>
#include <fstream>

#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

bool IsErasure(const v1::EventEnvelope& event) {
  return event.payload().Is<v1::StreamErased>();
}

class RetentionTest : public IntegrationTest {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dir = MakeTempDir("rp_retention_policy_");
    ASSERT_TRUE(dir.ok()) << dir.status();
    policy_dir_ = *dir;
    // The shipped policy, with retention on: one year after the pathway
    // ended.
    for (const auto& entry : std::filesystem::directory_iterator(POLICY_DIR)) {
      std::filesystem::copy(entry.path(), policy_dir_);
    }
    std::ofstream(policy_dir_ + "/2012-01-01.textproto", std::ios::app)
        << "\nretention { erase_after_years: 1 }\n";
    IntegrationTest::SetUp();
  }
  void TearDown() override {
    IntegrationTest::TearDown();
    std::filesystem::remove_all(policy_dir_);
  }
  DaemonOptions Options() const override {
    DaemonOptions options = NationalTeam();
    options.extra_flags = {"--policy_dir=" + policy_dir_,
                           "--retention_every=24h"};
    return options;
  }

  std::string policy_dir_;
};

TEST_F(RetentionTest, ErasesAYearAfterThePathwayEndedUnlessHeld) {
  for (const char* id : {"P-1", "P-2", "P-3"}) {
    RP_ASSERT_OK(Register({.id = id}));
  }
  for (const char* id : {"P-1", "P-2"}) {
    RP_ASSERT_OK(Record(id, "permit-granted", {}));
  }
  ProcessResult held = Ctl({"--as", "auditor", "audit", "hold", "--person",
                            "P-2", "--reason", "court case 21-044"});
  ASSERT_EQ(held.exit_code, 0) << held.err;
  EXPECT_THAT(held.out, HasSubstr("placed the legal hold on P-2"));

  RP_ASSERT_OK(AdvanceBy(absl::Hours(24 * 367)));
  absl::StatusOr<v1::EventEnvelope> erased = WaitForEvent("P-1", IsErasure);
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->principal(), "system:retention");
  v1::StreamErased record;
  ASSERT_TRUE(erased->payload().UnpackTo(&record));
  EXPECT_THAT(record.approved_by(), HasSubstr("policy "));
  EXPECT_THAT(record.reason(),
              HasSubstr("erase 1 years after the pathway ended"));
  // The same pass left the held person and the one whose pathway runs.
  RP_EXPECT_OK(View("P-2"));
  RP_EXPECT_OK(View("P-3"));

  ProcessResult lifted =
      Ctl({"--as", "auditor", "audit", "lift-hold", "--person", "P-2"});
  ASSERT_EQ(lifted.exit_code, 0) << lifted.err;
  RP_ASSERT_OK(AdvanceBy(absl::Hours(24)));
  RP_ASSERT_OK(WaitForEvent("P-2", IsErasure));
  RP_EXPECT_OK(View("P-3"));
}

}  // namespace
}  // namespace returnpath::integration
