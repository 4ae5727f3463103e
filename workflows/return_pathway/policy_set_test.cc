#include "workflows/return_pathway/policy_set.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/pathway_fixture.h"

namespace returnpath::return_pathway {
namespace {

using ::testing::HasSubstr;
namespace v1 = ::returnpath::v1;

v1::Policy Default() {
  absl::StatusOr<PolicySet> set =
      PolicySet::LoadDirectory(RETURN_PATHWAY_POLICY_DIR);
  EXPECT_TRUE(set.ok()) << set.status();
  return set->versions().front();
}

TEST(PolicySetTest, LoadsTheShippedDefaults) {
  absl::StatusOr<PolicySet> set =
      PolicySet::LoadDirectory(RETURN_PATHWAY_POLICY_DIR);
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->versions().size(), 1u);
  const v1::Policy& p = set->versions()[0];
  EXPECT_EQ(p.version(), "2012-01-01");
  EXPECT_EQ(p.appeal_window().days(), 21);
  EXPECT_TRUE(p.appeal_window().legal_calendar());
  EXPECT_EQ(p.conversation_after_first_rejection().days(), 7);
  EXPECT_EQ(p.conversation_after_final_rejection().days(), 3);
  EXPECT_EQ(p.departure_deadline().default_days(), 21);
  EXPECT_EQ(p.departure_deadline().min_days(), 7);
  EXPECT_EQ(p.departure_deadline().max_days(), 30);
  EXPECT_EQ(p.relocation().due_days(), 7);
  EXPECT_EQ(p.relocation().min_days_before_departure_deadline(), 2);
  EXPECT_EQ(p.child_information().min_age(), 12);
  EXPECT_EQ(p.child_information().due_days(), 14);
  EXPECT_EQ(p.iom().no_departure_follow_up_days(), 60);
  ASSERT_EQ(p.iom().tiers_size(), 3);
  EXPECT_EQ(p.iom().tiers(0).amount_nok(), 20000);
  EXPECT_EQ(p.iom().tiers(1).amount_nok(), 15000);
  EXPECT_EQ(p.iom().tiers(2).amount_nok(), 10000);
  EXPECT_EQ(p.disappearance().place_release_days(), 14);
  EXPECT_EQ(p.long_stayer_review().interval_days(), 90);
  EXPECT_EQ(p.queues().police(), "police/pu");
  EXPECT_EQ(p.relocation().phase_in_after_days(), 30);
  EXPECT_EQ(p.effective_time().max_clock_skew_seconds(), 300);
}

TEST(PolicySetTest, TheExampleRevisionLoadsBesideTheDefaults) {
  absl::StatusOr<PolicySet> example =
      PolicySet::LoadDirectory(RETURN_PATHWAY_EXAMPLES_DIR);
  ASSERT_TRUE(example.ok()) << example.status();
  ASSERT_EQ(example->versions().size(), 1u);
  EXPECT_EQ(example->versions()[0].version(), "2026-07-01");
  EXPECT_EQ(example->versions()[0].iom().tiers(0).amount_nok(), 25000);
  ASSERT_EQ(PoliciesWithExample().versions().size(), 2u);
}

TEST(PolicySetTest, PicksTheVersionInForceOnTheOsloDate) {
  const PolicySet* set = &PoliciesWithExample();
  auto version_at = [&](absl::CivilDay day, absl::Duration into) {
    absl::StatusOr<const v1::Policy*> p =
        set->InForceAt(OsloStartOfDay(day) + into);
    return p.ok() ? (*p)->version() : std::string(p.status().message());
  };
  EXPECT_EQ(version_at(absl::CivilDay(2026, 6, 30), absl::Hours(23)),
            "2012-01-01");
  EXPECT_EQ(version_at(absl::CivilDay(2026, 7, 1), absl::ZeroDuration()),
            "2026-07-01");
  EXPECT_EQ(version_at(absl::CivilDay(2030, 1, 1), absl::ZeroDuration()),
            "2026-07-01");
  absl::StatusOr<const v1::Policy*> early =
      set->InForceAt(OsloStartOfDay(absl::CivilDay(2011, 12, 31)));
  EXPECT_EQ(early.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(early.status().message(), HasSubstr("2011-12-31"));
  EXPECT_EQ(set->Find("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(set->Find("2012-01-01").ok());
}

// What-if: one policy for every event, before its effective_from too and
// whatever version an event names.
TEST(PolicySetTest, ThroughoutGovernsEveryTimeAndEveryVersion) {
  v1::Policy draft = Default();
  draft.set_version("draft");
  draft.mutable_departure_deadline()->set_default_days(14);
  absl::StatusOr<PolicySet> set =
      PolicySet::Throughout(draft, "draft.textproto");
  ASSERT_TRUE(set.ok()) << set.status();
  absl::StatusOr<const v1::Policy*> early =
      set->InForceAt(OsloStartOfDay(absl::CivilDay(2000, 1, 1)));
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_EQ((*early)->version(), "draft");
  absl::StatusOr<const v1::Policy*> named = set->Find("2012-01-01");
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ((*named)->departure_deadline().default_days(), 14);

  draft.mutable_departure_deadline()->set_default_days(40);
  absl::StatusOr<PolicySet> bad =
      PolicySet::Throughout(draft, "draft.textproto");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(),
              HasSubstr("draft.textproto: departure_deadline.default_days"));
}

TEST(PolicyValidationTest, DepartureDefaultOutsideTheAllowedRange) {
  v1::Policy p = Default();
  p.mutable_departure_deadline()->set_default_days(35);
  absl::Status status = ValidatePolicy(p, "policy/x.textproto");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "policy/x.textproto: departure_deadline.default_days: 35 is "
            "outside the allowed 7-30 days");
}

TEST(PolicyValidationTest, NamesTheFieldThatIsWrong) {
  struct Case {
    void (*mutate)(v1::Policy&);
    const char* field;
  };
  const Case cases[] = {
      {[](v1::Policy& p) { p.clear_appeal_window(); }, "appeal_window"},
      {[](v1::Policy& p) { p.mutable_departure_deadline()->set_max_days(5); },
       "departure_deadline.max_days"},
      {[](v1::Policy& p) {
         p.mutable_relocation()->set_min_days_before_departure_deadline(7);
       },
       "relocation.min_days_before_departure_deadline"},
      {[](v1::Policy& p) {
         p.mutable_iom()->mutable_tiers(1)->set_amount_nok(30000);
       },
       "iom.tiers[1].amount_nok"},
      {[](v1::Policy& p) {
         p.mutable_iom()->mutable_tiers(2)->set_open_ended(false);
       },
       "iom.tiers[2].open_ended"},
      {[](v1::Policy& p) {
         p.mutable_escalation()->add_task_kinds("police_referral");
       },
       "escalation.task_kinds"},
      {[](v1::Policy& p) { p.mutable_queues()->set_region("region/{county}"); },
       "queues.region"},
      {[](v1::Policy& p) {
         p.mutable_feasibility()->add_readmission_agreement_countries("Iraq");
       },
       "feasibility.readmission_agreement_countries"},
      {[](v1::Policy& p) {
         p.mutable_long_stayer_review()->set_interval_days(0);
       },
       "long_stayer_review.interval_days"},
      {[](v1::Policy& p) { p.clear_version(); }, "version"},
  };
  for (const Case& c : cases) {
    v1::Policy p = Default();
    c.mutate(p);
    absl::Status status = ValidatePolicy(p, "f.textproto");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(status.message(),
                HasSubstr(absl::StrCat("f.textproto: ", c.field, ":")))
        << status.message();
  }
}

class PolicyDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::string DefaultText() {
    std::ifstream in(std::filesystem::path(RETURN_PATHWAY_POLICY_DIR) /
                     "2012-01-01.textproto");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::filesystem::path dir_;
};

TEST_F(PolicyDirTest, ParseErrorNamesFileLineAndColumn) {
  Write("2012-01-01.textproto", "version: \"a\"\nappeal_window { dayz: 3 }\n");
  absl::StatusOr<PolicySet> set = PolicySet::LoadDirectory(dir_.string());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(set.status().message(), HasSubstr("2012-01-01.textproto:2:"));
  EXPECT_THAT(set.status().message(), HasSubstr("dayz"));
}

TEST_F(PolicyDirTest, TwoFilesWithTheSameDateAreRefused) {
  std::string text = DefaultText();
  Write("a.textproto", text);
  const std::string renamed = "version: \"other\"";
  text.replace(text.find("version: \"2012-01-01\""),
               std::string("version: \"2012-01-01\"").size(), renamed);
  Write("b.textproto", text);
  absl::StatusOr<PolicySet> set = PolicySet::LoadDirectory(dir_.string());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(set.status().message(), HasSubstr("effective_from: 2012-01-01"));
}

TEST_F(PolicyDirTest, EmptyDirectoryIsNotFound) {
  EXPECT_EQ(PolicySet::LoadDirectory(dir_.string()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      PolicySet::LoadDirectory((dir_ / "missing").string()).status().code(),
      absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace returnpath::return_pathway
