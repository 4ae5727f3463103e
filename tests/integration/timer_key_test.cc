// The departure deadline cannot be switched off from outside: the key the
// engine fires a timer with is visible in the pathway view, and a reception
// user who records an event with it first (on the person, or on someone
// else) must not stop the person becoming overstayed and referred.

#include "engine/timer_loop.h"
#include "gmock/gmock.h"
#include "returnpath/v1/engine.pb.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

class TimerKeyTest : public IntegrationTest {
 protected:
  // Registers `id` at Oslo-1 and, on that day, records a final rejection
  // notified on 2026-03-02: the departure deadline runs out at midnight Oslo
  // on 03-23.
  void RegisterFinallyRejected(const std::string& id) {
    RP_ASSERT_OK(Register({.id = id, .nationality = "IQ"}));
    RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T08:00:00Z")));
    RP_ASSERT_OK(Record(id, "final-rejection", {{"notified", "2026-03-02"}}));
  }

  // The key the deadline timer will fire with, from what GetPathway shows.
  std::string DeadlineKey(const std::string& id) {
    absl::StatusOr<v1::PathwayView> view = View(id);
    EXPECT_TRUE(view.ok()) << view.status();
    if (!view.ok()) return "";
    for (const v1::Timer& timer : view->timers()) {
      if (timer.kind() == "departure_deadline") {
        return engine::TimerFiredKey(timer);
      }
    }
    ADD_FAILURE() << id << " has no departure_deadline timer";
    return "";
  }

  // The adviser records a harmless event on `id` under `key`.
  absl::StatusOr<v1::RecordEventResponse> RecordWithKey(
      const std::string& id, const std::string& key) {
    absl::StatusOr<client::BuiltEvent> event =
        client::BuildEvent("return-conversation", {{"note", "routine"}});
    if (!event.ok()) return event.status();
    client::RecordOptions options;
    options.idempotency_key = key;
    return As("adviser").Record(id, *event, options);
  }

  void ExpectOverstayedAndReferred(const std::string& id,
                                   const std::string& claimed_key) {
    absl::StatusOr<v1::EventEnvelope> fired =
        WaitForTimer(id, "departure_deadline");
    RP_ASSERT_OK(fired);
    EXPECT_EQ(fired->idempotency_key(), claimed_key);  // the very key claimed
    absl::StatusOr<v1::PathwayState> state = State(id);
    RP_ASSERT_OK(state);
    EXPECT_EQ(state->stage(), v1::STAGE_OVERSTAYED);
    absl::StatusOr<v1::PathwayView> view = View(id);
    RP_ASSERT_OK(view);
    EXPECT_EQ(TasksOfKind(*view, "police_referral").size(), 1u);
  }
};

TEST_F(TimerKeyTest, ClaimingTheFiringKeyOnThePersonDoesNotStopTheDeadline) {
  RegisterFinallyRejected("P-1");
  const std::string key = DeadlineKey("P-1");
  ASSERT_FALSE(key.empty());
  RP_ASSERT_OK(RecordWithKey("P-1", key));

  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-23T23:00:01Z")));
  ExpectOverstayedAndReferred("P-1", key);
}

TEST_F(TimerKeyTest, ClaimingTheFiringKeyOnAnotherPersonDoesNotParkTheTimer) {
  RegisterFinallyRejected("P-1");
  RP_ASSERT_OK(Register({.id = "P-2"}));
  const std::string key = DeadlineKey("P-1");
  ASSERT_FALSE(key.empty());
  RP_ASSERT_OK(RecordWithKey("P-2", key));

  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-23T23:00:01Z")));
  ExpectOverstayedAndReferred("P-1", key);
  absl::StatusOr<std::vector<v1::Task>> police =
      QueueTasks("police", "police/pu");
  RP_ASSERT_OK(police);
  ASSERT_EQ(police->size(), 1u);
  EXPECT_EQ(police->front().stream_id(), "P-1");
}

}  // namespace
}  // namespace returnpath::integration
