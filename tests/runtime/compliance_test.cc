// The compliance report over real stores: clean pathways give no findings,
// and every rule finds a violation planted in a test store (a workflow run
// under a deliberately wrong policy, a workflow that opens or keeps a task it
// should not, a tampered record, a wrong count), naming the rule, the policy
// version, the events and the dates.

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/civil_time.h"
#include "engine/clock.h"
#include "engine/event_store.h"
#include "engine/history_check.h"
#include "engine/proto_time.h"
#include "engine/task_queue.h"
#include "engine/testing/edit_store.h"
#include "engine/testing/store_test_util.h"
#include "engine/timer_loop.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "returnpath/v1/pathway.pb.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "tests/runtime/open_runtime.h"
#include "tests/runtime/planting_workflow.h"
#include "workflows/return_pathway/compliance/compliance_checker.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/pathway_fixture.h"
#include "workflows/return_pathway/return_pathway_workflow.h"

namespace returnpath::engine {
namespace {

namespace v1 = ::returnpath::v1;
using ::returnpath::engine::testing::TempDir;
using ::testing::Contains;
using ::testing::HasSubstr;

using return_pathway::At;  // 10:00 in Norway

using return_pathway::ToDate;

constexpr absl::CivilDay kRegistered{2026, 3, 2};
constexpr absl::CivilDay kNotified{2026, 3, 4};  // a Wednesday

const return_pathway::PolicySet& RealPolicies() {
  static const auto* set = [] {
    auto loaded =
        return_pathway::PolicySet::LoadDirectory(RETURN_PATHWAY_POLICY_DIR);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return new return_pathway::PolicySet(*std::move(loaded));
  }();
  return *set;
}

// The shipped policy with `change` applied, under the same version name: a
// workflow run with it makes mistakes the checker (with the real policy)
// must find.
std::unique_ptr<Workflow> WrongPolicyWorkflow(
    const std::function<void(v1::Policy&)>& change) {
  std::vector<std::pair<std::string, v1::Policy>> versions;
  for (const v1::Policy& p : RealPolicies().versions()) {
    versions.emplace_back(p.version(), p);
    change(versions.back().second);
  }
  auto set = return_pathway::PolicySet::Create(std::move(versions));
  EXPECT_TRUE(set.ok()) << set.status();
  return std::make_unique<return_pathway::ReturnPathwayWorkflow>(
      *std::move(set));
}

std::unique_ptr<Workflow> RealWorkflow() {
  return std::make_unique<return_pathway::ReturnPathwayWorkflow>(
      RealPolicies());
}

class ComplianceTest : public ::testing::Test {
 protected:
  ComplianceTest() : clock_(At(kRegistered)) {}

  void TearDown() override { Close(); }

  void Open(std::unique_ptr<Workflow> workflow = RealWorkflow()) {
    workflow_ = std::move(workflow);
    OpenRuntime(dir_.path(), &clock_, workflow_.get(), &store_, &loop_,
                &queue_);
  }

  void Close() {
    queue_.reset();
    loop_.reset();
    store_.reset();
  }

  // Moves the clock to 10:00 on `day` and lets every timer due fire.
  void MoveTo(absl::CivilDay day) {
    if (At(day) > clock_.Now()) clock_.SetTime(At(day));
    ASSERT_TRUE(loop_->WaitIdle(absl::Seconds(60)).ok());
  }

  // Effective at 10:00 on `day`, recorded then or on `recorded` if later.
  void Record(const google::protobuf::Message& payload, absl::CivilDay day,
              const std::string& person = "P1",
              std::optional<absl::CivilDay> recorded = std::nullopt) {
    MoveTo(recorded.value_or(day));
    AppendRequest request;
    request.stream_id = person;
    request.principal = "reception:oslo-1";
    ProposedEvent event;
    event.effective_time = At(day);
    event.payload.PackFrom(payload);
    request.events.push_back(std::move(event));
    absl::StatusOr<AppendResult> result = store_->Append(std::move(request));
    ASSERT_TRUE(result.ok()) << result.status();
  }

  void Register(const std::string& person = "P1",
                const std::function<void(v1::PersonRegistered&)>& edit = {}) {
    v1::PersonRegistered registered;
    registered.set_person_id(person);
    registered.set_household_id("H-" + person);
    *registered.mutable_date_of_birth() = ToDate(absl::CivilDay(1990, 1, 1));
    registered.set_nationality("AF");
    registered.set_reception_centre("Oslo-1");
    registered.set_region(v1::REGION_OSLO);
    if (edit) edit(registered);
    Record(registered, kRegistered, person);
  }

  void FirstRejection(absl::CivilDay day, const std::string& person = "P1") {
    v1::FirstRejection rejection;
    *rejection.mutable_notified_on() = ToDate(day);
    Record(rejection, day, person);
  }

  void FinalRejection(absl::CivilDay day, const std::string& person = "P1") {
    v1::FinalRejection rejection;
    *rejection.mutable_notified_on() = ToDate(day);
    Record(rejection, day, person);
  }

  void IomApply(absl::CivilDay day, const std::string& person = "P1") {
    v1::IomApplicationSubmitted applied;
    applied.set_programme(v1::IOM_PROGRAMME_VARP);
    Record(applied, day, person);
  }

  // The open task of `kind`, completed by a worker on `day`.
  void Complete(const std::string& kind, absl::CivilDay day,
                const std::string& person = "P1") {
    MoveTo(day);
    std::optional<v1::Task> task = TaskOf(kind, person);
    ASSERT_TRUE(task.has_value()) << "no open " << kind;
    absl::Notification claimed;
    absl::Status claim;
    queue_->ClaimAsync(TaskRef{person, task->id(), "worker-1"}, absl::Hours(1),
                       absl::UTCTimeZone(), [&](absl::StatusOr<v1::Task> t) {
                         claim = t.status();
                         claimed.Notify();
                       });
    claimed.WaitForNotification();
    ASSERT_TRUE(claim.ok()) << claim;
    CompleteRequest done;
    done.task = TaskRef{person, task->id(), "worker-1"};
    done.outcome = "done";
    done.principal = "adviser:oslo-1";
    absl::StatusOr<CompleteResult> completed = queue_->Complete(done);
    ASSERT_TRUE(completed.ok()) << completed.status();
  }

  std::optional<v1::Task> TaskOf(const std::string& kind,
                                 const std::string& person = "P1") {
    absl::StatusOr<std::vector<v1::Task>> tasks =
        store_->TasksForStream(person);
    EXPECT_TRUE(tasks.ok()) << tasks.status();
    for (const v1::Task& t : *tasks) {
      if (t.kind() == kind && (t.state() == v1::TASK_STATE_OPEN ||
                               t.state() == v1::TASK_STATE_LEASED)) {
        return t;
      }
    }
    return std::nullopt;
  }

  // The report over everyone (or one person), with the real policy.
  std::vector<Finding> Findings(std::optional<std::string> person = {}) {
    HistoryCheckOptions options;
    options.stream_id = std::move(person);
    options.now = clock_.Now();
    std::vector<Finding> found;
    options.on_findings = [&found](std::vector<Finding> f) {
      for (Finding& one : f) found.push_back(std::move(one));
    };
    return_pathway::ComplianceChecker checker(RealPolicies());
    absl::StatusOr<HistoryCheckReport> report =
        CheckHistories(*store_, *workflow_, checker, options);
    EXPECT_TRUE(report.ok()) << report.status();
    return found;
  }

  static std::set<std::string> Rules(const std::vector<Finding>& found) {
    std::set<std::string> rules;
    for (const Finding& f : found) rules.insert(f.rule);
    return rules;
  }

  static const Finding* Find(const std::vector<Finding>& found,
                             const std::string& rule) {
    for (const Finding& f : found) {
      if (f.rule == rule) return &f;
    }
    return nullptr;
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<Workflow> workflow_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<TimerLoop> loop_;
  std::unique_ptr<TaskQueue> queue_;
};

std::string Describe(const std::vector<Finding>& found) {
  std::string out;
  for (const Finding& f : found) {
    absl::StrAppend(&out, f.stream_id, " ", f.rule, ": ", f.message, "\n");
  }
  return out;
}

// Every duty done in time, a referral only after the deadline, a tier the
// policy gives: nothing to report, and the statistics recount agrees.
TEST_F(ComplianceTest, CleanPathwaysHaveNoFindings) {
  Open();
  Register("P1");
  Register("P2");
  FirstRejection(kNotified, "P1");
  FinalRejection(kNotified, "P2");  // departure deadline 2026-03-25
  Complete("return_conversation", kNotified + 1, "P2");
  Complete("return_conversation", kNotified + 2, "P1");
  Complete("relocation", kNotified + 3, "P2");
  // P1's appeal window (21 days, to 2026-03-25) closes unappealed: final on
  // 2026-03-26, departure deadline 2026-04-16. P2 overstays: the police are
  // referred after the deadline, as they should be.
  MoveTo(kNotified + 22);
  ASSERT_TRUE(TaskOf("police_referral", "P2").has_value());
  Complete("return_conversation", kNotified + 23, "P1");
  // P2 applies to IOM: the referral is withdrawn.
  IomApply(kNotified + 24, "P2");
  EXPECT_FALSE(TaskOf("police_referral", "P2").has_value());
  v1::RelocationCompleted relocated;
  relocated.set_return_centre("Return-1");
  Record(relocated, kNotified + 25, "P1");
  IomApply(kNotified + 26, "P1");
  v1::Departed departed;
  departed.set_kind(v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY);
  departed.set_destination_country("AF");
  Record(departed, kNotified + 30, "P1");

  const std::vector<Finding> found = Findings();
  EXPECT_TRUE(found.empty()) << Describe(found);
}

TEST_F(ComplianceTest, AConversationHeldLateIsFoundWithTheDaysLate) {
  Open();
  Register();
  FirstRejection(kNotified);  // due within 7 days: 2026-03-11
  v1::ReturnConversationHeld held;
  Record(held, kNotified + 10);
  const std::vector<Finding> found = Findings("P1");
  const Finding* late = Find(found, "conversation_late");
  ASSERT_NE(late, nullptr) << Describe(found);
  EXPECT_EQ(late->stream_id, "P1");
  EXPECT_EQ(late->days_late, 3);
  EXPECT_EQ(late->policy_version, "2012-01-01");
  EXPECT_THAT(late->dates, Contains("due 2026-03-11"));
  EXPECT_THAT(late->dates, Contains("done 2026-03-14"));
  EXPECT_EQ(late->positions.size(), 2u);  // opened, and held
}

TEST_F(ComplianceTest, AnOverdueConversationIsFoundAsOverdue) {
  Open();
  Register();
  FirstRejection(kNotified);
  MoveTo(kNotified + 12);
  const std::vector<Finding> found = Findings();
  const Finding* overdue = Find(found, "return_conversation_overdue");
  ASSERT_NE(overdue, nullptr) << Describe(found);
  EXPECT_EQ(overdue->days_late, 5);
  // It was escalated when it came due.
  EXPECT_EQ(Find(found, "overdue_not_escalated"), nullptr) << Describe(found);
}

TEST_F(ComplianceTest, AReferralWrittenUnderAWrongDeadlineIsFound) {
  // The workflow counts 7 days to the departure deadline; the policy says 21.
  Open(WrongPolicyWorkflow([](v1::Policy& p) {
    p.mutable_departure_deadline()->set_default_days(7);
  }));
  Register();
  FinalRejection(kNotified);
  Complete("return_conversation", kNotified + 1);
  MoveTo(kNotified + 9);
  ASSERT_TRUE(TaskOf("police_referral").has_value());
  const std::vector<Finding> found = Findings();
  const Finding* early = Find(found, "police_referral_before_deadline");
  ASSERT_NE(early, nullptr) << Describe(found);
  EXPECT_THAT(early->message, HasSubstr("2026-03-25 had not expired"));
  EXPECT_THAT(early->dates, Contains("departure deadline 2026-03-25"));
  EXPECT_THAT(early->dates, Contains("opened 2026-03-12"));
  EXPECT_EQ(early->policy_version, "2012-01-01");
}

TEST_F(ComplianceTest, ARelocationOfAnExemptPersonIsFound) {
  Open(WrongPolicyWorkflow([](v1::Policy& p) {
    p.mutable_relocation()->set_exempt_dublin_case(false);
  }));
  Register("P1", [](v1::PersonRegistered& r) {
    r.mutable_flags()->set_dublin_case(true);
  });
  FinalRejection(kNotified);
  const std::vector<Finding> found = Findings();
  const Finding* exempt = Find(found, "relocation_while_exempt");
  ASSERT_NE(exempt, nullptr) << Describe(found);
  EXPECT_THAT(exempt->message, HasSubstr("a Dublin case"));
}

TEST_F(ComplianceTest, ARelocationAfterTheDepartureDeadlineIsFoundLate) {
  Open();
  Register();
  FinalRejection(kNotified);  // deadline 2026-03-25
  Complete("return_conversation", kNotified + 1);
  v1::RelocationCompleted relocated;
  relocated.set_return_centre("Return-1");
  Record(relocated, kNotified + 25);
  const std::vector<Finding> found = Findings();
  const Finding* late = Find(found, "relocation_late");
  ASSERT_NE(late, nullptr) << Describe(found);
  EXPECT_EQ(late->days_late, 4);
}

TEST_F(ComplianceTest, AnOverdueTaskNotEscalatedIsFound) {
  Open(WrongPolicyWorkflow(
      [](v1::Policy& p) { p.mutable_escalation()->clear_task_kinds(); }));
  Register();
  FirstRejection(kNotified);
  MoveTo(kNotified + 9);
  const std::vector<Finding> found = Findings();
  EXPECT_NE(Find(found, "overdue_not_escalated"), nullptr) << Describe(found);
}

TEST_F(ComplianceTest, ADueDayAgainstThePolicyIsFound) {
  Open(WrongPolicyWorkflow([](v1::Policy& p) {
    p.mutable_conversation_after_first_rejection()->set_days(14);
  }));
  Register();
  FirstRejection(kNotified);
  const std::vector<Finding> found = Findings();
  const Finding* due = Find(found, "task_due_not_per_policy");
  ASSERT_NE(due, nullptr) << Describe(found);
  EXPECT_THAT(due->message, HasSubstr("makes it due 2026-03-11"));
}

TEST_F(ComplianceTest, AChildWithoutAgeAdaptedInformationIsFound) {
  Open(WrongPolicyWorkflow(
      [](v1::Policy& p) { p.mutable_child_information()->set_min_age(17); }));
  Register("P1", [](v1::PersonRegistered& r) {
    v1::HouseholdMember* child = r.add_household_members();
    child->set_person_id("C1");
    *child->mutable_date_of_birth() = ToDate(absl::CivilDay(2012, 1, 1));
  });
  FinalRejection(kNotified);
  const std::vector<Finding> found = Findings();
  const Finding* missing = Find(found, "child_information_missing");
  ASSERT_NE(missing, nullptr) << Describe(found);
  EXPECT_THAT(missing->message, HasSubstr("C1 (aged 14)"));
}

TEST_F(ComplianceTest, AgeAdaptedInformationGivenLateIsFound) {
  Open();
  Register("P1", [](v1::PersonRegistered& r) {
    v1::HouseholdMember* child = r.add_household_members();
    child->set_person_id("C1");
    *child->mutable_date_of_birth() = ToDate(absl::CivilDay(2012, 1, 1));
  });
  FinalRejection(kNotified);  // information due 2026-03-18
  Complete("child_information", kNotified + 16);
  const std::vector<Finding> found = Findings();
  const Finding* late = Find(found, "child_information_late");
  ASSERT_NE(late, nullptr) << Describe(found);
  EXPECT_EQ(late->days_late, 2);
}

TEST_F(ComplianceTest, ATamperedTierIsFound) {
  Open();
  Register();
  FinalRejection(kNotified);
  IomApply(kNotified + 5);  // before the deadline: tier 1, NOK 20,000
  Close();
  testing::EditStore(dir_.path(), Table::kState, [](testing::RawTable& states) {
    std::optional<std::string> value = states.Get("P1");
    ASSERT_TRUE(value.has_value());
    v1::StreamRecord record;
    ASSERT_TRUE(record.ParseFromString(*value));
    v1::PathwayState state;
    ASSERT_TRUE(state.ParseFromString(record.state()));
    ASSERT_EQ(state.iom().tier_rank(), 1);
    state.mutable_iom()->set_tier_rank(3);
    state.mutable_iom()->set_support_nok(10000);
    record.set_state(state.SerializeAsString());
    states.Put("P1", record.SerializeAsString());
  });
  Open();
  const std::vector<Finding> found = Findings();
  const Finding* tier = Find(found, "support_tier");
  ASSERT_NE(tier, nullptr) << Describe(found);
  EXPECT_THAT(tier->message, HasSubstr("recorded with tier 3 (NOK 10000)"));
  EXPECT_THAT(tier->message, HasSubstr("gives tier 1 (NOK 20000)"));
}

TEST_F(ComplianceTest, APlantedReferralWhileIomIsPendingIsFoundTwice) {
  auto planting = std::make_unique<PlantingWorkflow>(RealWorkflow());
  // Opens a police referral on every IOM application: before the deadline,
  // while the application is pending, and a second one while the first is
  // open.
  planting->plant = [](const v1::EventEnvelope& event, Transition* t) {
    if (!event.payload().Is<v1::IomApplicationSubmitted>()) return;
    TaskSpec referral;
    referral.id = absl::StrCat("planted-", event.stream_version());
    referral.queue = "police/pu";
    referral.kind = "police_referral";
    referral.title = "planted";
    referral.due = FromTimestamp(event.effective_time());
    t->tasks_to_open.push_back(referral);
  };
  Open(std::move(planting));
  Register();
  FinalRejection(kNotified);
  IomApply(kNotified + 2);
  v1::IomApplicationWithdrawn withdrawn;
  Record(withdrawn, kNotified + 3);
  IomApply(kNotified + 4);
  const std::set<std::string> rules = Rules(Findings());
  EXPECT_TRUE(rules.count("police_referral_before_deadline"));
  EXPECT_TRUE(rules.count("police_referral_while_iom_pending"));
  EXPECT_TRUE(rules.count("police_referral_twice"));
}

TEST_F(ComplianceTest, AReferralKeptOpenAfterAnIomApplicationIsFound) {
  auto planting = std::make_unique<PlantingWorkflow>(RealWorkflow());
  // Forgets to withdraw the referral when an application comes in.
  planting->plant = [](const v1::EventEnvelope& event, Transition* t) {
    if (!event.payload().Is<v1::IomApplicationSubmitted>()) return;
    t->tasks_to_close.clear();
  };
  Open(std::move(planting));
  Register();
  FinalRejection(kNotified);
  Complete("return_conversation", kNotified + 1);
  MoveTo(kNotified + 23);
  ASSERT_TRUE(TaskOf("police_referral").has_value());
  IomApply(kNotified + 24);
  const std::vector<Finding> found = Findings();
  const Finding* kept = Find(found, "police_referral_not_withdrawn");
  ASSERT_NE(kept, nullptr) << Describe(found);
  EXPECT_THAT(kept->dates, Contains("IOM application 2026-03-28"));
}

TEST_F(ComplianceTest, AMiscountedStatisticIsFound) {
  auto planting = std::make_unique<PlantingWorkflow>(RealWorkflow());
  planting->miscount = [](const v1::EventEnvelope& event,
                          std::vector<Workflow::StatisticKey>* keys) {
    if (event.payload().Is<v1::Departed>()) {
      keys->push_back({"assisted_return", "AF", 1, std::nullopt});
    }
  };
  Open(std::move(planting));
  Register();
  FinalRejection(kNotified);
  IomApply(kNotified + 1);
  v1::Departed departed;
  departed.set_kind(v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY);
  departed.set_destination_country("AF");
  Record(departed, kNotified + 2);
  const std::vector<Finding> found = Findings();
  const Finding* counted = Find(found, "statistics");
  ASSERT_NE(counted, nullptr) << Describe(found);
  EXPECT_THAT(counted->message,
              HasSubstr("count 2 assisted_return in 2026-03 for group \"AF\"; "
                        "the history counts 1"));
  // One person alone: the statistics are not compared.
  EXPECT_EQ(Find(Findings("P1"), "statistics"), nullptr);
}

TEST_F(ComplianceTest, AnEventUnderAPolicyNotInForceIsFound) {
  // The workflow knows a second copy of the policy, in force from 2026-06,
  // and stamps it on everything.
  std::vector<std::pair<std::string, v1::Policy>> versions;
  versions.emplace_back("real", RealPolicies().versions().front());
  v1::Policy later = RealPolicies().versions().front();
  later.set_version("2026-06-01");
  *later.mutable_effective_from() = ToDate(absl::CivilDay(2026, 6, 1));
  versions.emplace_back("later", later);
  auto set = return_pathway::PolicySet::Create(std::move(versions));
  ASSERT_TRUE(set.ok()) << set.status();
  auto planting = std::make_unique<PlantingWorkflow>(
      std::make_unique<return_pathway::ReturnPathwayWorkflow>(*std::move(set)));
  planting->stamp = "2026-06-01";
  Open(std::move(planting));
  Register();
  const std::vector<Finding> found = Findings();
  const Finding* stamped = Find(found, "policy_version");
  ASSERT_NE(stamped, nullptr) << Describe(found);
  EXPECT_THAT(stamped->message,
              HasSubstr("applied under policy \"2026-06-01\"; policy "
                        "\"2012-01-01\" was in force on 2026-03-02"));
}

TEST_F(ComplianceTest, OnePersonOrAnUnknownOne) {
  Open();
  Register("P1");
  FirstRejection(kNotified, "P1");
  Register("P2");
  FirstRejection(kNotified, "P2");
  MoveTo(kNotified + 12);
  for (const Finding& f : Findings("P2")) EXPECT_EQ(f.stream_id, "P2");
  HistoryCheckOptions options;
  options.stream_id = "P3";
  return_pathway::ComplianceChecker checker(RealPolicies());
  EXPECT_TRUE(absl::IsNotFound(
      CheckHistories(*store_, *workflow_, checker, options).status()));
}

TEST_F(ComplianceTest, FindingsOutsideTheRangeAreLeftOut) {
  Open();
  Register();
  FirstRejection(kNotified);
  v1::ReturnConversationHeld held;
  Record(held, kNotified + 10);  // late: found at 2026-03-14
  HistoryCheckOptions options;
  options.now = clock_.Now();
  options.from = At(absl::CivilDay(2026, 3, 15));
  uint64_t found = 0;
  options.on_findings = [&found](std::vector<Finding> f) { found += f.size(); };
  return_pathway::ComplianceChecker checker(RealPolicies());
  absl::StatusOr<HistoryCheckReport> report =
      CheckHistories(*store_, *workflow_, checker, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(found, 0u);
  EXPECT_EQ(Find(Findings(), "conversation_late")->days_late, 3);
}

}  // namespace
}  // namespace returnpath::engine
