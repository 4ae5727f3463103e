// The seams between rules through the real daemon (issue 11): a fact from
// the future is refused, the auditors' months are Oslo months in winter and
// summer time, and reception staff keep in scope the persons who left their
// centre.

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "clients/lib/time_text.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "tests/integration/fixture.h"
#include "tests/integration/scoped_fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class SeamsTest : public IntegrationTest {
 protected:
  // Records `kind` for `person` as reception, effective at `at`.
  absl::Status RecordAt(const std::string& person, const std::string& kind,
                        const client::EventArgs& args, absl::Time at) {
    absl::StatusOr<client::BuiltEvent> event = client::BuildEvent(kind, args);
    if (!event.ok()) return event.status();
    client::RecordOptions options;
    options.effective_time = at;
    return As("reception").Record(person, *event, options).status();
  }

  absl::Status RegisterAt(const PersonSpec& person, absl::Time at) {
    absl::StatusOr<client::BuiltEvent> event = RegistrationEvent(person);
    if (!event.ok()) return event.status();
    client::RecordOptions options;
    options.effective_time = at;
    return As("reception").Record(person.id, *event, options).status();
  }

  // "category month group count" of `returnctl audit stats <args> --json`.
  std::vector<std::string> Stats(std::vector<std::string> args) {
    args.insert(args.begin(), {"--as=auditor", "audit", "stats", "--json"});
    ProcessResult r = Ctl(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    v1::StatisticsResponse response;
    auto parsed = google::protobuf::util::JsonStringToMessage(r.out, &response);
    EXPECT_TRUE(parsed.ok()) << parsed.message() << "\n" << r.out;
    std::vector<std::string> rows;
    for (const v1::StatisticsRow& row : response.rows()) {
      rows.push_back(absl::StrCat(row.category(), " ", row.month(), " ",
                                  row.group(), " ", row.count()));
    }
    return rows;
  }
};

// The daemon's clock starts at 2026-03-01T00:00:00Z.
TEST_F(SeamsTest, AFactFromTheFutureIsRefusedAndChangesNothing) {
  RP_ASSERT_OK(Register({.id = "F-1"}));
  absl::Status future =
      StatusOf(Record("F-1", "first-rejection", {{"notified", "2026-03-20"}}));
  EXPECT_EQ(future.code(), absl::StatusCode::kInvalidArgument) << future;
  EXPECT_THAT(std::string(future.message()),
              HasSubstr("effective_time: 2026-03-19T23:00:00Z is in the "
                        "future: the engine's present time is "
                        "2026-03-01T00:00:00Z"));
  absl::StatusOr<v1::PathwayState> state = State("F-1");
  RP_ASSERT_OK(state);
  EXPECT_EQ(state->stage(), v1::STAGE_ASYLUM_PENDING);
  EXPECT_EQ(state->last_version(), 1u);

  // A new person dated in the future is refused the same way.
  absl::Status registration =
      RegisterAt({.id = "F-2"}, Utc("2026-03-01T00:10:00Z"));
  EXPECT_EQ(registration.code(), absl::StatusCode::kInvalidArgument)
      << registration;
  EXPECT_THAT(std::string(registration.message()), HasSubstr("effective_time"));
  // A few minutes of clock skew are allowed.
  RP_EXPECT_OK(RegisterAt({.id = "F-3"}, Utc("2026-03-01T00:04:00Z")));
}

TEST_F(SeamsTest, AfterADepartureShowSaysTheDepartureDeadlineWasMet) {
  RP_ASSERT_OK(Register({.id = "D-1"}));
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-02T08:00:00Z")));
  RP_ASSERT_OK(Record("D-1", "final-rejection", {{"notified", "2026-03-02"}}));
  RP_ASSERT_OK(
      Record("D-1", "iom-application", {{"programme", "VARP"}}, "adviser"));
  RP_ASSERT_OK(Record("D-1", "departure", {{"kind", "assisted"}}));
  ProcessResult r = Ctl({"--as=reception", "show", "--person", "D-1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const size_t at = r.out.find("departure deadline ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
  EXPECT_THAT(line, HasSubstr("met"));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("running")));
}

// 00:00 on the 1st in Oslo is 23:00 UTC the day before in winter and 22:00
// in summer: the event counts in the month that begins.
TEST_F(SeamsTest, StatisticsCountByOsloMonthsInWinterAndSummer) {
  const absl::Time february = Utc("2026-02-01T12:00:00Z");
  RP_ASSERT_OK(RegisterAt({.id = "W-1", .nationality = "AF"}, february));
  RP_ASSERT_OK(RegisterAt({.id = "W-2", .nationality = "SO"}, february));
  // 00:00 on 1 March in Oslo (winter time, UTC+1).
  RP_ASSERT_OK(RecordAt("W-1", "disappeared", {}, Utc("2026-02-28T23:00:00Z")));
  // 23:59:59 on 28 February in Oslo.
  RP_ASSERT_OK(RecordAt("W-2", "disappeared", {}, Utc("2026-02-28T22:59:59Z")));

  // A first rejection whose appeal window's last day is 31 March (summer
  // time from 29 March): it is final from 00:00 on 1 April in Oslo.
  RP_ASSERT_OK(Register({.id = "S-1", .nationality = "ET"}));
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-10T08:00:00Z")));
  RP_ASSERT_OK(Record("S-1", "first-rejection", {{"notified", "2026-03-10"}}));
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-31T22:30:00Z")));
  absl::StatusOr<v1::EventEnvelope> fired =
      WaitForTimer("S-1", "appeal_window");
  RP_ASSERT_OK(fired);
  EXPECT_EQ(client::FromTimestamp(fired->effective_time()),
            Utc("2026-03-31T22:00:00Z"));

  EXPECT_THAT(Stats({}), UnorderedElementsAre("disappeared 2026-02 SO 1",
                                              "disappeared 2026-03 AF 1",
                                              "final_rejection 2026-04 ET 1"));
  // A month asked for by its dates is the same Oslo month.
  EXPECT_THAT(Stats({"--from", "2026-04-01", "--to", "2026-05-01"}),
              UnorderedElementsAre("final_rejection 2026-04 ET 1"));
  EXPECT_THAT(Stats({"--from", "2026-03-01", "--to", "2026-04-01"}),
              UnorderedElementsAre("disappeared 2026-03 AF 1"));
}

// Scoped reception desks and an administrator to move the clock
// (scoped_fixture.h).
class LeaverScopeTest : public ScopedTest {
 protected:
  absl::StatusOr<v1::RecordEventResponse> RecordAs(
      const std::string& principal, const std::string& person,
      const std::string& kind, const client::EventArgs& args) {
    absl::StatusOr<client::BuiltEvent> event = client::BuildEvent(kind, args);
    if (!event.ok()) return event.status();
    return Client(principal).Record(person, *event);
  }
};

TEST_F(LeaverScopeTest, ReceptionKeepsAPersonWhosePlaceWasReleased) {
  RP_ASSERT_OK(RecordAs("reception-oslo", "P-O1", "disappeared", {}));
  // Released at the end of 2026-03-15 in Oslo.
  RP_ASSERT_OK(AdvanceUntil(Utc("2026-03-16T00:00:00Z")));
  RP_ASSERT_OK(integration::WaitForEvent(
      daemon().NewChannel(), "auditor-all-token", "P-O1",
      [](const v1::EventEnvelope& e) {
        return IsTimerFired(e, "place_release");
      },
      absl::Seconds(15)));
  absl::StatusOr<v1::PathwayView> view =
      Client("reception-oslo").GetPathway("P-O1");
  RP_ASSERT_OK(view);
  v1::PathwayState state;
  ASSERT_TRUE(view->state().UnpackTo(&state));
  EXPECT_TRUE(state.residence().place_released());
  // No longer listed as a resident of Oslo-1, and still nobody else's.
  v1::ListPathwaysRequest listing;
  listing.set_index_prefix("centre/Oslo-1");
  absl::StatusOr<v1::ListPathwaysResponse> residents =
      Client("reception-oslo").ListPathways(listing);
  RP_ASSERT_OK(residents);
  for (const v1::PathwayView& resident : residents->pathways()) {
    EXPECT_NE(resident.person_id(), "P-O1");
  }
  EXPECT_EQ(Client("reception-bergen").GetPathway("P-O1").status().code(),
            absl::StatusCode::kNotFound);
  RP_EXPECT_OK(RecordAs("reception-oslo", "P-O1", "reappeared", {}));
}

TEST_F(LeaverScopeTest, ReceptionKeepsAPersonWhosePathwayEnded) {
  absl::StatusOr<v1::RecordEventResponse> permit =
      RecordAs("reception-oslo", "P-O2", "permit-granted", {});
  RP_ASSERT_OK(permit);
  absl::StatusOr<v1::PathwayView> ended =
      Client("reception-oslo").GetPathway("P-O2");
  RP_ASSERT_OK(ended);
  EXPECT_EQ(Client("reception-bergen").GetPathway("P-O2").status().code(),
            absl::StatusCode::kNotFound);
  // The permit was recorded for the wrong person: the desk takes it back.
  RP_ASSERT_OK(RecordAs("reception-oslo", "P-O2", "retraction",
                        {{"position", absl::StrCat(permit->position())},
                         {"reason", "wrong id"}}));
  absl::StatusOr<v1::PathwayView> reopened =
      Client("reception-oslo").GetPathway("P-O2");
  RP_ASSERT_OK(reopened);
  v1::PathwayState state;
  ASSERT_TRUE(reopened->state().UnpackTo(&state));
  EXPECT_EQ(state.stage(), v1::STAGE_FIRST_REJECTION);
}

}  // namespace
}  // namespace returnpath::integration
