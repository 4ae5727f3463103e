// returnctl admin import against the real daemon: every line checked before
// anything is written, JSON lines and CSV, reruns that record nothing twice,
// each person's backlog in effective-time order in one write, deadlines the
// file shows were dealt with opening no task, and administrators only.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/lib/time_text.h"
#include "gmock/gmock.h"
#include "returnpath/v1/engine.pb.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A JSON line of `person`'s `event` with its fields (JSON text, without the
// braces) and, unless empty, its effective time.
std::string Line(const std::string& person, const std::string& event,
                 const std::string& fields, const std::string& effective = "") {
  return absl::StrCat(
      R"({"person":")", person, R"(","event":")", event, R"(")",
      effective.empty() ? ""
                        : absl::StrCat(R"(,"effective":")", effective, R"(")"),
      R"(,"fields":{)", fields, "}}\n");
}

std::string Registration(const std::string& person,
                         const std::string& on = "2025-06-02") {
  return Line(person, "register",
              absl::StrCat(R"("household":"H-)", person,
                           R"(","born":"1990-05-01","nationality":"AF",)"
                           R"("centre":"Oslo-1","region":"oslo")"),
              on);
}

std::string FinalRejection(const std::string& person,
                           const std::string& notified = "2025-08-04") {
  return Line(person, "final-rejection",
              absl::StrCat(R"("notified":")", notified, R"(")"));
}

PersonSpec Person(const std::string& id) {
  PersonSpec person;
  person.id = id;
  return person;
}

class ImportTest : public IntegrationTest {
 protected:
  DaemonOptions Options() const override { return NationalTeam(); }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = absl::StrCat(daemon().data_dir(), "/", name);
    std::ofstream(path) << text;
    return path;
  }

  ProcessResult Import(const std::string& path,
                       const std::vector<std::string>& more = {},
                       const std::string& role = "admin") {
    std::vector<std::string> args = {absl::StrCat("--as=", role), "admin",
                                     "import", path};
    args.insert(args.end(), more.begin(), more.end());
    return Ctl(args);
  }

  // The payload types of the person's history in version order, without the
  // timers the engine fired after the import (they fire as they come due).
  std::vector<std::string> Kinds(const std::string& person) {
    absl::StatusOr<std::vector<v1::EventEnvelope>> history = History(person);
    EXPECT_TRUE(history.ok()) << history.status();
    std::vector<std::string> kinds;
    if (!history.ok()) return kinds;
    for (const v1::EventEnvelope& event : *history) {
      if (PayloadType(event) != "returnpath.v1.TimerFired")
        kinds.push_back(PayloadType(event));
    }
    return kinds;
  }

  std::vector<std::string> OpenTaskKinds(const std::string& person) {
    absl::StatusOr<v1::PathwayView> view = View(person);
    EXPECT_TRUE(view.ok()) << view.status();
    std::vector<std::string> kinds;
    if (view.ok()) {
      for (const v1::Task& task : view->open_tasks())
        kinds.push_back(task.kind());
    }
    return kinds;
  }
};

TEST_F(ImportTest, EveryBadLineIsNamedAndNothingIsWritten) {
  const std::string path = WriteFile(
      "bad.jsonl",
      absl::StrCat(Registration("P-1"),                                 // 1
                   Line("P-1", "final-rejecton", R"("notified":"x")"),  // 2
                   Line("P-1", "final-rejection", ""),                  // 3
                   Line("P-1", "departure", R"("kind":"forced")",
                        "2025-13-40"),                                // 4
                   Line("P 2", "register", ""),                       // 5
                   Line("P-1", "appeal", R"("lodgd":"2025-07-01")"),  // 6
                   "{not json\n",                                     // 7
                   Registration("P-3"), FinalRejection("P-3")));      // 8, 9
  const ProcessResult r = Import(path);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  for (const char* expected :
       {":2: event: unknown kind 'final-rejecton'",
        ":3: final-rejection: --notified is required",
        ":4: effective: ", ":5: person: 'P 2' is not a person id",
        ":6: fields: appeal has no field 'lodgd'", ":7: not a JSON object",
        ": 6 problems; nothing was written"}) {
    EXPECT_THAT(r.err, HasSubstr(absl::StrCat(path, expected))) << r.err;
  }
  // The good lines were not written either.
  EXPECT_CODE(View("P-1"), kNotFound, "P-1");
  EXPECT_CODE(View("P-3"), kNotFound, "P-3");
}

TEST_F(ImportTest, TheRulesAreCheckedForEveryPersonBeforeAnythingIsWritten) {
  // P-2's appeal comes after its rejection was final: the workflow refuses it.
  const std::string path = WriteFile(
      "rules.jsonl",
      absl::StrCat(Registration("P-1"), FinalRejection("P-1"),
                   Registration("P-2"), FinalRejection("P-2"),
                   Line("P-2", "appeal", R"("lodged":"2025-08-20")")));
  const ProcessResult r = Import(path);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat(path, ":5: person P-2: ")));
  EXPECT_CODE(View("P-1"), kNotFound, "P-1");
  EXPECT_CODE(View("P-2"), kNotFound, "P-2");
}

TEST_F(ImportTest, JsonLinesAndCsvRecordTheSameHistory) {
  const std::string jsonl = WriteFile(
      "a.jsonl",
      absl::StrCat(Registration("J-1"), FinalRejection("J-1"),
                   Line("J-1", "departure", R"("kind":"forced","to":"af")",
                        "2025-09-15T10:00:00+02:00")));
  const std::string csv = WriteFile(
      "a.csv",
      "person,event,effective,household,born,nationality,centre,region,"
      "notified,kind,to,dublin\n"
      "C-1,register,2025-06-02,H-C-1,1990-05-01,AF,Oslo-1,oslo,,,,false\n"
      "C-1,final-rejection,,,,,,,2025-08-04,,,\n"
      "C-1,departure,2025-09-15T10:00:00+02:00,,,,,,,forced,af,\n");
  ProcessResult r = Import(jsonl);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("imported 1 persons (3 events)"));
  r = Import(csv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("imported 1 persons (3 events)"));
  const std::vector<std::string> expected = {"returnpath.v1.PersonRegistered",
                                             "returnpath.v1.FinalRejection",
                                             "returnpath.v1.Departed"};
  EXPECT_EQ(Kinds("J-1"), expected);
  EXPECT_EQ(Kinds("C-1"), expected);
  absl::StatusOr<v1::PathwayState> json_state = State("J-1");
  absl::StatusOr<v1::PathwayState> csv_state = State("C-1");
  RP_ASSERT_OK(json_state);
  RP_ASSERT_OK(csv_state);
  EXPECT_EQ(json_state->stage(), v1::STAGE_DEPARTED_FORCED);
  EXPECT_EQ(csv_state->stage(), v1::STAGE_DEPARTED_FORCED);
}

TEST_F(ImportTest, ARerunRecordsNothingTwiceAndOtherLinesAreRefused) {
  const std::string lines =
      absl::StrCat(Registration("P-1"), FinalRejection("P-1"),
                   Registration("P-2"), FinalRejection("P-2"));
  const std::string path = WriteFile("once.jsonl", lines);
  ProcessResult r = Import(path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("imported 2 persons (4 events), already "
                               "present 0, refused 0"));
  const std::vector<std::string> before = Kinds("P-1");

  r = Import(path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("imported 0 persons (0 events), already "
                               "present 2, refused 0"));
  EXPECT_EQ(Kinds("P-1"), before);

  // Other lines for P-1 (a later rejection) are refused; P-3 goes on.
  const std::string changed = WriteFile(
      "changed.jsonl",
      absl::StrCat(Registration("P-1"), FinalRejection("P-1", "2025-08-05"),
                   Registration("P-3"), FinalRejection("P-3")));
  r = Import(changed);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err,
              HasSubstr(absl::StrCat(changed,
                                     ":1: person P-1 refused: imported before "
                                     "from other lines")));
  EXPECT_THAT(r.out, HasSubstr("imported 1 persons (2 events), already "
                               "present 0, refused 1"));
  EXPECT_EQ(Kinds("P-1"), before);
  EXPECT_EQ(Kinds("P-3").size(), 2u);
}

TEST_F(ImportTest, APersonRecordedOutsideAnImportIsRefusedWhole) {
  RP_ASSERT_OK(Register(Person("P-1")));
  const std::string path = WriteFile(
      "live.jsonl", absl::StrCat(Registration("P-1"), FinalRejection("P-1")));
  const ProcessResult r = Import(path);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("person P-1 refused: already has a history "
                               "recorded outside an import"));
  EXPECT_EQ(Kinds("P-1").size(), 1u);
}

TEST_F(ImportTest, LinesInAnyOrderAreRecordedInEffectiveOrderInOneWrite) {
  const std::string path = WriteFile(
      "shuffled.jsonl",
      absl::StrCat(Line("P-1", "departure", R"("kind":"forced")",
                        "2025-09-15T10:00:00+02:00"),
                   FinalRejection("P-2"), FinalRejection("P-1"),
                   Registration("P-2"),
                   Line("P-1", "return-conversation", R"("note":"held")",
                        "2025-08-05T10:00:00+02:00"),
                   Registration("P-1")));
  const ProcessResult r = Import(path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      Kinds("P-1"),
      (std::vector<std::string>{
          "returnpath.v1.PersonRegistered", "returnpath.v1.FinalRejection",
          "returnpath.v1.ReturnConversationHeld", "returnpath.v1.Departed"}));
  // One write: the same recorded time, positions one after another.
  absl::StatusOr<std::vector<v1::EventEnvelope>> history = History("P-1");
  RP_ASSERT_OK(history);
  for (size_t i = 1; i < history->size(); ++i) {
    EXPECT_EQ((*history)[i].position(), (*history)[i - 1].position() + 1);
    EXPECT_EQ((*history)[i].recorded_time().seconds(),
              (*history)[0].recorded_time().seconds());
    EXPECT_EQ((*history)[i].idempotency_key(), "import/P-1");
  }
}

// The departure deadline of every person passed long ago. Those whose file
// shows what became of it get no task for it; the one whose file does not
// gets the police referral at once.
TEST_F(ImportTest, ConsequencesTheFileShowsWereDealtWithOpenNoTask) {
  const std::string path = WriteFile(
      "dealt.jsonl",
      absl::StrCat(Registration("LEFT"), FinalRejection("LEFT"),
                   Line("LEFT", "departure", R"("kind":"forced")",
                        "2025-09-15T10:00:00+02:00"),
                   Registration("IOM"), FinalRejection("IOM"),
                   Line("IOM", "iom-application", R"("programme":"varp")",
                        "2025-09-10T10:00:00+02:00"),
                   Line("IOM", "relocated", R"("to":"Return-1")",
                        "2025-09-12T10:00:00+02:00"),
                   Registration("STAYED"), FinalRejection("STAYED")));
  const ProcessResult r = Import(path);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // Not dealt with: the deadline's timer fires as soon as the write is in.
  RP_ASSERT_OK(WaitForTimer("STAYED", "departure_deadline"));
  EXPECT_THAT(OpenTaskKinds("STAYED"), testing::Contains("police_referral"));
  absl::StatusOr<v1::PathwayState> stayed = State("STAYED");
  RP_ASSERT_OK(stayed);
  EXPECT_EQ(stayed->stage(), v1::STAGE_OVERSTAYED);

  // Dealt with: nothing open, no timer fired outside the write, and the
  // police never had a referral for them.
  EXPECT_THAT(OpenTaskKinds("LEFT"), testing::IsEmpty());
  EXPECT_THAT(OpenTaskKinds("IOM"), Not(testing::Contains("police_referral")));
  EXPECT_THAT(OpenTaskKinds("IOM"), Not(testing::Contains("relocation")));
  for (const char* person : {"LEFT", "IOM"}) {
    absl::StatusOr<std::vector<v1::EventEnvelope>> history = History(person);
    RP_ASSERT_OK(history);
    for (const v1::EventEnvelope& event : *history) {
      EXPECT_FALSE(IsTimerFired(event, "departure_deadline"))
          << person << " at version " << event.stream_version();
    }
  }
  absl::StatusOr<std::vector<v1::Task>> police =
      QueueTasks("police", "police/pu");
  RP_ASSERT_OK(police);
  for (const v1::Task& task : *police) EXPECT_EQ(task.stream_id(), "STAYED");
}

TEST_F(ImportTest, OnlyAnAdministratorMayImport) {
  const std::string path = WriteFile(
      "p.jsonl", absl::StrCat(Registration("P-1"), FinalRejection("P-1")));
  for (const char* role : {"reception", "adviser", "police", "auditor"}) {
    const ProcessResult r = Import(path, {}, role);
    EXPECT_EQ(r.exit_code, 3) << role << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("PERMISSION_DENIED")) << role;
  }
  EXPECT_CODE(View("P-1"), kNotFound, "P-1");
  // The RPC itself, with a request that would be written.
  v1::ImportRequest request;
  v1::PersonBacklog* person = request.add_persons();
  person->set_person_id("P-1");
  absl::StatusOr<client::BuiltEvent> registration =
      RegistrationEvent(Person("P-1"));
  RP_ASSERT_OK(registration);
  v1::BacklogEvent* event = person->add_events();
  *event->mutable_event() = registration->event;
  *event->mutable_effective_time() =
      client::ToTimestamp(Utc("2025-06-02T10:00:00Z"));
  EXPECT_CODE(As("reception").Import(request), kPermissionDenied,
              "may not import");
  EXPECT_CODE(View("P-1"), kNotFound, "P-1");
  RP_EXPECT_OK(As("admin").Import(request));
  RP_EXPECT_OK(View("P-1"));
}

TEST_F(ImportTest, TheDaemonRefusesABadRequestWholeNamingTheLine) {
  v1::ImportRequest request;
  absl::StatusOr<client::BuiltEvent> registration =
      RegistrationEvent(Person("P-1"));
  RP_ASSERT_OK(registration);
  v1::PersonBacklog* good = request.add_persons();
  good->set_person_id("P-1");
  v1::BacklogEvent* event = good->add_events();
  *event->mutable_event() = registration->event;
  *event->mutable_effective_time() =
      client::ToTimestamp(Utc("2025-06-02T10:00:00Z"));
  event->set_line(1);
  v1::PersonBacklog* bad = request.add_persons();
  bad->set_person_id("P-2");
  *bad->add_events() = *event;
  bad->mutable_events(0)->clear_effective_time();
  bad->mutable_events(0)->set_line(7);
  EXPECT_CODE(As("admin").Import(request), kInvalidArgument,
              "line 7 (person P-2): effective_time is required");
  EXPECT_CODE(View("P-1"), kNotFound, "P-1");

  // Well-formed, but the rules refuse P-2's appeal (no rejection to appeal):
  // the daemon's own dry run refuses the request whole.
  absl::StatusOr<client::BuiltEvent> registered =
      RegistrationEvent(Person("P-2"));
  RP_ASSERT_OK(registered);
  *bad->mutable_events(0)->mutable_event() = registered->event;
  *bad->mutable_events(0)->mutable_effective_time() =
      client::ToTimestamp(Utc("2025-06-02T10:00:00Z"));
  absl::StatusOr<client::BuiltEvent> appeal =
      client::BuildEvent("appeal", {{"lodged", "2025-07-01"}});
  RP_ASSERT_OK(appeal);
  v1::BacklogEvent* refused = bad->add_events();
  *refused->mutable_event() = appeal->event;
  *refused->mutable_effective_time() =
      client::ToTimestamp(client::StartOfDay(*client::ParseDate("2025-07-01")));
  refused->set_line(9);
  EXPECT_CODE(As("admin").Import(request), kFailedPrecondition,
              "line 9 (person P-2): ");
  EXPECT_CODE(View("P-1"), kNotFound, "P-1");
}

}  // namespace
}  // namespace returnpath::integration
