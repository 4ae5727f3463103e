// Task work as people do it, through the real daemon: claim a chosen task,
// two advisers reaching for the same one, leases that run out over lunch
// without killing the task, a dead letter put back and closed, the tasks one
// holds and a handover to a colleague; the order people read (priority, then
// overdue, then due), the per-queue counts of QueueSummary, and a
// disappeared person's conversation paused and resumed.

#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "returnpath/v1/engine.pb.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;

// One desk at Oslo-1 with two advisers, and an adviser at Bergen-1. The
// fixture writes each one's token to the data directory, where As() reads it.
DaemonOptions TwoAdvisersAtOslo() {
  const std::vector<std::string> oslo = {"queue/advisers/Oslo-1",
                                         "centre/Oslo-1"};
  return WithPrincipals({{"reception",
                          v1::ROLE_RECEPTION,
                          {"centre/Oslo-1", "queue/reception/Oslo-1"}},
                         {"adviser", v1::ROLE_ADVISER, oslo},
                         {"adviser-2", v1::ROLE_ADVISER, oslo},
                         {"adviser-bergen",
                          v1::ROLE_ADVISER,
                          {"queue/advisers/Bergen-1", "centre/Bergen-1"}},
                         {"auditor", v1::ROLE_AUDITOR, {"*"}},
                         {"admin", v1::ROLE_ADMIN, {}}});
}

class HumanTasksTest : public IntegrationTest {
 protected:
  DaemonOptions Options() const override { return TwoAdvisersAtOslo(); }

  // Registers `person` and records a first rejection notified on `day`
  // (at 09:00 UTC that day): a return conversation for advisers/Oslo-1,
  // due 7 days later. Returns its task id.
  std::string ConversationFor(const std::string& person,
                              const std::string& day) {
    absl::Status registered = StatusOf(Register({.id = person}));
    EXPECT_TRUE(registered.ok()) << registered;
    const absl::Time at = Utc(absl::StrCat(day, "T09:00:00Z"));
    absl::StatusOr<absl::Time> now = AdvanceBy(absl::ZeroDuration());
    if (now.ok() && *now < at) now = AdvanceUntil(at);
    EXPECT_TRUE(now.ok()) << now.status();
    absl::Status recorded =
        StatusOf(Record(person, "first-rejection", {{"notified", day}}));
    EXPECT_TRUE(recorded.ok()) << recorded;
    absl::StatusOr<v1::PathwayView> view = View(person);
    EXPECT_TRUE(view.ok()) << view.status();
    if (!view.ok()) return "";
    std::vector<v1::Task> tasks = TasksOfKind(*view, "return_conversation");
    EXPECT_EQ(tasks.size(), 1u) << view->DebugString();
    return tasks.empty() ? "" : tasks[0].id();
  }

  static v1::TaskRef Ref(const std::string& person, const std::string& task) {
    v1::TaskRef ref;
    ref.set_person_id(person);
    ref.set_task_id(task);
    return ref;
  }

  absl::StatusOr<v1::Task> Claim(const std::string& who,
                                 const std::string& person,
                                 const std::string& task,
                                 absl::Duration lease = absl::ZeroDuration()) {
    v1::ClaimTaskRequest request;
    *request.mutable_task() = Ref(person, task);
    if (lease > absl::ZeroDuration())
      request.mutable_lease()->set_seconds(absl::ToInt64Seconds(lease));
    return As(who).Claim(request);
  }

  absl::StatusOr<v1::CompleteTaskResponse> Complete(const std::string& who,
                                                    const std::string& person,
                                                    const std::string& task) {
    v1::CompleteTaskRequest request;
    *request.mutable_task() = Ref(person, task);
    request.set_outcome("held");
    return As(who).Complete(request);
  }

  absl::StatusOr<v1::Task> Handover(const std::string& who,
                                    const std::string& person,
                                    const std::string& task,
                                    const std::string& to) {
    v1::ReassignTaskRequest request;
    *request.mutable_task() = Ref(person, task);
    request.set_to_principal(to);
    return As(who).Reassign(request);
  }

  // The task as its person's pathway shows it; nullopt once it is closed.
  std::optional<v1::Task> OpenTask(const std::string& person,
                                   const std::string& task) {
    absl::StatusOr<v1::PathwayView> view = View(person);
    EXPECT_TRUE(view.ok()) << view.status();
    if (!view.ok()) return std::nullopt;
    for (const v1::Task& t : view->open_tasks()) {
      if (t.id() == task) return t;
    }
    return std::nullopt;
  }

  // The counts QueueSummary gives `who` for `queue`, its one answer.
  absl::StatusOr<v1::QueueCounts> CountsOf(const std::string& who,
                                           const std::string& queue) {
    v1::QueueSummaryRequest request;
    request.set_queue(queue);
    absl::StatusOr<v1::QueueSummaryResponse> summary =
        As(who).QueueSummary(request);
    if (!summary.ok()) return summary.status();
    if (summary->queues_size() != 1) {
      return absl::InternalError(summary->DebugString());
    }
    return summary->queues(0);
  }

  std::vector<std::string> DeadLetters() {
    v1::ListTasksRequest request;
    request.set_queue("advisers/Oslo-1");
    absl::StatusOr<v1::ListTasksResponse> dead =
        As("adviser").ListDeadLetters(request);
    EXPECT_TRUE(dead.ok()) << dead.status();
    std::vector<std::string> ids;
    if (dead.ok()) {
      for (const v1::Task& t : dead->tasks()) ids.push_back(t.id());
    }
    return ids;
  }

  // The access log's methods for `person` read by `principal`.
  std::vector<std::string> ReadsOf(const std::string& person,
                                   const std::string& principal) {
    v1::AccessLogRequest request;
    request.set_person_id(person);
    absl::StatusOr<v1::AccessLogResponse> log =
        As("auditor").AccessLog(request);
    EXPECT_TRUE(log.ok()) << log.status();
    std::vector<std::string> methods;
    if (log.ok()) {
      for (const v1::AccessRecord& r : log->records()) {
        if (r.principal() == principal) methods.push_back(r.method());
      }
    }
    return methods;
  }
};

TEST_F(HumanTasksTest, ClaimANamedTaskAndCompleteIt) {
  const std::string first = ConversationFor("P-1", "2026-03-02");
  const std::string chosen = ConversationFor("P-2", "2026-03-03");
  // P-1's conversation is served first; the adviser takes P-2's.
  absl::StatusOr<v1::Task> claimed = Claim("adviser", "P-2", chosen);
  RP_ASSERT_OK(claimed);
  EXPECT_EQ(claimed->state(), v1::TASK_STATE_LEASED);
  EXPECT_EQ(claimed->lease_owner(), "adviser");
  EXPECT_THAT(ReadsOf("P-2", "adviser"), testing::Contains("ClaimTask"));
  // Poll serves what is left: P-1's.
  v1::PollTasksRequest poll;
  poll.set_queue("advisers/Oslo-1");
  absl::StatusOr<v1::PollTasksResponse> polled = As("adviser-2").Poll(poll);
  RP_ASSERT_OK(polled);
  EXPECT_EQ(polled->task().id(), first);
  RP_ASSERT_OK(Complete("adviser", "P-2", chosen));
  EXPECT_FALSE(OpenTask("P-2", chosen).has_value());
  // Out of the caller's scope reads like a missing task.
  EXPECT_CODE(Claim("adviser-bergen", "P-1", first), kNotFound, first);
  EXPECT_CODE(Claim("adviser", "P-1", "no-such-task"), kNotFound,
              "no-such-task");
}

TEST_F(HumanTasksTest, TwoAdvisersClaimTheSameTaskAndOneWins) {
  const std::string task = ConversationFor("P-1", "2026-03-02");
  RP_ASSERT_OK(Claim("adviser", "P-1", task));
  // 09:00 UTC is 10:00 in Oslo; the lease is the default 5 minutes.
  EXPECT_CODE(Claim("adviser-2", "P-1", task), kFailedPrecondition,
              "is held by \"adviser\" until 2026-03-02 10:05 (Europe/Oslo)");
  std::optional<v1::Task> open = OpenTask("P-1", task);
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->lease_owner(), "adviser");
  EXPECT_THAT(ReadsOf("P-1", "adviser-2"), testing::IsEmpty());
  // Once the lease ran out, the other adviser may take it.
  RP_ASSERT_OK(AdvanceBy(absl::Minutes(5)));
  RP_ASSERT_OK(Claim("adviser-2", "P-1", task));
  RP_ASSERT_OK(Complete("adviser-2", "P-1", task));
}

TEST_F(HumanTasksTest, AHumanTaskWhoseLeaseRunsOutManyTimesStaysInTheQueue) {
  const std::string task = ConversationFor("P-1", "2026-03-02");
  v1::PollTasksRequest poll;
  poll.set_queue("advisers/Oslo-1");
  // Far more lapses than the queue's five failed attempts.
  for (int lunch = 0; lunch < 12; ++lunch) {
    absl::StatusOr<v1::PollTasksResponse> polled = As("adviser").Poll(poll);
    RP_ASSERT_OK(polled);
    ASSERT_EQ(polled->task().id(), task) << "lapse " << lunch;
    RP_ASSERT_OK(AdvanceBy(absl::Minutes(6)));
  }
  EXPECT_THAT(DeadLetters(), testing::IsEmpty());
  std::optional<v1::Task> open = OpenTask("P-1", task);
  ASSERT_TRUE(open.has_value());
  EXPECT_EQ(open->attempts(), 0);
  RP_ASSERT_OK(Claim("adviser", "P-1", task));
  RP_ASSERT_OK(Complete("adviser", "P-1", task));
}

TEST_F(HumanTasksTest, ADeadLetterPutBackAndCompleted) {
  const std::string task = ConversationFor("P-1", "2026-03-02");
  // Only explicit failures count: the fifth dead-letters it.
  for (int attempt = 1; attempt <= 5; ++attempt) {
    RP_ASSERT_OK(Claim("adviser", "P-1", task));
    v1::FailTaskRequest fail;
    *fail.mutable_task() = Ref("P-1", task);
    fail.set_error(absl::StrCat("no interpreter, attempt ", attempt));
    RP_ASSERT_OK(As("adviser").Fail(fail));
  }
  ASSERT_THAT(DeadLetters(), testing::ElementsAre(task));
  EXPECT_CODE(Claim("adviser", "P-1", task), kFailedPrecondition,
              "dead-lettered");

  v1::RequeueTaskRequest requeue;
  *requeue.mutable_task() = Ref("P-1", task);
  EXPECT_CODE(As("adviser").Requeue(requeue), kInvalidArgument, "reason");
  requeue.set_reason("an interpreter is booked for Thursday");
  EXPECT_CODE(As("adviser-bergen").Requeue(requeue), kNotFound, task);
  absl::StatusOr<v1::Task> back = As("adviser-2").Requeue(requeue);
  RP_ASSERT_OK(back);
  EXPECT_EQ(back->state(), v1::TASK_STATE_OPEN);
  EXPECT_EQ(back->attempts(), 0);
  ASSERT_EQ(back->handling_size(), 1);
  EXPECT_EQ(back->handling(0).action(), "requeued");
  EXPECT_EQ(back->handling(0).by(), "adviser-2");
  EXPECT_EQ(back->handling(0).reason(),
            "an interpreter is booked for Thursday");
  EXPECT_THAT(DeadLetters(), testing::IsEmpty());
  EXPECT_CODE(As("adviser-2").Requeue(requeue), kFailedPrecondition,
              "not dead-lettered");

  // The pathway closes it like any other task.
  RP_ASSERT_OK(Claim("adviser", "P-1", task));
  RP_ASSERT_OK(Complete("adviser", "P-1", task));
  EXPECT_FALSE(OpenTask("P-1", task).has_value());
  absl::StatusOr<std::vector<v1::EventEnvelope>> history = History("P-1");
  RP_ASSERT_OK(history);
  EXPECT_EQ(PayloadType(history->back()), "returnpath.v1.TaskCompleted");
}

TEST_F(HumanTasksTest, ListMineShowsWhatIHoldOverdueFirst) {
  const std::string early = ConversationFor("P-1", "2026-03-02");  // due 03-09
  const std::string later = ConversationFor("P-2", "2026-03-09");  // due 03-16
  const std::string theirs = ConversationFor("P-3", "2026-03-09");
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-09T20:00:00Z")));
  RP_ASSERT_OK(Claim("adviser", "P-2", later, absl::Hours(12)));
  RP_ASSERT_OK(Claim("adviser", "P-1", early, absl::Hours(12)));
  RP_ASSERT_OK(Claim("adviser-2", "P-3", theirs, absl::Hours(12)));
  // Past the end of 03-09 in Oslo: P-1's conversation is overdue.
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-10T02:00:00Z")));

  absl::StatusOr<v1::ListMineResponse> mine =
      As("adviser").ListMine(v1::ListMineRequest());
  RP_ASSERT_OK(mine);
  std::vector<std::string> ids;
  for (const v1::Task& t : mine->tasks()) ids.push_back(t.id());
  EXPECT_THAT(ids, testing::ElementsAre(early, later));
  EXPECT_EQ(mine->overdue(), 1u);
  EXPECT_THAT(ReadsOf("P-1", "adviser"), testing::Contains("ListMine"));
  EXPECT_THAT(ReadsOf("P-3", "adviser"), testing::IsEmpty());

  // Handed back, it is no longer theirs.
  v1::ReleaseTaskRequest release;
  *release.mutable_task() = Ref("P-1", early);
  RP_ASSERT_OK(As("adviser").Release(release));
  mine = As("adviser").ListMine(v1::ListMineRequest());
  RP_ASSERT_OK(mine);
  ASSERT_EQ(mine->tasks_size(), 1);
  EXPECT_EQ(mine->tasks(0).id(), later);
  EXPECT_EQ(mine->overdue(), 0u);
}

TEST_F(HumanTasksTest, HandoverToAColleagueOnTheQueue) {
  const std::string task = ConversationFor("P-1", "2026-03-02");
  RP_ASSERT_OK(Claim("adviser", "P-1", task));
  // Not on the queue, unknown, or no task role: refused alike, nothing moved.
  for (const char* nobody :
       {"adviser-bergen", "no-such-colleague", "auditor"}) {
    EXPECT_CODE(Handover("adviser", "P-1", task, nobody), kPermissionDenied,
                "queue/advisers/Oslo-1");
  }
  EXPECT_EQ(OpenTask("P-1", task)->lease_owner(), "adviser");
  // Only the holder hands it over.
  EXPECT_CODE(Handover("adviser-2", "P-1", task, "adviser-2"),
              kFailedPrecondition, "leased by \"adviser\"");

  absl::StatusOr<v1::Task> handed =
      Handover("adviser", "P-1", task, "adviser-2");
  RP_ASSERT_OK(handed);
  EXPECT_EQ(handed->lease_owner(), "adviser-2");
  ASSERT_EQ(handed->handling_size(), 1);
  EXPECT_EQ(handed->handling(0).action(), "handed over");
  EXPECT_EQ(handed->handling(0).by(), "adviser");
  EXPECT_EQ(handed->handling(0).to(), "adviser-2");
  absl::StatusOr<v1::ListMineResponse> theirs =
      As("adviser-2").ListMine(v1::ListMineRequest());
  RP_ASSERT_OK(theirs);
  ASSERT_EQ(theirs->tasks_size(), 1);
  EXPECT_EQ(theirs->tasks(0).id(), task);
  absl::StatusOr<v1::ListMineResponse> mine =
      As("adviser").ListMine(v1::ListMineRequest());
  RP_ASSERT_OK(mine);
  EXPECT_EQ(mine->tasks_size(), 0);
  EXPECT_CODE(Complete("adviser", "P-1", task), kFailedPrecondition, "");
  RP_ASSERT_OK(Complete("adviser-2", "P-1", task));
}

TEST_F(HumanTasksTest, ReturnctlClaimsListsHandsOverAndRequeues) {
  const std::string task = ConversationFor("P-1", "2026-03-02");
  ProcessResult claimed = Ctl({"--as=adviser", "tasks", "claim", "--person",
                               "P-1", "--task", task, "--worker", "desk-3"});
  EXPECT_EQ(claimed.exit_code, 0) << claimed.err;
  EXPECT_THAT(claimed.out, HasSubstr("claimed by desk-3"));
  ProcessResult mine = Ctl({"--as=adviser", "tasks", "mine", "--json"});
  EXPECT_EQ(mine.exit_code, 0) << mine.err;
  EXPECT_THAT(mine.out, HasSubstr(task));
  EXPECT_THAT(mine.out, HasSubstr("adviser/desk-3"));
  ProcessResult handed =
      Ctl({"--as=adviser", "tasks", "handover", "--person", "P-1", "--task",
           task, "--worker", "desk-3", "--to", "adviser-2"});
  EXPECT_EQ(handed.exit_code, 0) << handed.err;
  EXPECT_THAT(handed.out, HasSubstr("handed over by adviser/desk-3 to "
                                    "adviser-2"));
  ProcessResult requeued =
      Ctl({"--as=adviser", "tasks", "requeue", "--person", "P-1", "--task",
           task, "--reason", "try again"});
  EXPECT_NE(requeued.exit_code, 0);
  EXPECT_THAT(requeued.err, HasSubstr("not dead-lettered"));
  for (const char* command : {"claim", "mine", "handover", "requeue"}) {
    ProcessResult help = Ctl({"tasks", command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command << ": " << help.err;
    EXPECT_THAT(help.out, HasSubstr("--json")) << command;
  }
}

// Due dates people read: overdue first within a priority, whatever the state
// (a leased overdue task before an open one due later), and "due by <day>".
TEST_F(HumanTasksTest, ListsPutOverdueFirstWithinAPriority) {
  const std::string early = ConversationFor("P-1", "2026-03-02");  // due 03-09
  const std::string later = ConversationFor("P-2", "2026-03-09");  // due 03-16
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-09T20:00:00Z")));
  RP_ASSERT_OK(Claim("adviser", "P-1", early, absl::Hours(12)));
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-10T02:00:00Z")));  // P-1 overdue

  absl::StatusOr<std::vector<v1::Task>> listed =
      QueueTasks("adviser", "advisers/Oslo-1");
  RP_ASSERT_OK(listed);
  // Task ids are unique per person (both may be "conversation-v2").
  std::vector<std::string> ids;
  for (const v1::Task& t : *listed) {
    ids.push_back(absl::StrCat(t.stream_id(), "/", t.id()));
  }
  EXPECT_THAT(ids, testing::ElementsAre(absl::StrCat("P-1/", early),
                                        absl::StrCat("P-2/", later)));

  ProcessResult table =
      Ctl({"--as=adviser", "tasks", "list", "--queue", "advisers/Oslo-1"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("by 2026-03-09"));
  EXPECT_THAT(table.out, HasSubstr("by 2026-03-16"));
  EXPECT_LT(table.out.find("\nP-1 "), table.out.find("\nP-2 ")) << table.out;
}

// Priority comes before overdue: a conversation not yet due (priority 60)
// is listed before an IOM follow-up long overdue (priority 70).
TEST_F(HumanTasksTest, MineListsByPriorityThenOverdue) {
  ConversationFor("P-2", "2026-03-02");
  RP_ASSERT_OK(
      Record("P-2", "iom-application", {{"programme", "varp"}}, "adviser"));
  // 60 days without departure: the advisers get a follow-up, due at once.
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-05-04T08:00:00Z")));
  RP_ASSERT_OK(WaitForTimer("P-2", "iom_follow_up"));
  absl::StatusOr<v1::PathwayView> view = View("P-2");
  RP_ASSERT_OK(view);
  const std::vector<v1::Task> follow_ups = TasksOfKind(*view, "iom_follow_up");
  ASSERT_EQ(follow_ups.size(), 1u) << view->DebugString();
  const v1::Task& follow_up = follow_ups[0];
  const std::string conversation = ConversationFor("P-3", "2026-05-04");
  RP_ASSERT_OK(Claim("adviser", "P-2", follow_up.id(), absl::Hours(12)));
  RP_ASSERT_OK(Claim("adviser", "P-3", conversation, absl::Hours(12)));

  absl::StatusOr<v1::ListMineResponse> mine =
      As("adviser").ListMine(v1::ListMineRequest());
  RP_ASSERT_OK(mine);
  std::vector<std::string> ids;
  for (const v1::Task& t : mine->tasks()) ids.push_back(t.id());
  EXPECT_THAT(ids, testing::ElementsAre(conversation, follow_up.id()));
  EXPECT_EQ(mine->overdue(), 1u);
}

// Overdue count per queue is one call; counts name nobody, so no read of a
// person is logged.
TEST_F(HumanTasksTest, QueueSummaryCountsOnAManualClock) {
  const std::string early = ConversationFor("P-1", "2026-03-02");  // due 03-09
  const std::string later = ConversationFor("P-2", "2026-03-09");  // due 03-16
  const std::string held = ConversationFor("P-3", "2026-03-09");   // due 03-16
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-09T20:00:00Z")));
  RP_ASSERT_OK(Claim("adviser-2", "P-3", held, absl::Hours(12)));
  absl::StatusOr<v1::QueueCounts> counted =
      CountsOf("adviser", "advisers/Oslo-1");
  RP_ASSERT_OK(counted);
  const v1::QueueCounts& counts = *counted;
  EXPECT_EQ(counts.queue(), "advisers/Oslo-1");
  EXPECT_EQ(counts.open(), 2u);
  EXPECT_EQ(counts.leased(), 1u);
  EXPECT_EQ(counts.overdue(), 0u);
  EXPECT_EQ(counts.dead_lettered(), 0u);
  std::optional<v1::Task> first = OpenTask("P-1", early);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(counts.earliest_open_due().seconds(), first->due_time().seconds());

  // The clock passes the end of 03-09 in Oslo: P-1's conversation is overdue.
  // Every queue in scope (no queue named) gives the same one queue.
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-10T02:00:00Z")));
  absl::StatusOr<v1::QueueSummaryResponse> summary =
      As("adviser").QueueSummary(v1::QueueSummaryRequest());
  RP_ASSERT_OK(summary);
  ASSERT_EQ(summary->queues_size(), 1);
  EXPECT_EQ(summary->queues(0).queue(), "advisers/Oslo-1");
  EXPECT_EQ(summary->queues(0).overdue(), 1u);
  EXPECT_EQ(summary->queues(0).open(), 2u);
  EXPECT_THAT(ReadsOf("P-1", "adviser"), testing::IsEmpty());

  // A queue out of scope is refused as ListTasks refuses it; the Bergen
  // adviser's own queue counts none of Oslo's persons.
  v1::ListTasksRequest list;
  list.set_queue("advisers/Oslo-1");
  const absl::Status listing = StatusOf(As("adviser-bergen").ListTasks(list));
  EXPECT_EQ(listing.code(), absl::StatusCode::kPermissionDenied);
  v1::QueueSummaryRequest request;
  request.set_queue("advisers/Oslo-1");
  EXPECT_CODE(As("adviser-bergen").QueueSummary(request), kPermissionDenied,
              "queue advisers/Oslo-1");
  summary = As("adviser-bergen").QueueSummary(v1::QueueSummaryRequest());
  RP_ASSERT_OK(summary);
  EXPECT_EQ(summary->queues_size(), 0);
  request.set_queue("advisers/Bergen-1");
  summary = As("adviser-bergen").QueueSummary(request);
  RP_ASSERT_OK(summary);
  ASSERT_EQ(summary->queues_size(), 1);
  EXPECT_EQ(summary->queues(0).open(), 0u);
  EXPECT_FALSE(summary->queues(0).has_earliest_open_due());

  // Dead letters are counted apart, and not as overdue.
  for (int attempt = 1; attempt <= 5; ++attempt) {
    RP_ASSERT_OK(Claim("adviser", "P-1", early));
    v1::FailTaskRequest fail;
    *fail.mutable_task() = Ref("P-1", early);
    fail.set_error("no interpreter");
    RP_ASSERT_OK(As("adviser").Fail(fail));
  }
  ProcessResult shown =
      Ctl({"--as=adviser", "tasks", "summary", "--queue", "advisers/Oslo-1"});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("OVERDUE"));
  // open 1 (P-2), leased 1 (P-3), overdue 0, dead 1, earliest due P-2's day.
  EXPECT_THAT(shown.out, testing::ContainsRegex(
                             "advisers/Oslo-1 +1 +1 +0 +1 +0 +by 2026-03-16"));
}

// A disappeared person's conversation: paused (the adviser's lease ends, it
// is neither served nor claimed nor completed, and not overdue after its
// date), then resumed on reappearance with the days it had left.
TEST_F(HumanTasksTest, ADisappearedPersonsConversationPausesAndResumes) {
  const std::string task = ConversationFor("P-1", "2026-03-02");  // due 03-09
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-05T09:00:00Z")));
  RP_ASSERT_OK(Claim("adviser", "P-1", task));
  absl::StatusOr<v1::RecordEventResponse> gone =
      Record("P-1", "disappeared", {{"note", "left without an address"}});
  RP_ASSERT_OK(gone);
  std::optional<v1::Task> paused = OpenTask("P-1", task);
  ASSERT_TRUE(paused.has_value());
  EXPECT_EQ(paused->state(), v1::TASK_STATE_PAUSED);
  EXPECT_TRUE(paused->lease_owner().empty());
  ASSERT_EQ(paused->handling_size(), 1);
  EXPECT_EQ(paused->handling(0).action(), "lease ended");
  EXPECT_EQ(paused->handling(0).by(), "adviser");
  EXPECT_EQ(paused->handling(0).reason(), "paused");
  ASSERT_EQ(paused->changes_size(), 1);
  EXPECT_EQ(paused->changes(0).position(), gone->position());
  EXPECT_EQ(paused->changes(0).what(), "paused");

  EXPECT_CODE(Claim("adviser-2", "P-1", task), kFailedPrecondition, "paused");
  EXPECT_CODE(Complete("adviser", "P-1", task), kFailedPrecondition, "paused");
  v1::PollTasksRequest poll;
  poll.set_queue("advisers/Oslo-1");
  absl::StatusOr<v1::PollTasksResponse> served = As("adviser-2").Poll(poll);
  RP_ASSERT_OK(served);
  EXPECT_FALSE(served->has_task());

  // Past its old due date it is counted as paused, not overdue.
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-15T09:00:00Z")));
  absl::StatusOr<v1::QueueCounts> counts =
      CountsOf("adviser", "advisers/Oslo-1");
  RP_ASSERT_OK(counts);
  EXPECT_EQ(counts->paused(), 1u);
  EXPECT_EQ(counts->open(), 0u);
  EXPECT_EQ(counts->overdue(), 0u);
  v1::ListTasksRequest list;
  list.set_queue("advisers/Oslo-1");
  list.set_state(v1::TASK_STATE_PAUSED);
  absl::StatusOr<v1::ListTasksResponse> listed = As("adviser").ListTasks(list);
  RP_ASSERT_OK(listed);
  ASSERT_EQ(listed->tasks_size(), 1);
  EXPECT_EQ(listed->tasks(0).id(), task);

  // Back ten days later with four days left: due by 2026-03-19 in Oslo.
  absl::StatusOr<v1::RecordEventResponse> back =
      Record("P-1", "reappeared", {});
  RP_ASSERT_OK(back);
  std::optional<v1::Task> resumed = OpenTask("P-1", task);
  ASSERT_TRUE(resumed.has_value());
  EXPECT_EQ(resumed->state(), v1::TASK_STATE_OPEN);
  EXPECT_FALSE(resumed->has_paused_time());
  EXPECT_EQ(resumed->due_time().seconds(),
            absl::ToUnixSeconds(Utc("2026-03-19T23:00:00Z")));
  ASSERT_EQ(resumed->changes_size(), 2);
  EXPECT_EQ(resumed->changes(1).position(), back->position());
  EXPECT_THAT(resumed->changes(1).what(), HasSubstr("resumed"));
  EXPECT_THAT(resumed->title(), HasSubstr("; due 2026-03-19"));
  RP_ASSERT_OK(Claim("adviser-2", "P-1", task));
  RP_ASSERT_OK(Complete("adviser-2", "P-1", task));
  EXPECT_FALSE(OpenTask("P-1", task).has_value());
}

}  // namespace
}  // namespace returnpath::integration
