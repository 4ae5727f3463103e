// The returnctl binary against the real daemon, run as a subprocess: its
// output in the users' words, --json, and its exit codes.

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// Asserts exit code `code` and returns stdout, with both streams on failure.
#define CTL_EXPECT(result, code)                                       \
  EXPECT_EQ((result).exit_code, code) << "stdout:\n"                   \
                                      << (result).out << "\nstderr:\n" \
                                      << (result).err

class ReturnctlTest : public IntegrationTest {
 protected:
  ProcessResult CtlAs(const std::string& role, std::vector<std::string> args) {
    args.insert(args.begin(), "--as=" + role);
    return Ctl(args);
  }

  // Polls `queue` as `role` with --json and returns the task (none: empty id).
  v1::Task Poll(const std::string& role, const std::string& queue) {
    ProcessResult r = CtlAs(role, {"tasks", "poll", "--queue", queue,
                                   "--worker", "desk-1", "--json"});
    CTL_EXPECT(r, 0);
    v1::PollTasksResponse response;
    auto status = google::protobuf::util::JsonStringToMessage(r.out, &response);
    EXPECT_TRUE(status.ok()) << status.message() << "\n" << r.out;
    return response.task();
  }

  void RegisterR1() {
    ProcessResult r =
        CtlAs("reception", {"register", "--person", "R-1", "--household",
                            "H-R1", "--born", "1990-05-01", "--nationality",
                            "AF", "--centre", "Oslo-1", "--region", "OSLO"});
    CTL_EXPECT(r, 0);
    EXPECT_THAT(r.out, HasSubstr("registered R-1: version 1"));
    r = CtlAs("admin",
              {"admin", "advance-clock", "--until", "2026-03-02T08:00:00Z"});
    CTL_EXPECT(r, 0);
    EXPECT_THAT(r.out, HasSubstr("2026-03-02 09:00 Europe/Oslo"));
  }
};

// The reception queue and a person followed to departure: what a national
// team sees, not one desk at Oslo-1.
class NationalTeamReturnctlTest : public ReturnctlTest {
 protected:
  DaemonOptions Options() const override { return NationalTeam(); }
};

TEST_F(NationalTeamReturnctlTest, FullPathwayInTheUsersWords) {
  RegisterR1();
  ProcessResult r = CtlAs("reception", {"record", "first-rejection", "--person",
                                        "R-1", "--notified", "2026-03-02"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("recorded first-rejection for R-1: version 2"));
  r = CtlAs("reception", {"show", "--person", "R-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, AllOf(HasSubstr("stage first-rejection"),
                           HasSubstr("appeal window"), HasSubstr("2026-03-23"),
                           HasSubstr("appeal_window"), HasSubstr("H-R1"),
                           HasSubstr("nationality AF")));

  // Past the appeal window: the derived final rejection and its tasks.
  r = CtlAs("admin", {"admin", "advance-clock", "--by", "22d"});
  CTL_EXPECT(r, 0);
  RP_ASSERT_OK(WaitForTimer("R-1", "appeal_window"));
  r = CtlAs("reception", {"show", "--person", "R-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(
      r.out,
      AllOf(HasSubstr("stage final-rejection"), HasSubstr("departure deadline"),
            HasSubstr("2026-04-14"), HasSubstr("not-appealed"),
            HasSubstr("relocation"), HasSubstr("reception/Oslo-1"),
            HasSubstr("return_conversation"), HasSubstr("advisers/Oslo-1")));
  r = CtlAs("reception", {"tasks", "list", "--queue", "reception/Oslo-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, AllOf(HasSubstr("relocation"), HasSubstr("R-1"),
                           HasSubstr("1 task")));

  v1::Task relocation = Poll("reception", "reception/Oslo-1");
  ASSERT_EQ(relocation.kind(), "relocation");
  r = CtlAs("reception",
            {"tasks", "complete", "--person", "R-1", "--task", relocation.id(),
             "--outcome", "relocated", "--worker", "desk-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("completed " + relocation.id()));
  int conversations = 0;
  for (int i = 0; i < 5; ++i) {
    v1::Task task = Poll("adviser", "advisers/Oslo-1");
    if (task.id().empty()) break;
    ASSERT_EQ(task.kind(), "return_conversation");
    r = CtlAs("adviser", {"tasks", "complete", "--person", "R-1", "--task",
                          task.id(), "--outcome", "held", "--worker", "desk-1",
                          "--note", "interpreter present"});
    CTL_EXPECT(r, 0);
    ++conversations;
  }
  EXPECT_GE(conversations, 1);
  r = CtlAs("adviser",
            {"tasks", "poll", "--queue", "advisers/Oslo-1", "--wait", "1s"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("no task in advisers/Oslo-1"));

  r = CtlAs("adviser", {"record", "iom-application", "--person", "R-1",
                        "--programme", "irrana", "--iom-ref", "IOM-77"});
  CTL_EXPECT(r, 0);
  r = CtlAs("reception", {"show", "--person", "R-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(
      r.out,
      AllOf(HasSubstr("stage return-preparation"), HasSubstr("irrana"),
            HasSubstr("support tier 1: NOK 20,000"), HasSubstr("2012-01-01")));
  r = CtlAs("reception", {"record", "departure", "--person", "R-1", "--kind",
                          "assisted", "--to", "AF"});
  CTL_EXPECT(r, 0);
  r = CtlAs("reception", {"show", "--person", "R-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("stage departed-voluntary"));

  // Terminal: the server says no, exit 3 with the code and its sentence.
  r = CtlAs("reception", {"record", "disappeared", "--person", "R-1"});
  CTL_EXPECT(r, 3);
  EXPECT_THAT(r.err, HasSubstr("FAILED_PRECONDITION"));

  // What the auditors see.
  r = CtlAs("auditor", {"audit", "history", "--person", "R-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, AllOf(HasSubstr("EFFECTIVE"), HasSubstr("PRINCIPAL"),
                           HasSubstr("HASH"),
                           HasSubstr("first-rejection: notified 2026-03-02"),
                           HasSubstr("timer-fired"), HasSubstr("system:timer"),
                           HasSubstr("task-completed"), HasSubstr("2012-01-01"),
                           HasSubstr("reception")));
  r = CtlAs("auditor",
            {"audit", "as-of", "--person", "R-1", "--date", "2026-03-10"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("stage first-rejection"));
  r = CtlAs("auditor", {"audit", "verify"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("OK"));
  EXPECT_THAT(
      r.err, HasSubstr("verify: 100%"));  // plain progress: stderr is not a TTY
  r = CtlAs("auditor", {"audit", "replay-check"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("no differences"));
  r = CtlAs("auditor", {"audit", "stats"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, AllOf(HasSubstr("assisted_return"), HasSubstr("2026-03"),
                           HasSubstr("AF")));
  r = CtlAs("auditor", {"audit", "access-log", "--person", "R-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("auditor"));
  r = CtlAs("auditor", {"audit", "log", "--limit", "2"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("2 events"));
  r = CtlAs("auditor", {"audit", "subscribe", "--count", "1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("register"));
}

TEST_F(ReturnctlTest, JsonPrintsTheDomainMessages) {
  RegisterR1();
  CTL_EXPECT(CtlAs("reception",
                   {"record", "first-rejection", "--person", "R-1",
                    "--notified", "2026-03-02", "--idempotency-key", "k-1"}),
             0);
  ProcessResult r = CtlAs("reception", {"show", "--person", "R-1", "--json"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(
      r.out,
      AllOf(HasSubstr(
                "\"@type\":\"type.googleapis.com/returnpath.v1.PathwayState\""),
            HasSubstr("\"stage\":\"STAGE_FIRST_REJECTION\"")));
  v1::PathwayView view;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &view).ok())
      << r.out;
  EXPECT_EQ(view.person_id(), "R-1");
  r = CtlAs("auditor", {"audit", "history", "--person", "R-1", "--json"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, AllOf(HasSubstr("\"@type\":\"type.googleapis.com/"
                                     "returnpath.v1.PersonRegistered\""),
                           HasSubstr("\"@type\":\"type.googleapis.com/"
                                     "returnpath.v1.FirstRejection\"")));
  // One JSON object per line.
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2);
  // A retry with the same key records nothing new, and says so.
  r = CtlAs("reception",
            {"record", "first-rejection", "--person", "R-1", "--notified",
             "2026-03-02", "--idempotency-key", "k-1", "--json"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("\"deduplicated\":true"));
}

TEST_F(ReturnctlTest, OverstayedPersonsInListsAndThePoliceQueue) {
  RegisterR1();
  CTL_EXPECT(
      CtlAs("reception", {"record", "final-rejection", "--person", "R-1",
                          "--notified", "2026-03-02", "--deadline-days", "7"}),
      0);
  ProcessResult r = CtlAs("reception", {"list", "--stage", "final-rejection"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, AllOf(HasSubstr("R-1"), HasSubstr("1 pathway")));
  r = CtlAs("reception",
            {"list", "--due-from", "2026-03-01", "--due-to", "2026-03-31"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("R-1"));
  r = CtlAs("police", {"tasks", "list", "--queue", "police/pu"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out,
              AllOf(Not(HasSubstr("police_referral")), HasSubstr("0 tasks")));

  // Deadline 2026-03-09, expires at the end of it in Oslo.
  CTL_EXPECT(
      CtlAs("admin", {"admin", "advance-clock", "--until", "2026-03-10"}), 0);
  RP_ASSERT_OK(WaitForTimer("R-1", "departure_deadline"));
  r = CtlAs("reception", {"list", "--stage", "overstayed"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, AllOf(HasSubstr("R-1"), HasSubstr("overstayed")));
  r = CtlAs("reception", {"list", "--region", "oslo"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("R-1"));
  r = CtlAs("reception", {"list", "--centre", "Oslo-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("R-1"));
  r = CtlAs("police", {"tasks", "list", "--queue", "police/pu"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out,
              AllOf(HasSubstr("police_referral"), HasSubstr("overstay")));
  r = CtlAs("police", {"tasks", "subscribe", "--queue", "police/pu", "--worker",
                       "pu-1", "--count", "1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("police_referral"));
}

TEST_F(ReturnctlTest, ARefusedIomApplicationShowsAndRefersToThePoliceAgain) {
  RegisterR1();
  CTL_EXPECT(
      CtlAs("reception", {"record", "final-rejection", "--person", "R-1",
                          "--notified", "2026-03-02", "--deadline-days", "7"}),
      0);
  CTL_EXPECT(
      CtlAs("admin", {"admin", "advance-clock", "--until", "2026-03-10"}), 0);
  RP_ASSERT_OK(WaitForTimer("R-1", "departure_deadline"));
  CTL_EXPECT(CtlAs("adviser", {"record", "iom-application", "--person", "R-1",
                               "--programme", "varp", "--iom-ref", "IOM-7"}),
             0);
  ProcessResult r = CtlAs("police", {"tasks", "list", "--queue", "police/pu"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, Not(HasSubstr("police_referral")));
  r = CtlAs("adviser",
            {"record", "iom-refused", "--person", "R-1", "--iom-ref", "IOM-7",
             "--reason", "no travel document"});
  CTL_EXPECT(r, 0);
  r = CtlAs("reception", {"show", "--person", "R-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, AllOf(HasSubstr("IOM-7"), HasSubstr("refused 2026-03-10"),
                           Not(HasSubstr("pending"))));
  r = CtlAs("auditor", {"audit", "history", "--person", "R-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("iom-refused: iom reference IOM-7, reason no "
                               "travel document"));
  r = CtlAs("police", {"tasks", "list", "--queue", "police/pu"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, AllOf(HasSubstr("police_referral"), HasSubstr("1 task")));
}

TEST_F(ReturnctlTest, CorrectionAfterDoubleDash) {
  RegisterR1();
  ProcessResult r =
      CtlAs("reception", {"record", "first-rejection", "--person", "R-1",
                          "--notified", "2026-02-27", "--json"});
  CTL_EXPECT(r, 0);
  v1::RecordEventResponse wrong;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &wrong).ok())
      << r.out;
  r = CtlAs("reception",
            {"record", "correction", "--person", "R-1", "--position",
             std::to_string(wrong.position()), "--reason", "typo in the date",
             "--", "first-rejection", "--notified", "2026-03-02"});
  CTL_EXPECT(r, 0);
  r = CtlAs("reception", {"show", "--person", "R-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("2026-03-23"));
  r = CtlAs("auditor", {"audit", "history", "--person", "R-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out,
              AllOf(HasSubstr("correction:"), HasSubstr("typo in the date"),
                    HasSubstr("first-rejection: notified 2026-03-02")));
}

TEST_F(ReturnctlTest, AnAppealLodgedInTimeShowsTheWindowAsMet) {
  RegisterR1();
  ProcessResult r = CtlAs("reception", {"record", "first-rejection", "--person",
                                        "R-1", "--notified", "2026-03-02"});
  CTL_EXPECT(r, 0);
  r = CtlAs("reception", {"show", "--person", "R-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("running"));
  r = CtlAs("reception", {"record", "appeal", "--person", "R-1", "--lodged",
                          "2026-03-02", "--deferred-implementation"});
  CTL_EXPECT(r, 0);
  r = CtlAs("reception", {"show", "--person", "R-1"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, AllOf(HasSubstr("appeal window"), HasSubstr("met"),
                           Not(HasSubstr("running"))));
}

TEST_F(ReturnctlTest, ExitCodes) {
  RegisterR1();
  // 2: usage, with the help text.
  ProcessResult r = CtlAs("reception", {"show"});
  CTL_EXPECT(r, 2);
  EXPECT_THAT(r.err, AllOf(HasSubstr("missing --person"),
                           HasSubstr("usage: returnctl show")));
  // 3: the server said no, with its code.
  r = CtlAs("reception", {"show", "--person", "NOBODY"});
  CTL_EXPECT(r, 3);
  EXPECT_THAT(r.err, HasSubstr("NOT_FOUND"));
  r = CtlAs("reception", {"audit", "history", "--person", "R-1"});
  CTL_EXPECT(r, 3);
  EXPECT_THAT(r.err, HasSubstr("PERMISSION_DENIED"));
  r = CtlAs("reception",
            {"record", "appeal", "--person", "R-1", "--lodged", "2026-03-02"});
  CTL_EXPECT(r, 3);
  EXPECT_THAT(r.err, HasSubstr("FAILED_PRECONDITION"));
  r = CtlAs("reception",
            {"record", "first-rejection", "--person", "R-1", "--notified",
             "2026-03-02", "--expected-version", "7"});
  CTL_EXPECT(r, 3);
  EXPECT_THAT(r.err, HasSubstr("ABORTED"));
  r = CtlAs("admin", {"admin", "advance-clock", "--until", "2026-01-01"});
  CTL_EXPECT(r, 3);
  EXPECT_THAT(r.err, HasSubstr("INVALID_ARGUMENT"));
  r = Ctl({"show", "--person", "R-1"});
  CTL_EXPECT(r, 3);
  EXPECT_THAT(r.err, AllOf(HasSubstr("UNAUTHENTICATED"),
                           HasSubstr("no token was sent")));

  // Other ways to give the token.
  r = Ctl({"--token_file", daemon().data_dir() + "/tokens/reception.token",
           "show", "--person", "R-1"});
  CTL_EXPECT(r, 0);
  r = Ctl({"show", "--person", "R-1"},
          {"RETURNPATH_TOKEN=" + daemon().Token("reception")});
  CTL_EXPECT(r, 0);
  r = Ctl({"--token", daemon().Token("admin"), "admin", "now"});
  CTL_EXPECT(r, 0);
  EXPECT_THAT(r.out, HasSubstr("2026-03-02 09:00"));

  // 1: nothing to talk to.
  const std::string address = daemon().address();
  daemon().Stop();
  r = RunProcess(
      {ReturnctlPath(), "--server", address, "--token", "x", "admin", "now"});
  CTL_EXPECT(r, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot connect"));
}

}  // namespace
}  // namespace returnpath::integration
