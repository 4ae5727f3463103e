// Erasing a stream (EventStore::ApproveErasure, Erase; EraseStream): two
// principals, one write that removes what was derived from the stream, a
// chain and a replay that stay whole, statistics that keep their numbers.

#include "engine/replay.h"
#include "engine/task_queue.h"
#include "engine/testing/runtime_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace returnpath::engine {
namespace {

using ::returnpath::engine::testing::Day;
using ::returnpath::engine::testing::Req;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class EraseStreamTest : public testing::RuntimeTest {
 protected:
  absl::Status Approve(const std::string& stream, const std::string& by) {
    returnpath::v1::ErasureApproval approval;
    approval.set_stream_id(stream);
    approval.set_approved_by(by);
    approval.set_reason("permit granted");
    return store_->ApproveErasure(approval);
  }
  absl::StatusOr<EraseResult> Erase(const std::string& stream,
                                    const std::string& by) {
    EraseRequest request;
    request.stream_id = stream;
    request.principal = by;
    request.reason = "permit granted";
    return EraseStream(*store_, workflow_, std::move(request));
  }
  std::vector<std::string> Rows() {
    absl::StatusOr<StatisticsReport> report =
        Statistics(*store_, workflow_, absl::InfinitePast(),
                   absl::InfiniteFuture(), nullptr);
    EXPECT_TRUE(report.ok()) << report.status();
    std::vector<std::string> out;
    if (!report.ok()) return out;
    for (const StatisticsRow& row : report->rows) {
      out.push_back(absl::StrCat(row.category, " ", row.month, " ", row.group,
                                 " ", row.count));
    }
    return out;
  }
  uint64_t Differences() {
    absl::StatusOr<ReplayReport> report =
        ReplayCheck(*store_, workflow_, ReplayCheckOptions());
    EXPECT_TRUE(report.ok()) << report.status();
    if (!report.ok()) return 1;
    for (const ReplayDifference& d : report->differences) {
      ADD_FAILURE() << d.stream_id << " " << d.what << ": " << d.detail;
    }
    return report->difference_count;
  }
};

TEST_F(EraseStreamTest, NeedsAnApprovalByAnotherPrincipal) {
  Append("p1", "depart:AF");
  EXPECT_EQ(Erase("p1", "admin").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Approve("nobody", "auditor").code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(Approve("p1", "admin").ok());
  const absl::Status own = Erase("p1", "admin").status();
  EXPECT_EQ(own.code(), absl::StatusCode::kPermissionDenied) << own;
  EXPECT_THAT(own.message(), HasSubstr("two principals"));
  ASSERT_TRUE(Approve("p1", "auditor").ok());  // replaces the first
  // An approval runs out.
  clock_.Advance(absl::Hours(24 * 8));
  const absl::Status expired = Erase("p1", "admin").status();
  EXPECT_EQ(expired.code(), absl::StatusCode::kFailedPrecondition) << expired;
  EXPECT_THAT(expired.message(), HasSubstr("expired"));
  ASSERT_TRUE(Approve("p1", "auditor").ok());
  absl::StatusOr<EraseResult> erased = Erase("p1", "admin");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->approval.approved_by(), "auditor");
  EXPECT_EQ(erased->events_erased, 1u);
}

TEST_F(EraseStreamTest, RemovesWhatWasDerivedAndKeepsTheRestWhole) {
  Append("p1", "arm:t1:9 open:k1:q:10:5 depart:AF");
  Append("p2", "arm:t2:9 open:k2:q:20:5 depart:SO");
  auto queue = TaskQueue::Create(store_.get(), &clock_, TaskQueueOptions());
  ASSERT_TRUE(queue.ok());
  // p1's task is leased when p1 is erased.
  absl::StatusOr<std::optional<returnpath::v1::Task>> leased =
      (*queue)->Lease("q", "w", absl::Minutes(5));
  ASSERT_TRUE(leased.ok() && leased->has_value());
  ASSERT_EQ((*leased)->stream_id(), "p1");
  const std::vector<std::string> before = Rows();

  ASSERT_TRUE(Approve("p1", "auditor").ok());
  absl::StatusOr<EraseResult> erased = Erase("p1", "admin");
  ASSERT_TRUE(erased.ok()) << erased.status();

  EXPECT_THAT(*store_->TimersForStream("p1"), IsEmpty());
  EXPECT_THAT(*store_->TasksForStream("p1"), IsEmpty());
  EXPECT_EQ(store_->TimersForStream("p2")->size(), 1u);
  EXPECT_EQ(store_->TasksForStream("p2")->size(), 1u);
  absl::StatusOr<returnpath::v1::StreamRecord> record =
      store_->GetStreamRecord("p1");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->erased_at_position(), erased->position);
  EXPECT_TRUE(record->state().empty());
  EXPECT_THAT(record->index_keys(), IsEmpty());
  // The lease went with the task.
  EXPECT_EQ(
      (*queue)
          ->Complete({{"p1", (*leased)->id(), "w"}, "held", "", "", "", ""})
          .status()
          .code(),
      absl::StatusCode::kNotFound);
  // The stream takes no more events, not even as another's related event.
  AppendRequest more = Req("p1", {"depart:AF"});
  EXPECT_EQ(store_->Append(std::move(more)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  const absl::Status related =
      store_->Append(Req("p2", {"to:p1:depart:AF"})).status();
  EXPECT_EQ(related.code(), absl::StatusCode::kFailedPrecondition) << related;
  EXPECT_THAT(related.message(), HasSubstr("erased"));

  EXPECT_EQ(Rows(), before);
  EXPECT_EQ(Differences(), 0u);
  EXPECT_TRUE(store_->Verify(1, store_->LastPosition(), nullptr).ok());
  // As-of views of an erased stream are refused, not folded from what is
  // left.
  EXPECT_EQ(StreamAsOfPosition(*store_, workflow_, "p1", erased->position - 1)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  // A second erasure finds it erased.
  ASSERT_FALSE(Approve("p1", "auditor").ok());
  EXPECT_EQ(Erase("p1", "admin").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// The erased streams' statistics survive a reopen and sum across streams.
TEST_F(EraseStreamTest, StatisticsOfErasedStreamsAddUp) {
  Append("p1", "depart:AF", Day(1));
  Append("p2", "depart:AF", Day(2));
  Append("p3", "depart:SO", Day(40));
  const std::vector<std::string> before = Rows();
  for (const char* stream : {"p1", "p3"}) {
    ASSERT_TRUE(Approve(stream, "auditor").ok());
    ASSERT_TRUE(Erase(stream, "admin").ok());
  }
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  Open();
  EXPECT_EQ(Rows(), before);
  absl::StatusOr<StatisticsReport> april =
      Statistics(*store_, workflow_, Day(32), Day(62), nullptr);
  ASSERT_TRUE(april.ok());
  ASSERT_EQ(april->rows.size(), 1u);
  EXPECT_EQ(april->rows[0].group, "SO");
  EXPECT_EQ(april->erased_streams, 2u);
  EXPECT_EQ(Differences(), 0u);
}

}  // namespace
}  // namespace returnpath::engine
