// Who records what: the shipped policy's recording grants, how a refusal
// reads, and how a bad grant is named.

#include "workflows/return_pathway/recording_rights.h"

#include <string>

#include "engine/testing/packed.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/pathway.pb.h"
#include "workflows/return_pathway/event_kinds.h"
#include "workflows/return_pathway/pathway_fixture.h"
#include "workflows/return_pathway/policy_set.h"

namespace returnpath::return_pathway {
namespace {

using ::testing::HasSubstr;
namespace v1 = ::returnpath::v1;

v1::Policy Shipped() { return ShippedPolicies().versions().front(); }

using ::returnpath::engine::testing::Packed;

google::protobuf::Any Departure(v1::DepartureKind kind) {
  v1::Departed departed;
  departed.set_kind(kind);
  return Packed(departed);
}

TEST(RecordingRightsTest, ADepartureIsJudgedByHowThePersonLeft) {
  EXPECT_EQ(*RecordingKindOf(Departure(v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY)),
            "departure");
  EXPECT_EQ(*RecordingKindOf(Departure(v1::DEPARTURE_KIND_FORCED)),
            "forced_return");
  EXPECT_EQ(*RecordingKindOf(Departure(v1::DEPARTURE_KIND_DUBLIN_TRANSFER)),
            "dublin_transfer");
}

TEST(RecordingRightsTest, ACorrectionIsJudgedAsTheEventItPutsInPlace) {
  v1::EventCorrected correction;
  correction.set_corrected_position(3);
  *correction.mutable_replacement() = Departure(v1::DEPARTURE_KIND_FORCED);
  EXPECT_EQ(*RecordingKindOf(Packed(correction)), "forced_return");
  correction.clear_replacement();
  EXPECT_EQ(*RecordingKindOf(Packed(correction)), "correction");
}

TEST(RecordingRightsTest, TheShippedPolicyFollowsTheDomainsRoles) {
  const v1::Policy policy = Shipped();
  EXPECT_TRUE(
      MayRecordUnder(policy, "reception", Packed(v1::FirstRejection())).ok());
  EXPECT_TRUE(
      MayRecordUnder(policy, "adviser", Packed(v1::ReturnConversationHeld()))
          .ok());
  EXPECT_TRUE(
      MayRecordUnder(policy, "adviser", Packed(v1::IomApplicationSubmitted()))
          .ok());
  EXPECT_TRUE(
      MayRecordUnder(policy, "police", Departure(v1::DEPARTURE_KIND_FORCED))
          .ok());
  EXPECT_TRUE(MayRecordUnder(policy, "police",
                             Departure(v1::DEPARTURE_KIND_DUBLIN_TRANSFER))
                  .ok());

  absl::Status forced =
      MayRecordUnder(policy, "reception", Departure(v1::DEPARTURE_KIND_FORCED));
  EXPECT_EQ(forced.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(forced.message(),
            "reception staff may not record \"forced_return\" events: policy "
            "2012-01-01 lets police liaison record them");
  absl::Status conversation =
      MayRecordUnder(policy, "reception", Packed(v1::ReturnConversationHeld()));
  EXPECT_THAT(conversation.message(),
              HasSubstr("lets return advisers record them"));
  EXPECT_EQ(
      MayRecordUnder(policy, "police", Packed(v1::PersonRegistered())).code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(
      MayRecordUnder(policy, "auditor", Packed(v1::FirstRejection())).code(),
      absl::StatusCode::kPermissionDenied);
}

TEST(RecordingRightsTest, EveryRecordingKindIsGrantedToSomeRole) {
  const v1::Policy policy = Shipped();
  for (const std::string& kind : RecordingKinds()) {
    bool granted = false;
    for (const v1::RecordingGrant& grant : policy.recording()) {
      for (const std::string& k : grant.kinds()) granted |= k == kind;
    }
    EXPECT_TRUE(granted) << kind;
  }
}

TEST(RecordingRightsTest, EventsOnlyTheEngineOrAHouseholdWritesAreNobodys) {
  absl::Status status = MayRecordUnder(Shipped(), "reception",
                                       Packed(v1::HouseholdMemberJoined()));
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(status.message(),
              HasSubstr("nobody records returnpath.v1.HouseholdMemberJoined"));
}

TEST(RecordingRightsTest, ABadGrantIsNamedByItsField) {
  struct Case {
    void (*change)(v1::Policy&);
    std::string problem;
  };
  const Case cases[] = {
      {[](v1::Policy& p) { p.clear_recording(); }, "recording: is missing"},
      {[](v1::Policy& p) { p.mutable_recording(0)->set_role("auditor"); },
       "recording[0].role: \"auditor\" is not one of reception, adviser, "
       "police"},
      {[](v1::Policy& p) { *p.add_recording() = p.recording(1); },
       "recording[3].role: \"adviser\" has an earlier grant"},
      {[](v1::Policy& p) { p.mutable_recording(2)->add_kinds("arrest"); },
       "recording[2].kinds[3]: \"arrest\" is not a recording kind"},
      {[](v1::Policy& p) {
         p.mutable_recording(2)->add_kinds("forced_return");
       },
       "recording[2].kinds[3]: \"forced_return\" is granted twice"},
      {[](v1::Policy& p) { p.mutable_recording()->RemoveLast(); },
       "recording: no role may record \"forced_return\" events"},
  };
  for (const Case& c : cases) {
    v1::Policy policy = Shipped();
    c.change(policy);
    absl::Status status = ValidatePolicy(policy, "f.textproto");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr("f.textproto: " + c.problem));
  }
}

}  // namespace
}  // namespace returnpath::return_pathway
