// The retention pass (engine/retention.h): what the workflow says may go by
// now is erased, the policy's rule standing in for the approver; a legal
// hold keeps a stream until it is lifted.

#include "engine/replay.h"
#include "engine/retention.h"
#include "engine/testing/runtime_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::testing::HasSubstr;

class RetentionTest : public testing::RuntimeTest {
 protected:
  RetentionReport Pass() {
    absl::StatusOr<RetentionReport> report = EraseWhatRetentionAllows(
        *store_, workflow_, clock_.Now(), "system:retention");
    EXPECT_TRUE(report.ok()) << report.status();
    if (report.ok())
      EXPECT_TRUE(report->first_error.ok()) << report->first_error;
    return report.ok() ? *report : RetentionReport();
  }
  bool Erased(const std::string& stream) {
    absl::StatusOr<returnpath::v1::StreamRecord> record =
        store_->GetStreamRecord(stream);
    EXPECT_TRUE(record.ok()) << record.status();
    return record.ok() && record->erased_at_position() != 0;
  }
  absl::Status Hold(const std::string& stream) {
    returnpath::v1::LegalHold hold;
    hold.set_stream_id(stream);
    hold.set_placed_by("auditor");
    hold.set_reason("court case 21-044");
    return store_->PlaceLegalHold(hold);
  }
};

TEST_F(RetentionTest, ErasesWhatIsDueAndKeepsWhatIsHeld) {
  Append("due", "depart:AF retain:5");
  Append("held", "depart:AF retain:5");
  Append("later", "depart:SO retain:50");
  Append("kept", "depart:SO");
  ASSERT_TRUE(Hold("held").ok());

  clock_.SetTime(Day(4));
  RetentionReport report = Pass();
  EXPECT_EQ(report.erased, 0u);

  clock_.SetTime(Day(5));
  report = Pass();
  EXPECT_EQ(report.streams, 4u);
  EXPECT_EQ(report.erased, 1u);
  EXPECT_EQ(report.held, 1u);
  EXPECT_TRUE(Erased("due"));
  EXPECT_FALSE(Erased("held"));
  EXPECT_FALSE(Erased("later"));
  EXPECT_FALSE(Erased("kept"));
  // The erasure names the rule, not a person, as its second principal.
  std::vector<returnpath::v1::EventEnvelope> events = Events("due");
  returnpath::v1::StreamErased erased;
  ASSERT_TRUE(events.back().payload().UnpackTo(&erased));
  EXPECT_EQ(events.back().principal(), "system:retention");
  EXPECT_EQ(erased.approved_by(), "policy fake-1");
  EXPECT_THAT(erased.reason(), HasSubstr("the fake's retain word"));

  // A held stream refuses a manual erasure too, naming the hold.
  returnpath::v1::ErasureApproval approval;
  approval.set_stream_id("held");
  approval.set_approved_by("auditor");
  approval.set_reason("permit granted");
  ASSERT_TRUE(store_->ApproveErasure(approval).ok());
  EraseRequest request;
  request.stream_id = "held";
  request.principal = "admin";
  request.reason = "permit granted";
  const absl::Status refused =
      EraseStream(*store_, workflow_, std::move(request)).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("legal hold placed by auditor"));

  // Lifted, the next pass erases it.
  absl::StatusOr<returnpath::v1::LegalHold> lifted =
      store_->LiftLegalHold("held");
  ASSERT_TRUE(lifted.ok()) << lifted.status();
  EXPECT_EQ(lifted->reason(), "court case 21-044");
  EXPECT_EQ(store_->LiftLegalHold("held").status().code(),
            absl::StatusCode::kNotFound);
  report = Pass();
  EXPECT_EQ(report.erased, 1u);
  EXPECT_TRUE(Erased("held"));
}

}  // namespace
}  // namespace returnpath::engine
