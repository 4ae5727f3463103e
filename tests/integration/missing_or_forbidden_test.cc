// A caller without scope over a person learns nothing about whether the
// person exists: an out-of-scope person and a missing one get the same
// answer, and nothing is written for either.

#include <set>

#include "gmock/gmock.h"
#include "tests/integration/scoped_fixture.h"

namespace returnpath::integration {
namespace {

using MissingOrForbiddenTest = ScopedTest;

absl::Status RecordAs(client::Client& caller, const std::string& person,
                      const std::string& kind, const client::EventArgs& args,
                      client::RecordOptions options = {}) {
  absl::StatusOr<client::BuiltEvent> event = client::BuildEvent(kind, args);
  if (!event.ok()) return event.status();
  return caller.Record(person, *event, options).status();
}

TEST_F(MissingOrForbiddenTest, GetPathwayAnswersAlikeForBoth) {
  client::Client& reception = Client("reception-oslo");
  RP_EXPECT_OK(reception.GetPathway("P-O1"));
  const absl::Status elsewhere = reception.GetPathway("P-B1").status();
  const absl::Status missing = reception.GetPathway("NOBODY").status();
  EXPECT_EQ(elsewhere.code(), absl::StatusCode::kNotFound) << elsewhere;
  EXPECT_EQ(WithoutId(elsewhere, "P-B1"), WithoutId(missing, "NOBODY"));
}

TEST_F(MissingOrForbiddenTest, RecordEventAnswersAlikeForBoth) {
  client::Client& reception = Client("reception-oslo");
  const size_t before = WholeLog().size();
  const client::EventArgs appeal = {{"lodged", "2026-02-28"}};
  const absl::Status elsewhere = RecordAs(reception, "P-B1", "appeal", appeal);
  const absl::Status missing = RecordAs(reception, "NOBODY", "appeal", appeal);
  EXPECT_EQ(elsewhere.code(), absl::StatusCode::kNotFound) << elsewhere;
  EXPECT_EQ(WithoutId(elsewhere, "P-B1"), WithoutId(missing, "NOBODY"));
  // With an expected version, too.
  client::RecordOptions at_version;
  at_version.expected_version = 2;
  EXPECT_EQ(
      WithoutId(RecordAs(reception, "P-B1", "appeal", appeal, at_version),
                "P-B1"),
      WithoutId(RecordAs(reception, "NOBODY", "appeal", appeal, at_version),
                "NOBODY"));
  // Registering someone at a centre outside scope is refused outright.
  const absl::Status foreign = RecordAs(reception, "P-NEW", "register",
                                        {{"person", "P-NEW"},
                                         {"household", "H-NEW"},
                                         {"born", "1990-05-01"},
                                         {"nationality", "AF"},
                                         {"centre", "Bergen-1"},
                                         {"region", "vest"}});
  EXPECT_EQ(foreign.code(), absl::StatusCode::kPermissionDenied) << foreign;
  EXPECT_EQ(WholeLog().size(), before);
}

TEST_F(MissingOrForbiddenTest, ListingsLeaveOutPersonsOutOfScope) {
  v1::ListPathwaysRequest request;
  request.set_index_prefix("centre/");
  absl::StatusOr<v1::ListPathwaysResponse> listed =
      Client("reception-oslo").ListPathways(request);
  RP_ASSERT_OK(listed);
  std::set<std::string> persons;
  for (const v1::PathwayView& view : listed->pathways())
    persons.insert(view.person_id());
  EXPECT_EQ(persons, std::set<std::string>({"P-O1", "P-O2"}));
}

}  // namespace
}  // namespace returnpath::integration
