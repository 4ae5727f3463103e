// Bad input for every RPC, asserting the exact gRPC code: missing fields
// (INVALID_ARGUMENT naming the field), unknown person (NOT_FOUND), stale
// expected version (ABORTED), illegal transition (FAILED_PRECONDITION),
// oversize message (RESOURCE_EXHAUSTED), wrong role (PERMISSION_DENIED), no
// or unknown token (UNAUTHENTICATED), and AdvanceClock without the manual
// clock (FAILED_PRECONDITION).

#include <functional>
#include <map>

#include "clients/lib/time_text.h"
#include "gmock/gmock.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

using Call = std::function<absl::Status(client::Client&)>;

// One call per RPC, each well-formed for person P-1 and queue advisers/Oslo-1.
std::map<std::string, Call> EveryRpc() {
  auto any = [](const auto&) { return true; };
  std::map<std::string, Call> calls;
  calls["RecordEvent"] = [](client::Client& c) {
    absl::StatusOr<client::BuiltEvent> e =
        client::BuildEvent("first-rejection", {{"notified", "2026-03-01"}});
    return c.Record("P-1", *e).status();
  };
  calls["GetPathway"] = [](client::Client& c) {
    return c.GetPathway("P-1").status();
  };
  calls["ListPathways"] = [](client::Client& c) {
    v1::ListPathwaysRequest r;
    r.set_index_prefix("stage/");
    return c.ListPathways(r).status();
  };
  calls["Poll"] = [](client::Client& c) {
    v1::PollTasksRequest r;
    r.set_queue("advisers/Oslo-1");
    return c.Poll(r).status();
  };
  calls["Subscribe"] = [](client::Client& c) {
    v1::SubscribeTasksRequest r;
    r.set_queue("advisers/Oslo-1");
    return c.SubscribeTasks(r, [](const v1::Task&) { return false; });
  };
  auto ref = [] {
    v1::TaskRef ref;
    ref.set_person_id("P-1");
    ref.set_task_id("no-such-task");
    return ref;
  };
  calls["Complete"] = [ref](client::Client& c) {
    v1::CompleteTaskRequest r;
    *r.mutable_task() = ref();
    r.set_outcome("held");
    return c.Complete(r).status();
  };
  calls["Fail"] = [ref](client::Client& c) {
    v1::FailTaskRequest r;
    *r.mutable_task() = ref();
    r.set_error("no interpreter");
    return c.Fail(r).status();
  };
  calls["Release"] = [ref](client::Client& c) {
    v1::ReleaseTaskRequest r;
    *r.mutable_task() = ref();
    return c.Release(r).status();
  };
  calls["ExtendLease"] = [ref](client::Client& c) {
    v1::ExtendLeaseRequest r;
    *r.mutable_task() = ref();
    r.mutable_lease()->set_seconds(60);
    return c.ExtendLease(r).status();
  };
  calls["Claim"] = [ref](client::Client& c) {
    v1::ClaimTaskRequest r;
    *r.mutable_task() = ref();
    return c.Claim(r).status();
  };
  calls["ListMine"] = [](client::Client& c) {
    return c.ListMine(v1::ListMineRequest()).status();
  };
  calls["Reassign"] = [ref](client::Client& c) {
    v1::ReassignTaskRequest r;
    *r.mutable_task() = ref();
    r.set_to_principal("adviser");
    return c.Reassign(r).status();
  };
  calls["Requeue"] = [ref](client::Client& c) {
    v1::RequeueTaskRequest r;
    *r.mutable_task() = ref();
    r.set_reason("interpreter booked");
    return c.Requeue(r).status();
  };
  calls["ListTasks"] = [](client::Client& c) {
    v1::ListTasksRequest r;
    r.set_queue("advisers/Oslo-1");
    return c.ListTasks(r).status();
  };
  calls["ListDeadLetters"] = [](client::Client& c) {
    v1::ListTasksRequest r;
    r.set_queue("advisers/Oslo-1");
    return c.ListDeadLetters(r).status();
  };
  calls["History"] = [any](client::Client& c) {
    v1::HistoryRequest r;
    r.set_person_id("P-1");
    return c.History(r, any);
  };
  calls["Log"] = [any](client::Client& c) {
    return c.Log(v1::LogRequest(), any);
  };
  calls["PathwayAsOf"] = [](client::Client& c) {
    v1::AsOfRequest r;
    r.set_person_id("P-1");
    r.set_position(1);
    return c.PathwayAsOf(r).status();
  };
  calls["Verify"] = [any](client::Client& c) {
    return c.Verify(v1::VerifyRequest(), any);
  };
  calls["ReplayCheck"] = [any](client::Client& c) {
    return c.ReplayCheck(v1::ReplayCheckRequest(), any);
  };
  calls["SubscribeEvents"] = [](client::Client& c) {
    return c.SubscribeEvents(v1::SubscribeEventsRequest(),
                             [](const v1::EventEnvelope&) { return false; });
  };
  calls["Statistics"] = [](client::Client& c) {
    return c.Statistics(v1::StatisticsRequest()).status();
  };
  calls["AccessLog"] = [](client::Client& c) {
    return c.AccessLog(v1::AccessLogRequest()).status();
  };
  calls["Compliance"] = [any](client::Client& c) {
    return c.Compliance(v1::ComplianceRequest(), any);
  };
  calls["AdvanceClock"] = [](client::Client& c) {
    v1::AdvanceClockRequest r;
    r.mutable_by()->set_seconds(1);
    return c.AdvanceClock(r).status();
  };
  calls["Now"] = [](client::Client& c) { return c.Now().status(); };
  calls["ApproveErasure"] = [](client::Client& c) {
    v1::ApproveErasureRequest r;
    r.set_person_id("P-1");
    r.set_reason("residence permit granted");
    return c.ApproveErasure(r).status();
  };
  calls["PlaceLegalHold"] = [](client::Client& c) {
    v1::LegalHoldRequest r;
    r.set_person_id("P-1");
    r.set_reason("court case 21-044");
    return c.PlaceLegalHold(r).status();
  };
  calls["LiftLegalHold"] = [](client::Client& c) {
    v1::LegalHoldRequest r;
    r.set_person_id("P-1");
    return c.LiftLegalHold(r).status();
  };
  calls["Erase"] = [](client::Client& c) {
    v1::EraseRequest r;
    r.set_person_id("P-1");
    r.set_reason("residence permit granted");
    return c.Erase(r).status();
  };
  return calls;
}

class BadInputTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    RP_ASSERT_OK(Register({.id = "P-1"}));
    RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T08:00:00Z")));
  }
};

TEST_F(BadInputTest, EveryRpcNeedsAToken) {
  std::unique_ptr<client::Client> anonymous = WithToken("");
  std::unique_ptr<client::Client> stranger =
      WithToken("not-a-token-anyone-was-given");
  for (const auto& [name, call] : EveryRpc()) {
    absl::Status status = call(*anonymous);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated)
        << name << ": " << status;
    status = call(*stranger);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated)
        << name << ": " << status;
  }
}

TEST_F(BadInputTest, EveryRpcChecksTheRole) {
  // The role that may not make each call (Now is open to every principal).
  const std::map<std::string, std::string> wrong = {
      {"RecordEvent", "auditor"},
      {"GetPathway", "auditor"},
      {"ListPathways", "auditor"},
      {"Poll", "auditor"},
      {"Subscribe", "auditor"},
      {"Complete", "auditor"},
      {"Fail", "auditor"},
      {"Release", "auditor"},
      {"ExtendLease", "auditor"},
      {"Claim", "auditor"},
      {"ListMine", "auditor"},
      {"Reassign", "auditor"},
      {"Requeue", "auditor"},
      {"ListTasks", "auditor"},
      {"ListDeadLetters", "auditor"},
      {"History", "admin"},
      {"Log", "reception"},
      {"PathwayAsOf", "reception"},
      {"Verify", "adviser"},
      {"ReplayCheck", "police"},
      {"SubscribeEvents", "reception"},
      {"Statistics", "reception"},
      {"AccessLog", "adviser"},
      {"Compliance", "police"},
      {"AdvanceClock", "reception"},
      {"ApproveErasure", "reception"},
      {"PlaceLegalHold", "adviser"},
      {"LiftLegalHold", "police"},
      {"Erase", "auditor"},
  };
  for (const auto& [name, call] : EveryRpc()) {
    auto it = wrong.find(name);
    if (it == wrong.end()) {
      EXPECT_EQ(name, "Now");
      continue;
    }
    absl::Status status = call(As(it->second));
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied)
        << name << " as " << it->second << ": " << status;
  }
  // Advisers work queues but do not record events.
  EXPECT_CODE(EveryRpc()["RecordEvent"](As("adviser")), kPermissionDenied, "");
}

TEST_F(BadInputTest, RecordEventFieldsAreNamed) {
  absl::StatusOr<client::BuiltEvent> event =
      client::BuildEvent("first-rejection", {{"notified", "2026-03-02"}});
  RP_ASSERT_OK(event);
  v1::RecordEventRequest good;
  good.set_person_id("P-1");
  *good.mutable_event() = event->event;
  *good.mutable_effective_time() =
      client::ToTimestamp(Utc("2026-03-01T23:00:00Z"));

  v1::RecordEventRequest r = good;
  r.clear_person_id();
  EXPECT_CODE(As("reception").RecordEvent(r), kInvalidArgument, "person_id");
  r = good;
  r.clear_event();
  EXPECT_CODE(As("reception").RecordEvent(r), kInvalidArgument, "event");
  r = good;
  r.clear_effective_time();
  EXPECT_CODE(As("reception").RecordEvent(r), kInvalidArgument,
              "effective_time");
  r = good;
  r.set_person_id(std::string(200, 'x'));
  EXPECT_CODE(As("reception").RecordEvent(r), kInvalidArgument, "person_id");

  // A malformed payload: the workflow names the field.
  absl::StatusOr<client::BuiltEvent> registration =
      client::BuildEvent("register", {{"person", "P-9"},
                                      {"household", "H-9"},
                                      {"born", "1990-05-01"},
                                      {"nationality", "AF"},
                                      {"centre", "Oslo-1"},
                                      {"region", "oslo"}});
  RP_ASSERT_OK(registration);
  v1::PersonRegistered person;
  ASSERT_TRUE(registration->event.UnpackTo(&person));
  person.clear_region();
  client::BuiltEvent no_region;
  no_region.event.PackFrom(person);
  EXPECT_CODE(As("reception").Record("P-9", no_region), kInvalidArgument,
              "region");
  person.set_region(v1::REGION_OSLO);
  person.set_nationality("Afghanistan");
  client::BuiltEvent bad_country;
  bad_country.event.PackFrom(person);
  EXPECT_CODE(As("reception").Record("P-9", bad_country), kInvalidArgument,
              "nationality");

  // Events only the engine records.
  r = good;
  r.mutable_event()->PackFrom(v1::TimerFired());
  EXPECT_CODE(As("reception").RecordEvent(r), kInvalidArgument, "TimerFired");
}

TEST_F(BadInputTest, UnknownPersonIsNotFound) {
  EXPECT_CODE(Record("NOBODY", "first-rejection", {{"notified", "2026-03-02"}}),
              kNotFound, "");
  EXPECT_CODE(As("reception").GetPathway("NOBODY"), kNotFound, "NOBODY");
  v1::HistoryRequest history;
  history.set_person_id("NOBODY");
  EXPECT_CODE(As("auditor").History(history, [](const auto&) { return true; }),
              kNotFound, "NOBODY");
  v1::AsOfRequest as_of;
  as_of.set_person_id("NOBODY");
  as_of.set_position(1);
  EXPECT_CODE(As("auditor").PathwayAsOf(as_of), kNotFound, "");
  v1::CompleteTaskRequest complete;
  complete.mutable_task()->set_person_id("P-1");
  complete.mutable_task()->set_task_id("no-such-task");
  complete.set_outcome("held");
  EXPECT_CODE(As("adviser").Complete(complete), kNotFound, "no-such-task");
  v1::ReleaseTaskRequest release;
  *release.mutable_task() = complete.task();
  EXPECT_CODE(As("adviser").Release(release), kNotFound, "no-such-task");
}

TEST_F(BadInputTest, StaleExpectedVersionIsAborted) {
  absl::StatusOr<v1::PathwayView> view = View("P-1");
  RP_ASSERT_OK(view);
  absl::StatusOr<client::BuiltEvent> event =
      client::BuildEvent("first-rejection", {{"notified", "2026-03-02"}});
  RP_ASSERT_OK(event);
  client::RecordOptions stale;
  stale.expected_version = view->version() + 5;
  EXPECT_CODE(As("reception").Record("P-1", *event, stale), kAborted, "");
  client::RecordOptions fresh;
  fresh.expected_version = view->version();
  RP_EXPECT_OK(As("reception").Record("P-1", *event, fresh));
  // The same expected version again: someone else moved the pathway on.
  EXPECT_CODE(As("reception").Record("P-1", *event, fresh), kAborted, "");
  // Registration with expected version 0 when the person exists.
  client::RecordOptions is_new;
  is_new.expected_version = 0;
  EXPECT_CODE(As("reception").Record("P-1", *event, is_new), kAborted, "");
}

TEST_F(BadInputTest, IllegalTransitionsAreFailedPrecondition) {
  // An appeal without a rejection to appeal against.
  EXPECT_CODE(Record("P-1", "appeal", {{"lodged", "2026-03-02"}}),
              kFailedPrecondition, "");
  // A forced return before any departure deadline expired.
  EXPECT_CODE(
      Record("P-1", "departure", {{"kind", "forced"}, {"to", "AF"}}, "police"),
      kFailedPrecondition, "");
  // Registering twice.
  EXPECT_CODE(Register({.id = "P-1"}), kAlreadyExists, "");
}

TEST_F(BadInputTest, OversizeMessageIsResourceExhausted) {
  v1::ReturnConversationHeld conversation;
  conversation.set_note(std::string(5 << 20, 'x'));  // > 4 MiB
  client::BuiltEvent huge;
  huge.event.PackFrom(conversation);
  EXPECT_CODE(As("reception").Record("P-1", huge), kResourceExhausted, "");
  EXPECT_CODE(As("reception").GetPathway(std::string(5 << 20, 'p')),
              kResourceExhausted, "");
}

TEST_F(BadInputTest, ListingsValidateTheirArguments) {
  v1::ListPathwaysRequest both;
  both.set_index_prefix("stage/");
  both.set_from_key("due/2026-03-01");
  both.set_to_key("due/2026-03-31");
  EXPECT_CODE(As("reception").ListPathways(both), kInvalidArgument,
              "index_prefix");
  v1::ListPathwaysRequest half;
  half.set_from_key("due/2026-03-01");
  EXPECT_CODE(As("reception").ListPathways(half), kInvalidArgument, "to_key");
  v1::ListPathwaysRequest big;
  big.set_index_prefix("stage/");
  big.set_page_size(5000);
  EXPECT_CODE(As("reception").ListPathways(big), kInvalidArgument, "page_size");
  EXPECT_CODE(As("reception").GetPathway(""), kInvalidArgument, "person_id");
}

TEST_F(BadInputTest, TaskCallsNameTheirFields) {
  v1::PollTasksRequest poll;
  EXPECT_CODE(As("adviser").Poll(poll), kInvalidArgument, "queue");
  poll.set_queue("advisers/Oslo-1");
  poll.mutable_wait()->set_seconds(-1);
  EXPECT_CODE(As("adviser").Poll(poll), kInvalidArgument, "wait");
  EXPECT_CODE(
      As("adviser").SubscribeTasks(v1::SubscribeTasksRequest(),
                                   [](const v1::Task&) { return false; }),
      kInvalidArgument, "queue");
  v1::CompleteTaskRequest complete;
  complete.mutable_task()->set_person_id("P-1");
  complete.set_outcome("held");
  EXPECT_CODE(As("adviser").Complete(complete), kInvalidArgument, "task_id");
  complete.mutable_task()->clear_person_id();
  complete.mutable_task()->set_task_id("t");
  EXPECT_CODE(As("adviser").Complete(complete), kInvalidArgument, "person_id");
  EXPECT_CODE(As("adviser").ListTasks(v1::ListTasksRequest()), kInvalidArgument,
              "queue");
  EXPECT_CODE(As("adviser").ListDeadLetters(v1::ListTasksRequest()),
              kInvalidArgument, "queue");

  // On a real task: outcome, error and lease are required.
  RP_ASSERT_OK(Record("P-1", "first-rejection", {{"notified", "2026-03-02"}}));
  v1::PollTasksRequest take;
  take.set_queue("advisers/Oslo-1");
  take.set_worker("w");
  absl::StatusOr<v1::PollTasksResponse> got = As("adviser").Poll(take);
  RP_ASSERT_OK(got);
  ASSERT_TRUE(got->has_task());
  v1::TaskRef ref;
  ref.set_person_id("P-1");
  ref.set_task_id(got->task().id());
  ref.set_worker("w");
  v1::CompleteTaskRequest no_outcome;
  *no_outcome.mutable_task() = ref;
  EXPECT_CODE(As("adviser").Complete(no_outcome), kInvalidArgument, "outcome");
  v1::FailTaskRequest no_error;
  *no_error.mutable_task() = ref;
  EXPECT_CODE(As("adviser").Fail(no_error), kInvalidArgument, "error");
  v1::ExtendLeaseRequest no_lease;
  *no_lease.mutable_task() = ref;
  EXPECT_CODE(As("adviser").ExtendLease(no_lease), kInvalidArgument, "lease");
  v1::ClaimTaskRequest negative_lease;
  *negative_lease.mutable_task() = ref;
  negative_lease.mutable_lease()->set_seconds(-60);
  EXPECT_CODE(As("adviser").Claim(negative_lease), kInvalidArgument, "lease");
  v1::ClaimTaskRequest too_long = negative_lease;
  too_long.mutable_lease()->set_seconds(48 * 3600);
  EXPECT_CODE(As("adviser").Claim(too_long), kInvalidArgument, "lease");
  v1::ReassignTaskRequest no_colleague;
  *no_colleague.mutable_task() = ref;
  EXPECT_CODE(As("adviser").Reassign(no_colleague), kInvalidArgument,
              "to_principal");
  v1::RequeueTaskRequest no_reason;
  *no_reason.mutable_task() = ref;
  EXPECT_CODE(As("adviser").Requeue(no_reason), kInvalidArgument, "reason");
  v1::ClaimTaskRequest no_task;
  EXPECT_CODE(As("adviser").Claim(no_task), kInvalidArgument, "person_id");
  // Another worker does not hold the lease.
  v1::CompleteTaskRequest other;
  *other.mutable_task() = ref;
  other.mutable_task()->set_worker("someone-else");
  other.set_outcome("held");
  EXPECT_CODE(As("adviser").Complete(other), kFailedPrecondition, "");
}

TEST_F(BadInputTest, AuditCallsNameTheirFields) {
  EXPECT_CODE(As("auditor").History(v1::HistoryRequest(),
                                    [](const auto&) { return true; }),
              kInvalidArgument, "person_id");
  v1::AsOfRequest as_of;
  EXPECT_CODE(As("auditor").PathwayAsOf(as_of), kInvalidArgument, "person_id");
  as_of.set_person_id("P-1");
  EXPECT_CODE(As("auditor").PathwayAsOf(as_of), kInvalidArgument,
              "effective_time");
  v1::VerifyRequest verify;
  verify.set_to_position(1000000);
  EXPECT_CODE(As("auditor").Verify(verify, [](const auto&) { return true; }),
              kInvalidArgument, "to_position");
  v1::StatisticsRequest stats;
  *stats.mutable_from() = client::ToTimestamp(Utc("2026-04-01T00:00:00Z"));
  *stats.mutable_to() = client::ToTimestamp(Utc("2026-03-01T00:00:00Z"));
  EXPECT_CODE(As("auditor").Statistics(stats), kInvalidArgument, "from");
}

TEST_F(BadInputTest, ClockNeverGoesBack) {
  v1::AdvanceClockRequest none;
  EXPECT_CODE(As("admin").AdvanceClock(none), kInvalidArgument, "by");
  v1::AdvanceClockRequest back;
  back.mutable_by()->set_seconds(-60);
  EXPECT_CODE(As("admin").AdvanceClock(back), kInvalidArgument, "negative");
  v1::AdvanceClockRequest past;
  *past.mutable_until() = client::ToTimestamp(Utc("2026-01-01T00:00:00Z"));
  EXPECT_CODE(As("admin").AdvanceClock(past), kInvalidArgument, "before now");
}

class SystemClockTest : public IntegrationTest {
 protected:
  DaemonOptions Options() const override {
    DaemonOptions options;
    options.clock = "system";
    return options;
  }
};

TEST_F(SystemClockTest, AdvanceClockNeedsTheManualClock) {
  EXPECT_CODE(AdvanceBy(absl::Hours(24)), kFailedPrecondition, "manual");
  absl::StatusOr<absl::Time> now = As("admin").Now();
  RP_ASSERT_OK(now);
  EXPECT_LT(absl::AbsDuration(*now - absl::Now()), absl::Minutes(5));
}

}  // namespace
}  // namespace returnpath::integration
