// The return pathway end to end through the client library against the real
// daemon: derived final rejection, relocation and conversation tasks, IOM
// tier, departure; overstay and police referral; disappearance and return;
// late-recorded events; corrections; what auditors see.

#include "clients/lib/time_text.h"
#include "gmock/gmock.h"
#include "returnpath/v1/engine.pb.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

std::string Date(const v1::Date& date) { return client::DateText(date); }

class PathwayFlowTest : public IntegrationTest {
 protected:
  // Registers `id` on the clock's first day and moves to 09:00 Oslo on
  // 2026-03-02.
  void RegisterAndStartMarch2(const PersonSpec& person) {
    RP_ASSERT_OK(Register(person));
    RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T08:00:00Z")));
  }

  // Polls `queue` as `role` and completes every task of `kind` it is given;
  // returns how many it completed. Other kinds are released.
  int CompleteAll(const std::string& role, const std::string& queue,
                  const std::string& kind, const std::string& outcome) {
    int completed = 0;
    for (int i = 0; i < 10; ++i) {
      v1::PollTasksRequest poll;
      poll.set_queue(queue);
      poll.set_worker("desk-1");
      absl::StatusOr<v1::PollTasksResponse> got = As(role).Poll(poll);
      EXPECT_TRUE(got.ok()) << got.status();
      if (!got.ok() || !got->has_task()) break;
      const v1::Task& task = got->task();
      EXPECT_EQ(task.state(), v1::TASK_STATE_LEASED);
      v1::TaskRef ref;
      ref.set_person_id(task.stream_id());
      ref.set_task_id(task.id());
      ref.set_worker("desk-1");
      if (task.kind() != kind) {
        v1::ReleaseTaskRequest release;
        *release.mutable_task() = ref;
        EXPECT_TRUE(As(role).Release(release).ok());
        break;
      }
      v1::CompleteTaskRequest complete;
      *complete.mutable_task() = ref;
      complete.set_outcome(outcome);
      absl::StatusOr<v1::CompleteTaskResponse> done =
          As(role).Complete(complete);
      EXPECT_TRUE(done.ok()) << done.status();
      if (!done.ok()) break;
      EXPECT_GT(done->position(), 0u);
      ++completed;
    }
    return completed;
  }
};

// Persons followed through relocation, departure or another centre, and the
// reception queue: what a national team sees, not one desk at Oslo-1.
class NationalTeamFlowTest : public PathwayFlowTest {
 protected:
  DaemonOptions Options() const override { return NationalTeam(); }
};

TEST_F(NationalTeamFlowTest, FirstRejectionToAssistedDeparture) {
  RegisterAndStartMarch2({.id = "P-1"});
  RP_ASSERT_OK(Record("P-1", "first-rejection", {{"notified", "2026-03-02"}}));
  absl::StatusOr<v1::PathwayState> state = State("P-1");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_FIRST_REJECTION);
  EXPECT_EQ(Date(state->appeal_window().date()), "2026-03-23");
  EXPECT_EQ(state->appeal_window().rule(), "appeal_window");

  // Past the appeal window (last day 2026-03-23, expires at the end of it in
  // Oslo): the engine derives the final rejection itself.
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-24T08:00:00Z")));
  absl::StatusOr<v1::EventEnvelope> fired =
      WaitForTimer("P-1", "appeal_window");
  RP_ASSERT_OK(fired);
  state = State("P-1");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(state->final_rejection().basis(),
            v1::FINAL_REJECTION_BASIS_NOT_APPEALED);
  EXPECT_EQ(state->final_rejection().derived_at_version(),
            fired->stream_version());
  EXPECT_EQ(Date(state->departure_deadline().date()), "2026-04-14");
  absl::StatusOr<std::vector<v1::EventEnvelope>> history = History("P-1");
  RP_ASSERT_OK(history);
  std::vector<std::string> types;
  for (const v1::EventEnvelope& e : *history) types.push_back(PayloadType(e));
  EXPECT_THAT(types, Contains("returnpath.v1.TimerFired"));
  EXPECT_EQ(history->back().principal(), "system:timer");

  // Relocation at once to reception, a return conversation to the advisers.
  absl::StatusOr<v1::PathwayView> view = View("P-1");
  RP_ASSERT_OK(view);
  std::vector<v1::Task> relocation = TasksOfKind(*view, "relocation");
  ASSERT_EQ(relocation.size(), 1u);
  EXPECT_EQ(relocation[0].queue(), "reception/Oslo-1");
  std::vector<v1::Task> conversation =
      TasksOfKind(*view, "return_conversation");
  ASSERT_FALSE(conversation.empty());
  EXPECT_EQ(conversation[0].queue(), "advisers/Oslo-1");

  EXPECT_EQ(
      CompleteAll("reception", "reception/Oslo-1", "relocation", "relocated"),
      1);
  EXPECT_GE(
      CompleteAll("adviser", "advisers/Oslo-1", "return_conversation", "held"),
      1);
  view = View("P-1");
  RP_ASSERT_OK(view);
  EXPECT_TRUE(TasksOfKind(*view, "relocation").empty());
  EXPECT_TRUE(TasksOfKind(*view, "return_conversation").empty());
  history = History("P-1");
  RP_ASSERT_OK(history);
  int completions = 0;
  for (const v1::EventEnvelope& e : *history) {
    completions += PayloadType(e) == "returnpath.v1.TaskCompleted";
  }
  EXPECT_GE(completions, 2);

  // IOM application before the departure deadline: the highest tier.
  RP_ASSERT_OK(
      Record("P-1", "iom-application", {{"programme", "irrana"}}, "adviser"));
  state = State("P-1");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_RETURN_PREPARATION);
  EXPECT_EQ(state->iom().tier_rank(), 1);
  EXPECT_EQ(state->iom().support_nok(), 20000);
  EXPECT_EQ(state->iom().tier_policy_version(), "2012-01-01");

  RP_ASSERT_OK(
      Record("P-1", "departure", {{"kind", "assisted"}, {"to", "AF"}}));
  view = View("P-1");
  RP_ASSERT_OK(view);
  state = State("P-1");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_DEPARTED_VOLUNTARY);
  EXPECT_EQ(view->open_tasks_size(), 0);
  EXPECT_EQ(view->timers_size(), 0);

  // Terminal: nothing more may happen.
  absl::StatusOr<v1::RecordEventResponse> late =
      Record("P-1", "disappeared", {{"note", "after departure"}});
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition)
      << late.status();

  v1::StatisticsRequest stats;
  absl::StatusOr<v1::StatisticsResponse> rows = As("auditor").Statistics(stats);
  RP_ASSERT_OK(rows);
  bool counted = false;
  for (const v1::StatisticsRow& row : rows->rows()) {
    if (row.category() == "assisted_return" && row.group() == "AF" &&
        row.month() == "2026-03") {
      counted = row.count() == 1;
    }
  }
  EXPECT_TRUE(counted) << rows->DebugString();
}

TEST_F(NationalTeamFlowTest, OverstayGoesToThePoliceOnlyAfterTheDeadline) {
  RegisterAndStartMarch2({.id = "P-2", .nationality = "IQ"});
  RP_ASSERT_OK(Record("P-2", "final-rejection", {{"notified", "2026-03-02"}}));
  absl::StatusOr<v1::PathwayState> state = State("P-2");
  RP_ASSERT_OK(state);
  ASSERT_EQ(Date(state->departure_deadline().date()), "2026-03-23");

  // 23:00 Oslo on the last day: still lawful, no referral.
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-23T22:00:00Z")));
  state = State("P-2");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_FINAL_REJECTION);
  absl::StatusOr<std::vector<v1::Task>> police =
      QueueTasks("police", "police/pu");
  RP_ASSERT_OK(police);
  EXPECT_TRUE(police->empty()) << police->front().DebugString();
  absl::StatusOr<v1::PathwayView> view = View("P-2");
  RP_ASSERT_OK(view);
  EXPECT_TRUE(TasksOfKind(*view, "police_referral").empty());
  bool armed = false;
  for (const v1::Timer& timer : view->timers())
    armed |= timer.kind() == "departure_deadline";
  EXPECT_TRUE(armed);

  // Midnight in Oslo: overstayed, referred to the police.
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-23T23:00:01Z")));
  RP_ASSERT_OK(WaitForTimer("P-2", "departure_deadline"));
  state = State("P-2");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_OVERSTAYED);
  police = QueueTasks("police", "police/pu");
  RP_ASSERT_OK(police);
  ASSERT_EQ(police->size(), 1u);
  EXPECT_EQ(police->front().kind(), "police_referral");
  EXPECT_EQ(police->front().stream_id(), "P-2");
  EXPECT_EQ(police->front().rule(), "overstay");

  // The police take the referral and record the forced return.
  v1::PollTasksRequest poll;
  poll.set_queue("police/pu");
  poll.set_worker("pu-1");
  absl::StatusOr<v1::PollTasksResponse> got = As("police").Poll(poll);
  RP_ASSERT_OK(got);
  ASSERT_TRUE(got->has_task());
  v1::CompleteTaskRequest complete;
  complete.mutable_task()->set_person_id("P-2");
  complete.mutable_task()->set_task_id(got->task().id());
  complete.mutable_task()->set_worker("pu-1");
  complete.set_outcome("referred");
  RP_ASSERT_OK(As("police").Complete(complete));
  RP_ASSERT_OK(
      Record("P-2", "departure", {{"kind", "forced"}, {"to", "IQ"}}, "police"));
  state = State("P-2");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_DEPARTED_FORCED);
}

TEST_F(NationalTeamFlowTest, DisappearanceAndReturn) {
  RegisterAndStartMarch2({.id = "P-3"});
  RP_ASSERT_OK(Record("P-3", "final-rejection", {{"notified", "2026-03-02"}}));
  RP_ASSERT_OK(
      Record("P-3", "disappeared", {{"note", "left without an address"}}));
  absl::StatusOr<v1::PathwayState> state = State("P-3");
  RP_ASSERT_OK(state);
  EXPECT_TRUE(state->whereabouts_unknown());
  EXPECT_EQ(state->stage(),
            v1::STAGE_FINAL_REJECTION);  // the stage keeps running
  absl::StatusOr<v1::PathwayView> view = View("P-3");
  RP_ASSERT_OK(view);
  std::vector<v1::Task> police = TasksOfKind(*view, "disappearance");
  ASSERT_EQ(police.size(), 1u);
  EXPECT_EQ(police[0].queue(), "police/pu");

  // Fourteen days later the reception place is released.
  RP_ASSERT_OK(AdvanceBy(absl::Hours(24 * 15)));
  RP_ASSERT_OK(WaitForTimer("P-3", "place_release"));
  state = State("P-3");
  RP_ASSERT_OK(state);
  EXPECT_TRUE(state->residence().place_released());

  RP_ASSERT_OK(Record("P-3", "reappeared", {{"centre", "Oslo-2"}}));
  state = State("P-3");
  RP_ASSERT_OK(state);
  EXPECT_FALSE(state->whereabouts_unknown());
  view = View("P-3");
  RP_ASSERT_OK(view);
  EXPECT_TRUE(TasksOfKind(*view, "disappearance").empty());
}

TEST_F(PathwayFlowTest, LateRecordedRejectionFiresItsConsequencesAtOnce) {
  RegisterAndStartMarch2({.id = "P-5"});
  // Notified in January, recorded in March: the appeal window (to 2026-01-26)
  // and the derived departure deadline (2026-02-17) both passed long ago, so
  // the whole chain fires at once: final rejection, then overstay.
  RP_ASSERT_OK(Record("P-5", "first-rejection", {{"notified", "2026-01-05"}}));
  RP_ASSERT_OK(WaitForTimer("P-5", "appeal_window"));
  RP_ASSERT_OK(WaitForTimer("P-5", "departure_deadline"));
  absl::StatusOr<v1::PathwayState> state = State("P-5");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_OVERSTAYED);
  EXPECT_EQ(state->final_rejection().basis(),
            v1::FINAL_REJECTION_BASIS_NOT_APPEALED);
  EXPECT_EQ(Date(state->final_rejection().notified_on()), "2026-01-27");
  EXPECT_EQ(Date(state->departure_deadline().date()), "2026-02-17");
  absl::StatusOr<v1::PathwayView> view = View("P-5");
  RP_ASSERT_OK(view);
  EXPECT_EQ(TasksOfKind(*view, "police_referral").size(), 1u);
}

TEST_F(PathwayFlowTest, AppealWithDeferredImplementationWaitsForUne) {
  RegisterAndStartMarch2({.id = "P-6"});
  RP_ASSERT_OK(Record("P-6", "first-rejection", {{"notified", "2026-03-02"}}));
  RP_ASSERT_OK(
      Record("P-6", "appeal",
             {{"lodged", "2026-03-02"}, {"deferred-implementation", "true"}}));
  absl::StatusOr<v1::PathwayState> state = State("P-6");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_APPEAL_PENDING);
  // The appeal window passing changes nothing now.
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-25T08:00:00Z")));
  state = State("P-6");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_APPEAL_PENDING);
  RP_ASSERT_OK(Record("P-6", "appeal-decided",
                      {{"outcome", "rejected"}, {"notified", "2026-03-25"}}));
  state = State("P-6");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_FINAL_REJECTION);
  EXPECT_EQ(Date(state->departure_deadline().date()), "2026-04-15");
}

TEST_F(PathwayFlowTest, CorrectionMovesTheDeadlineAndKeepsTheHistory) {
  RegisterAndStartMarch2({.id = "P-7"});
  absl::StatusOr<v1::RecordEventResponse> wrong =
      Record("P-7", "first-rejection", {{"notified", "2026-02-27"}});
  RP_ASSERT_OK(wrong);
  absl::StatusOr<v1::PathwayState> before = State("P-7");
  RP_ASSERT_OK(before);
  EXPECT_EQ(Date(before->appeal_window().date()), "2026-03-20");
  absl::StatusOr<client::BuiltEvent> right =
      client::BuildEvent("first-rejection", {{"notified", "2026-03-02"}});
  RP_ASSERT_OK(right);
  absl::StatusOr<client::BuiltEvent> correction = client::BuildEvent(
      "correction",
      {{"position", absl::StrCat(wrong->position())}, {"reason", "typo"}},
      &*right);
  RP_ASSERT_OK(correction);
  RP_ASSERT_OK(As("reception").Record("P-7", *correction));
  absl::StatusOr<v1::PathwayState> state = State("P-7");
  RP_ASSERT_OK(state);
  EXPECT_EQ(Date(state->appeal_window().date()), "2026-03-23");
  absl::StatusOr<std::vector<v1::EventEnvelope>> history = History("P-7");
  RP_ASSERT_OK(history);
  ASSERT_EQ(history->size(), 3u);  // registered, the wrong one, the correction
  EXPECT_EQ(PayloadType((*history)[1]), "returnpath.v1.FirstRejection");
  EXPECT_EQ(PayloadType((*history)[2]), "returnpath.v1.EventCorrected");

  RP_ASSERT_OK(Record("P-7", "retraction",
                      {{"position", absl::StrCat(wrong->position())},
                       {"reason", "recorded for the wrong person"}}));
  state = State("P-7");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_ASYLUM_PENDING);
}

TEST_F(PathwayFlowTest, AuditorsNoLongerCountARejectionThatWasRetracted) {
  RegisterAndStartMarch2({.id = "P-9", .nationality = "ER"});
  absl::StatusOr<v1::RecordEventResponse> rejection =
      Record("P-9", "first-rejection", {{"notified", "2026-03-02"}});
  RP_ASSERT_OK(rejection);
  // Not appealed: the rejection becomes final when the window closes.
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-25T12:00:00Z")));
  RP_ASSERT_OK(WaitForTimer("P-9", "appeal_window"));
  absl::StatusOr<v1::PathwayState> state = State("P-9");
  RP_ASSERT_OK(state);
  ASSERT_EQ(state->stage(), v1::STAGE_FINAL_REJECTION);
  auto final_rejections = [&]() -> int64_t {
    absl::StatusOr<v1::StatisticsResponse> rows =
        As("auditor").Statistics(v1::StatisticsRequest());
    EXPECT_TRUE(rows.ok()) << rows.status();
    int64_t count = 0;
    for (const v1::StatisticsRow& row : rows->rows()) {
      if (row.category() == "final_rejection" && row.group() == "ER") {
        EXPECT_EQ(row.month(), "2026-03");
        count += static_cast<int64_t>(row.count());
      }
    }
    return count;
  };
  EXPECT_EQ(final_rejections(), 1);

  RP_ASSERT_OK(Record("P-9", "retraction",
                      {{"position", absl::StrCat(rejection->position())},
                       {"reason", "the decision was for another person"}}));
  state = State("P-9");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_ASYLUM_PENDING);
  EXPECT_EQ(final_rejections(), 0);
}

TEST_F(PathwayFlowTest, RetryWithTheSameIdempotencyKeyRecordsOnce) {
  RegisterAndStartMarch2({.id = "P-8"});
  absl::StatusOr<client::BuiltEvent> event =
      client::BuildEvent("first-rejection", {{"notified", "2026-03-02"}});
  RP_ASSERT_OK(event);
  client::RecordOptions options;
  options.idempotency_key = "udi-2026-0042";
  absl::StatusOr<v1::RecordEventResponse> first =
      As("reception").Record("P-8", *event, options);
  absl::StatusOr<v1::RecordEventResponse> again =
      As("reception").Record("P-8", *event, options);
  RP_ASSERT_OK(first);
  RP_ASSERT_OK(again);
  EXPECT_FALSE(first->deduplicated());
  EXPECT_TRUE(again->deduplicated());
  EXPECT_EQ(first->position(), again->position());
  EXPECT_EQ(first->version(), again->version());
}

TEST_F(PathwayFlowTest, AuditorsSeeThePastVerifyAndReplay) {
  RegisterAndStartMarch2({.id = "P-4"});
  absl::StatusOr<v1::RecordEventResponse> rejected =
      Record("P-4", "first-rejection", {{"notified", "2026-03-02"}});
  RP_ASSERT_OK(rejected);
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-10T08:00:00Z")));
  absl::StatusOr<v1::RecordEventResponse> appealed =
      Record("P-4", "appeal",
             {{"lodged", "2026-03-09"}, {"deferred-implementation", "true"}});
  RP_ASSERT_OK(appealed);
  RP_ASSERT_OK(Record("P-4", "appeal-decided",
                      {{"outcome", "rejected"}, {"notified", "2026-03-10"}}));

  auto stage_as_of = [&](v1::AsOfRequest request) -> v1::Stage {
    request.set_person_id("P-4");
    absl::StatusOr<v1::PathwayView> view = As("auditor").PathwayAsOf(request);
    EXPECT_TRUE(view.ok()) << view.status();
    v1::PathwayState state;
    if (!view.ok() || !view->state().UnpackTo(&state))
      return v1::STAGE_UNSPECIFIED;
    return state.stage();
  };
  v1::AsOfRequest legally;
  *legally.mutable_effective_time() =
      client::ToTimestamp(Utc("2026-03-05T12:00:00Z"));
  EXPECT_EQ(stage_as_of(legally), v1::STAGE_FIRST_REJECTION);
  v1::AsOfRequest at_position;
  at_position.set_position(appealed->position());
  EXPECT_EQ(stage_as_of(at_position), v1::STAGE_APPEAL_PENDING);
  v1::AsOfRequest known;
  *known.mutable_recorded_time() =
      client::ToTimestamp(Utc("2026-03-02T09:00:00Z"));
  EXPECT_EQ(stage_as_of(known), v1::STAGE_FIRST_REJECTION);
  v1::AsOfRequest now;
  *now.mutable_effective_time() =
      client::ToTimestamp(Utc("2026-03-10T12:00:00Z"));
  EXPECT_EQ(stage_as_of(now), v1::STAGE_FINAL_REJECTION);

  // The log is intact, in whole and in part, with progress reported.
  std::optional<v1::VerifyOutcome> outcome;
  RP_ASSERT_OK(As("auditor").Verify(v1::VerifyRequest(),
                                    [&](const v1::VerifyResponse& r) {
                                      if (r.has_outcome())
                                        outcome = r.outcome();
                                      return true;
                                    }));
  ASSERT_TRUE(outcome.has_value());
  EXPECT_TRUE(outcome->ok()) << outcome->message();
  EXPECT_GE(outcome->checked(), 4u);
  v1::VerifyRequest part;
  part.set_from_position(2);
  part.set_to_position(3);
  outcome.reset();
  RP_ASSERT_OK(As("auditor").Verify(part, [&](const v1::VerifyResponse& r) {
    if (r.has_outcome()) outcome = r.outcome();
    return true;
  }));
  ASSERT_TRUE(outcome.has_value());
  EXPECT_TRUE(outcome->ok());
  EXPECT_EQ(outcome->checked(), 2u);

  // Rebuilding every pathway from the log gives what is stored.
  std::optional<v1::ReplayOutcome> replay;
  std::vector<std::string> differences;
  RP_ASSERT_OK(As("auditor").ReplayCheck(
      v1::ReplayCheckRequest(), [&](const v1::ReplayCheckResponse& r) {
        if (r.has_difference()) {
          differences.push_back(r.difference().DebugString());
        }
        if (r.has_outcome()) replay = r.outcome();
        return true;
      }));
  ASSERT_TRUE(replay.has_value());
  EXPECT_EQ(replay->differences(), 0u);
  EXPECT_TRUE(differences.empty()) << differences.front();
  EXPECT_GE(replay->streams(), 1u);

  // The global log in order, and the auditor's own reads in the access log.
  std::vector<uint64_t> positions;
  RP_ASSERT_OK(
      As("auditor").Log(v1::LogRequest(), [&](const v1::EventEnvelope& e) {
        positions.push_back(e.position());
        return true;
      }));
  ASSERT_FALSE(positions.empty());
  for (size_t i = 0; i < positions.size(); ++i) EXPECT_EQ(positions[i], i + 1);
  RP_ASSERT_OK(History("P-4"));
  v1::AccessLogRequest access;
  access.set_person_id("P-4");
  absl::StatusOr<v1::AccessLogResponse> log = As("auditor").AccessLog(access);
  RP_ASSERT_OK(log);
  bool auditor_read = false;
  for (const v1::AccessRecord& record : log->records()) {
    auditor_read |=
        record.principal() == "auditor" && record.person_id() == "P-4";
  }
  EXPECT_TRUE(auditor_read) << log->DebugString();
}

}  // namespace
}  // namespace returnpath::integration
