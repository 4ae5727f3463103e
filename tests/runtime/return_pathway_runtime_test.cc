// First rejection -> the appeal window runs out on the clock -> the timer
// loop's TimerFired derives the final rejection -> the relocation task is
// leased and completed -> history replays clean.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/proto_time.h"
#include "engine/replay.h"
#include "engine/task_queue.h"
#include "engine/testing/store_test_util.h"
#include "engine/timer_loop.h"
#include "gtest/gtest.h"
#include "returnpath/v1/pathway.pb.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "tests/runtime/open_runtime.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/pathway_fixture.h"
#include "workflows/return_pathway/return_pathway_workflow.h"

namespace returnpath::engine {
namespace {

namespace v1 = ::returnpath::v1;
using ::returnpath::engine::testing::TempDir;

using return_pathway::At;  // 10:00 in Norway

using return_pathway::ToDate;

class ReturnPathwayRuntimeTest : public ::testing::Test {
 protected:
  ReturnPathwayRuntimeTest() : clock_(At(kRegistered)) {}

  void SetUp() override {
    auto workflow =
        return_pathway::NewReturnPathwayWorkflow(RETURN_PATHWAY_POLICY_DIR);
    ASSERT_TRUE(workflow.ok()) << workflow.status();
    workflow_ = *std::move(workflow);
    OpenRuntime(dir_.path(), &clock_, workflow_.get(), &store_, &loop_,
                &queue_);
  }

  void TearDown() override {
    queue_.reset();
    loop_.reset();
    store_.reset();
  }

  // Effective at 10:00 on `day`, recorded then or at `recorded` if later.
  void Record(const google::protobuf::Message& payload, absl::CivilDay day,
              const std::string& person = "P1",
              std::optional<absl::CivilDay> recorded = std::nullopt) {
    clock_.SetTime(At(recorded.value_or(day)));
    AppendRequest request;
    request.stream_id = person;
    request.principal = "reception:oslo-1";
    ProposedEvent event;
    event.effective_time = At(day);
    event.payload.PackFrom(payload);
    request.events.push_back(std::move(event));
    absl::StatusOr<AppendResult> result = store_->Append(std::move(request));
    ASSERT_TRUE(result.ok()) << result.status();
  }

  v1::PathwayState State() {
    absl::StatusOr<v1::StreamRecord> record = store_->GetStreamRecord("P1");
    EXPECT_TRUE(record.ok()) << record.status();
    v1::PathwayState state;
    EXPECT_TRUE(state.ParseFromString(record->state()));
    return state;
  }

  std::vector<v1::Timer> Timers() {
    absl::StatusOr<std::vector<v1::Timer>> timers =
        store_->TimersForStream("P1");
    EXPECT_TRUE(timers.ok()) << timers.status();
    return timers.ok() ? *timers : std::vector<v1::Timer>{};
  }

  static constexpr absl::CivilDay kRegistered{2026, 3, 2};
  static constexpr absl::CivilDay kNotified{2026, 3, 4};

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<Workflow> workflow_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<TimerLoop> loop_;
  std::unique_ptr<TaskQueue> queue_;
};

TEST_F(ReturnPathwayRuntimeTest,
       AppealWindowExpiryDerivesFinalRejectionAndRelocation) {
  v1::PersonRegistered registered;
  registered.set_person_id("P1");
  registered.set_household_id("H-P1");
  *registered.mutable_date_of_birth() = ToDate(absl::CivilDay(1990, 1, 1));
  registered.set_nationality("AF");
  registered.set_reception_centre("Oslo-1");
  registered.set_region(v1::REGION_OSLO);
  Record(registered, kRegistered);
  v1::FirstRejection rejection;
  *rejection.mutable_notified_on() = ToDate(kNotified);
  Record(rejection, kNotified);
  ASSERT_EQ(State().stage(), v1::STAGE_FIRST_REJECTION);

  // The appeal window's timer, armed by the first rejection.
  std::optional<v1::Timer> window;
  for (const v1::Timer& t : Timers()) {
    if (t.kind() == "appeal_window") window = t;
  }
  ASSERT_TRUE(window.has_value());
  const absl::Time expiry = FromTimestamp(window->due_time());
  ASSERT_TRUE(loop_->WaitIdle(absl::Seconds(60)).ok());
  EXPECT_EQ(State().stage(), v1::STAGE_FIRST_REJECTION);

  clock_.SetTime(expiry);
  ASSERT_TRUE(loop_->WaitIdle(absl::Seconds(60)).ok());
  EXPECT_EQ(State().stage(), v1::STAGE_FINAL_REJECTION);
  int window_fired = 0;
  absl::StatusOr<std::vector<v1::EventEnvelope>> history =
      store_->ReadStream("P1", 1, 1000);
  ASSERT_TRUE(history.ok()) << history.status();
  for (const v1::EventEnvelope& e : *history) {
    v1::TimerFired fired;
    if (e.payload().UnpackTo(&fired) && fired.kind() == "appeal_window") {
      ++window_fired;
      EXPECT_EQ(e.principal(), "system:timer");
      EXPECT_EQ(FromTimestamp(e.effective_time()), expiry);
    }
  }
  EXPECT_EQ(window_fired, 1);

  // The relocation task was opened the moment the final rejection was derived.
  std::optional<v1::Task> relocation;
  while (true) {
    absl::StatusOr<std::optional<v1::Task>> leased =
        queue_->Lease("reception/Oslo-1", "staff-1", absl::Minutes(30));
    ASSERT_TRUE(leased.ok()) << leased.status();
    if (!leased->has_value()) break;
    if ((*leased)->kind() == "relocation") relocation = **leased;
  }
  ASSERT_TRUE(relocation.has_value());
  CompleteRequest done;
  done.task = TaskRef{"P1", relocation->id(), "staff-1"};
  done.outcome = "relocated";
  done.principal = "reception:oslo-1";
  absl::StatusOr<CompleteResult> completed = queue_->Complete(done);
  ASSERT_TRUE(completed.ok()) << completed.status();
  absl::StatusOr<v1::Task> stored = store_->GetTask("P1", relocation->id());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->state(), v1::TASK_STATE_COMPLETED);
  EXPECT_EQ(stored->closed_at_position(), completed->position);
  for (const v1::Timer& t : Timers()) {
    EXPECT_EQ(t.payload().find(relocation->id()), std::string::npos)
        << "the relocation's escalation timer is still armed: " << t.id();
    EXPECT_EQ(t.id().find(relocation->id()), std::string::npos)
        << "the relocation's escalation timer is still armed: " << t.id();
  }

  // History alone reproduces everything that is stored.
  absl::StatusOr<ReplayReport> report =
      ReplayCheck(*store_, *workflow_, ReplayCheckOptions{});
  ASSERT_TRUE(report.ok()) << report.status();
  for (const ReplayDifference& d : report->differences) {
    ADD_FAILURE() << d.stream_id << " " << d.what << ": " << d.detail;
  }
  // Just before the window closed, the pathway still stood at the first
  // rejection.
  absl::StatusOr<StreamView> before = StreamAsOfEffectiveTime(
      *store_, *workflow_, "P1", expiry - absl::Seconds(1));
  ASSERT_TRUE(before.ok()) << before.status();
  v1::PathwayState then;
  ASSERT_TRUE(then.ParseFromString(before->state));
  EXPECT_EQ(then.stage(), v1::STAGE_FIRST_REJECTION);
}

// §3.3.6 through the engine's queue: the newest final rejection is served
// first, and a long-stayer brought in (rejected long before it was recorded)
// after every recent one.
TEST_F(ReturnPathwayRuntimeTest, RelocationsAreServedNewestFinalRejectionFirst) {
  for (const char* person : {"P-A", "P-B", "P-C"}) {
    v1::PersonRegistered registered;
    registered.set_person_id(person);
    registered.set_household_id(std::string("H-") + person);
    *registered.mutable_date_of_birth() = ToDate(absl::CivilDay(1990, 1, 1));
    registered.set_nationality("AF");
    registered.set_reception_centre("Oslo-1");
    registered.set_region(v1::REGION_OSLO);
    Record(registered, absl::CivilDay(2025, 12, 1), person,
           absl::CivilDay(2026, 3, 10));
  }
  const absl::CivilDay today(2026, 3, 10);
  auto final_rejection = [&](const std::string& person, absl::CivilDay day) {
    v1::FinalRejection rejection;
    *rejection.mutable_notified_on() = ToDate(day);
    Record(rejection, day, person, today);
  };
  final_rejection("P-C", absl::CivilDay(2026, 1, 5));  // a long-stayer
  final_rejection("P-A", absl::CivilDay(2026, 3, 4));
  final_rejection("P-B", absl::CivilDay(2026, 3, 9));
  absl::StatusOr<std::vector<v1::Task>> ready =
      store_->ReadyTasks("reception/Oslo-1", 10);
  ASSERT_TRUE(ready.ok()) << ready.status();
  std::vector<std::string> order;
  for (const v1::Task& task : *ready) {
    if (task.kind() == "relocation") order.push_back(task.stream_id());
  }
  EXPECT_EQ(order, (std::vector<std::string>{"P-B", "P-A", "P-C"}));
}

// A travel document recorded while the police hold the referral: the engine
// changes the referral in place (same id, same lease, a change naming the
// event), and history alone rebuilds it so.
TEST_F(ReturnPathwayRuntimeTest, ATravelDocumentReRanksTheHeldReferralInPlace) {
  v1::PersonRegistered registered;
  registered.set_person_id("P1");
  registered.set_household_id("H-P1");
  *registered.mutable_date_of_birth() = ToDate(absl::CivilDay(1990, 1, 1));
  registered.set_nationality("AF");
  registered.set_reception_centre("Oslo-1");
  registered.set_region(v1::REGION_OSLO);
  registered.mutable_flags()->set_identity_unclarified(true);
  Record(registered, kRegistered);
  v1::FinalRejection rejection;
  *rejection.mutable_notified_on() = ToDate(kNotified);
  Record(rejection, kNotified);
  clock_.SetTime(At(absl::CivilDay(2026, 4, 1)));
  ASSERT_TRUE(loop_->WaitIdle(absl::Seconds(60)).ok());
  absl::StatusOr<std::optional<v1::Task>> leased =
      queue_->Lease("police/pu", "pu-1", absl::Hours(8));
  ASSERT_TRUE(leased.ok()) << leased.status();
  ASSERT_TRUE(leased->has_value());
  const v1::Task held = **leased;
  ASSERT_EQ(held.kind(), "police_referral");
  ASSERT_EQ(held.priority(), 100);

  Record(v1::TravelDocumentObtained(), absl::CivilDay(2026, 4, 1));
  absl::StatusOr<std::vector<v1::EventEnvelope>> history =
      store_->ReadStream("P1", 1, 1000);
  ASSERT_TRUE(history.ok()) << history.status();
  const uint64_t document = history->back().position();
  absl::StatusOr<v1::Task> stored = store_->GetTask("P1", held.id());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->state(), v1::TASK_STATE_LEASED);
  EXPECT_EQ(stored->lease_owner(), "pu-1");
  EXPECT_EQ(stored->priority(), 80);
  ASSERT_EQ(stored->changes_size(), 1);
  EXPECT_EQ(stored->changes(0).position(), document);
  EXPECT_EQ(stored->changes(0).what(), "priority 100 -> 80; new title");

  absl::StatusOr<ReplayReport> report =
      ReplayCheck(*store_, *workflow_, ReplayCheckOptions{});
  ASSERT_TRUE(report.ok()) << report.status();
  for (const ReplayDifference& d : report->differences) {
    ADD_FAILURE() << d.stream_id << " " << d.what << ": " << d.detail;
  }
  CompleteRequest done;
  done.task = TaskRef{"P1", held.id(), "pu-1"};
  done.outcome = "referred";
  done.principal = "police:pu";
  ASSERT_TRUE(queue_->Complete(done).ok());
}

}  // namespace
}  // namespace returnpath::engine
