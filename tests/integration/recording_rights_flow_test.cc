// Who records what, through the real daemon, exhaustively: every role, every
// recording kind, a person in scope and one out of scope. The expected table
// is domain.md's "Who records what", restated here on purpose: the shipped
// policy must give exactly that.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/testing/packed.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/pathway.pb.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

namespace v1 = ::returnpath::v1;

const std::map<std::string, std::set<std::string>>& Granted() {
  static const auto* granted = new std::map<std::string, std::set<std::string>>{
      {"reception",
       {"registration",
        "first_rejection",
        "appeal",
        "appeal_waived",
        "appeal_decision",
        "final_rejection",
        "departure_deadline",
        "departure_deadline_suspension",
        "case_reopened",
        "residence_permit",
        "relocation_order",
        "relocation",
        "move",
        "disappearance",
        "reappearance",
        "departure",
        "flags",
        "course_enrolment",
        "course_completion",
        "correction",
        "retraction"}},
      {"adviser",
       {"return_conversation", "iom_application", "iom_approval",
        "iom_withdrawal", "iom_refusal", "departure", "travel_document"}},
      {"police", {"forced_return", "dublin_transfer", "travel_document"}},
      {"auditor", {}},
      {"admin", {}},
  };
  return *granted;
}

using ::returnpath::engine::testing::Packed;

google::protobuf::Any Departure(v1::DepartureKind kind) {
  v1::Departed departed;
  departed.set_kind(kind);
  departed.set_destination_country("AF");
  return Packed(departed);
}

// One event of each recording kind. Corrections and retractions name a
// position that does not exist, so none of them changes a pathway.
std::map<std::string, google::protobuf::Any> OneOfEachKind(
    const google::protobuf::Any& registration) {
  v1::EventCorrected correction;
  correction.set_corrected_position(999999);
  correction.set_reason("typo");
  v1::EventRetracted retraction;
  retraction.set_retracted_position(999999);
  retraction.set_reason("recorded twice");
  v1::RelocationOrdered ordered;
  ordered.set_return_centre("Retur-1");
  v1::RelocationCompleted relocated;
  relocated.set_return_centre("Retur-1");
  v1::PersonMovedCentre moved;
  moved.set_reception_centre("Oslo-2");
  v1::FlagsChanged flags;
  flags.mutable_flags()->set_identity_unclarified(true);
  v1::QualificationCourseEnrolled enrolled;
  enrolled.set_course_id("C-1");
  v1::QualificationCourseCompleted completed;
  completed.set_course_id("C-1");
  return {
      {"registration", registration},
      {"first_rejection", Packed(v1::FirstRejection())},
      {"appeal", Packed(v1::AppealLodged())},
      {"appeal_waived", Packed(v1::AppealWaived())},
      {"appeal_decision", Packed(v1::AppealDecided())},
      {"final_rejection", Packed(v1::FinalRejection())},
      {"departure_deadline", Packed(v1::DepartureDeadlineSet())},
      {"departure_deadline_suspension",
       Packed(v1::DepartureDeadlineSuspended())},
      {"case_reopened", Packed(v1::CaseReopened())},
      {"residence_permit", Packed(v1::ResidencePermitGranted())},
      {"relocation_order", Packed(ordered)},
      {"relocation", Packed(relocated)},
      {"move", Packed(moved)},
      {"disappearance", Packed(v1::Disappeared())},
      {"reappearance", Packed(v1::Reappeared())},
      {"departure", Departure(v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY)},
      {"forced_return", Departure(v1::DEPARTURE_KIND_FORCED)},
      {"dublin_transfer", Departure(v1::DEPARTURE_KIND_DUBLIN_TRANSFER)},
      {"flags", Packed(flags)},
      {"course_enrolment", Packed(enrolled)},
      {"course_completion", Packed(completed)},
      {"return_conversation", Packed(v1::ReturnConversationHeld())},
      {"iom_application", Packed(v1::IomApplicationSubmitted())},
      {"iom_approval", Packed(v1::IomApplicationApproved())},
      {"iom_withdrawal", Packed(v1::IomApplicationWithdrawn())},
      {"iom_refusal", Packed(v1::IomApplicationRefused())},
      {"travel_document", Packed(v1::TravelDocumentObtained())},
      {"correction", Packed(correction)},
      {"retraction", Packed(retraction)},
  };
}

// The development desk at Oslo-1 for each role, and a registrar over every
// centre who sets the persons up.
class RecordingRightsFlowTest : public IntegrationTest {
 protected:
  DaemonOptions Options() const override {
    return WithPrincipals(
        {{"reception", v1::ROLE_RECEPTION, {"centre/Oslo-1"}},
         {"adviser",
          v1::ROLE_ADVISER,
          {"queue/advisers/Oslo-1", "centre/Oslo-1"}},
         {"police", v1::ROLE_POLICE, {"queue/police/pu", "region/OSLO"}},
         {"auditor", v1::ROLE_AUDITOR, {"*"}},
         {"admin", v1::ROLE_ADMIN, {}},
         {"registrar", v1::ROLE_RECEPTION, {"*"}}});
  }

  void AddPerson(const PersonSpec& person) {
    absl::StatusOr<client::BuiltEvent> registration = RegistrationEvent(person);
    ASSERT_TRUE(registration.ok()) << registration.status();
    RP_ASSERT_OK(As("registrar").Record(person.id, *registration));
    absl::StatusOr<client::BuiltEvent> rejection =
        client::BuildEvent("first-rejection", {{"notified", "2026-02-27"}});
    ASSERT_TRUE(rejection.ok()) << rejection.status();
    RP_ASSERT_OK(As("registrar").Record(person.id, *rejection));
  }

  // The position of the log's last event.
  uint64_t LastPosition() {
    uint64_t last = 0;
    absl::Status verified =
        As("auditor").Verify({}, [&last](const v1::VerifyResponse& response) {
          if (response.has_outcome()) last = response.outcome().checked();
          return true;
        });
    EXPECT_TRUE(verified.ok()) << verified;
    return last;
  }

  // Registers `id` at Oslo-1, the desks' centre.
  static google::protobuf::Any Registration(const std::string& id) {
    absl::StatusOr<client::BuiltEvent> built =
        RegistrationEvent(PersonSpec{.id = id});
    EXPECT_TRUE(built.ok()) << built.status();
    return built.ok() ? built->event : google::protobuf::Any();
  }

  absl::Status RecordAs(const std::string& role, const std::string& person,
                        const google::protobuf::Any& event) {
    client::BuiltEvent built;
    built.event = event;
    return As(role).Record(person, built).status();
  }
};

TEST_F(RecordingRightsFlowTest, EachRoleRecordsExactlyItsKindsAndOnlyInScope) {
  PersonSpec outside{.id = "P-OUT", .centre = "Bergen-1", .region = "vest"};
  AddPerson(outside);
  const auto events = OneOfEachKind(Registration("P-NEW"));
  int rows = 0;
  for (const auto& [kind, event] : events) {
    // A fresh person per kind, so what one role records cannot change what
    // the next is judged by (a move out of Oslo-1, a departure).
    const std::string inside = absl::StrCat("P-", kind);
    AddPerson(PersonSpec{.id = inside});
    for (const auto& [role, kinds] : Granted()) {
      const bool granted = kinds.contains(kind);
      for (const std::string& person : {inside, outside.id}) {
        SCOPED_TRACE(absl::StrCat(role, " records ", kind, " for ", person));
        ++rows;
        const uint64_t before = LastPosition();
        // A registration names the person it registers.
        const absl::Status status =
            kind == "registration"
                ? RecordAs(role, person, Registration(person))
                : RecordAs(role, person, event);
        if (!granted) {
          EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied)
              << status;
          if (role != "auditor" && role != "admin") {
            EXPECT_THAT(std::string(status.message()),
                        ::testing::HasSubstr(absl::StrCat("\"", kind, "\"")));
          }
        } else if (person == outside.id) {
          EXPECT_EQ(status, absl::NotFoundError(
                                "no person with id P-OUT in your scope"));
        } else {
          // Allowed: whatever the pathway says (a correction of an event
          // that is not there is NOT_FOUND), never a refusal of rights.
          EXPECT_NE(status.code(), absl::StatusCode::kPermissionDenied)
              << status;
          EXPECT_THAT(std::string(status.message()),
                      ::testing::Not(::testing::HasSubstr("in your scope")));
        }
        if (!status.ok()) {
          EXPECT_EQ(LastPosition(), before) << "refused, but wrote";
        }
      }
    }
  }
  EXPECT_EQ(rows, 29 * 5 * 2);
}

// The scope is judged inside the write: a person moved away a moment before
// is judged by where they are now, even by a caller who read them in scope.
TEST_F(RecordingRightsFlowTest, APersonMovedAwayIsOutOfScopeAtOnce) {
  AddPerson(PersonSpec{.id = "P-1"});
  v1::PersonMovedCentre moved;
  moved.set_reception_centre("Bergen-1");
  moved.set_region(v1::REGION_VEST);
  RP_ASSERT_OK(RecordAs("registrar", "P-1", Packed(moved)));
  const uint64_t before = LastPosition();
  absl::Status status = RecordAs("reception", "P-1", Packed(v1::Disappeared()));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_EQ(LastPosition(), before);
}

}  // namespace
}  // namespace returnpath::integration
