// Properties over thousands of random event sequences (fixed seeds): events
// are drawn at random, refused ones are dropped as the engine would, and due
// timers fire between them. After every accepted event the invariants hold;
// at the end folding the log again gives the same bytes.
// (The same facts recorded in another order: pathway_shuffle_test.cc.)

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/replay.h"
#include "gtest/gtest.h"
#include "returnpath/v1/engine.pb.h"
#include "workflows/return_pathway/compliance/compliance_checker.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/finalize.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/pathway_fixture.h"
#include "workflows/return_pathway/property_text.h"
#include "workflows/return_pathway/return_pathway_workflow.h"
#include "workflows/return_pathway/step.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using absl::CivilDay;

constexpr int kScaleDown = kPropertyScaleDown;

constexpr int kSequences = 2000 / kScaleDown;
constexpr int kStepsPerSequence = 45;
// The least an outcome must be reached over all sequences.
constexpr int kFloor = 50 / kScaleDown;
constexpr int kTerminalFloor = 20 / kScaleDown;
constexpr int kRefusedAfterEndFloor = 100 / kScaleDown;

// How often the sequences reached what the invariants are about, so a
// generator that stops reaching them fails instead of passing vacuously.
struct Coverage {
  std::map<std::string, int> accepted;  // payload type
  std::map<std::string, int> opened;    // task kind
  std::map<int, int> tier_ranks;
  std::map<std::string, int> terminal;  // stage
  int refused_after_end = 0;
};
Coverage& Covered() {
  static Coverage* coverage = new Coverage;
  return *coverage;
}

// What Observe reads of the state an event replaced: copying the whole state
// (its history grows with every event) before each event cost more than the
// events.
v1::PathwayState Slim(const v1::PathwayState& s) {
  v1::PathwayState slim;
  *slim.mutable_open_tasks() = s.open_tasks();
  slim.set_worst_tier_rank(s.worst_tier_rank());
  return slim;
}

class Sequence : private RandomChoices {
 public:
  explicit Sequence(uint64_t seed) : RandomChoices(seed), seed_(seed) {}

  void Run() {
    PersonSpec person;
    person.born = CivilDay(1990, 1, 1) - Uniform(0, 365 * 6) +
                  (Chance(4) ? 365 * 24 : 0);  // some are 14-20 years old
    person.nationality = Pick<std::string>({"AF", "IQ", "ET", "SO", "ER"});
    person.flags.set_unaccompanied_minor(Chance(4));
    person.flags.set_dublin_case(Chance(6));
    person.flags.set_identity_unclarified(Chance(2));
    for (int i = Uniform(0, 3); i > 0; --i) {
      person.members.push_back(
          {absl::StrCat("C", i), CivilDay(2008, 1, 1) + Uniform(0, 365 * 14)});
    }
    day_ = CivilDay(2026, 1, 5) + Uniform(0, 200);
    registered_ = day_;
    ASSERT_TRUE(f_.Register(day_, person).ok());
    Observe(v1::PathwayState());
    for (int step = 0; step < kStepsPerSequence; ++step) {
      day_ += Uniform(0, 12);
      ASSERT_TRUE(FireTimers(At(day_))) << Where();
      if (IsTerminal(f_.state().stage())) {
        ++Covered().terminal[StageName(f_.state().stage())];
        ExpectEverythingRefused();
        break;
      }
      const v1::PathwayState before = Slim(f_.state());
      const absl::Status status = RandomEvent();
      if (status.ok()) {
        Observe(before);
      } else {
        ASSERT_TRUE(status.code() == absl::StatusCode::kFailedPrecondition ||
                    status.code() == absl::StatusCode::kInvalidArgument)
            << Where() << status;
      }
      if (::testing::Test::HasFatalFailure()) return;
    }
    CheckRefold();
    CheckDecodedFold();
    CheckCompliance();
  }

 private:
  std::string Where() const {
    return absl::StrCat("seed ", seed_, " position ", f_.last_position());
  }

  bool FireTimers(absl::Time until) {
    while (true) {
      const v1::PathwayTimer* next = nullptr;
      for (const v1::PathwayTimer& t : f_.state().armed_timers()) {
        if (FromTimestamp(t.due()) <= until &&
            (next == nullptr ||
             FromTimestamp(t.due()) < FromTimestamp(next->due()))) {
          next = &t;
        }
      }
      if (next == nullptr) return true;
      const v1::PathwayState before = Slim(f_.state());
      const absl::Status status = f_.FireTimer(std::string(next->id()));
      if (!status.ok()) {
        ADD_FAILURE() << Where() << " timer failed: " << status;
        return false;
      }
      Observe(before);
    }
  }

  absl::Status RandomEvent() {
    CivilDay effective = day_;
    if (Chance(6)) effective = day_ - Uniform(1, 10);  // recorded late
    if (effective <= registered_) effective = day_;
    const absl::Time when = At(effective);
    switch (Uniform(0, 28)) {
      case 0:
      case 1:
        return f_.Record(v1::FirstRejection(), when);
      case 2:
      case 3: {
        v1::AppealLodged e;
        e.set_deferred_implementation(Chance(2));
        return f_.Record(e, when);
      }
      case 4: {
        v1::AppealDecided e;
        e.set_outcome(Chance(5) ? v1::APPEAL_OUTCOME_GRANTED
                                : v1::APPEAL_OUTCOME_REJECTED);
        e.set_departure_deadline_days(Pick<int>({0, 0, 7, 14, 31}));
        return f_.Record(e, when);
      }
      case 5:
      case 6: {
        v1::FinalRejection e;
        e.set_departure_deadline_days(Pick<int>({0, 0, 7, 21, 30, 40}));
        return f_.Record(e, when);
      }
      case 7: {
        v1::DepartureDeadlineSet e;
        e.set_days(Pick<int>({0, 7, 14}));
        return f_.Record(e, when);
      }
      case 8:
        return f_.Record(v1::DepartureDeadlineSuspended(), when);
      case 9: {
        v1::CaseReopened e;
        e.set_reason(v1::REOPENING_REASON_COURT_REVIEW);
        return f_.Record(e, when);
      }
      case 10:
      case 11: {
        v1::IomApplicationSubmitted e;
        e.set_programme(Pick<v1::IomProgramme>({v1::IOM_PROGRAMME_VARP,
                                                v1::IOM_PROGRAMME_IRRINI,
                                                v1::IOM_PROGRAMME_ARE}));
        return f_.Record(e, when);
      }
      case 12:
        return f_.Record(v1::IomApplicationApproved(), when);
      case 13:
        return f_.Record(v1::IomApplicationWithdrawn(), when);
      case 14:
        return f_.Record(v1::TravelDocumentObtained(), when);
      case 15: {
        v1::Departed e;
        e.set_kind(Pick<v1::DepartureKind>(
            {v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY, v1::DEPARTURE_KIND_FORCED,
             v1::DEPARTURE_KIND_DUBLIN_TRANSFER}));
        return Chance(3) ? f_.Record(e, when)
                         : absl::FailedPreconditionError("skip");
      }
      case 16:
        return Chance(8) ? f_.Record(v1::ResidencePermitGranted(), when)
                         : absl::FailedPreconditionError("skip");
      case 17: {
        v1::RelocationCompleted e;
        e.set_return_centre("Retur-1");
        return f_.Record(e, when);
      }
      case 18:
        return f_.Record(v1::Disappeared(), when);
      case 19:
        return f_.Record(v1::Reappeared(), when);
      case 20: {
        v1::QualificationCourseEnrolled e;
        e.set_course_id("c1");
        return f_.Record(e, when);
      }
      case 21:
        return f_.Record(v1::ReturnConversationHeld(), when);
      case 22: {
        v1::FlagsChanged e;
        *e.mutable_flags() = f_.state().person().flags();
        e.mutable_flags()->set_dublin_case(Chance(3));
        e.mutable_flags()->set_unaccompanied_minor(Chance(3));
        return f_.Record(e, when);
      }
      case 23:
      case 24: {
        if (f_.state().open_tasks().empty())
          return absl::FailedPreconditionError("none");
        const auto& tasks = f_.state().open_tasks();
        return f_.CompleteTask(tasks.Get(Uniform(0, tasks.size() - 1)).id());
      }
      case 25:
      case 26:
        return Retract();
      case 27:
        return f_.Record(v1::IomApplicationRefused(), when);
      default:
        return Correct();
    }
  }

  // A domain event other than the registration, or 0.
  const v1::HistoryEntry* RandomDomainEntry() {
    std::vector<const v1::HistoryEntry*> entries;
    history_ = f_.history();
    for (const v1::HistoryEntry& e : history_) {
      if (e.payload().Is<v1::PersonRegistered>() ||
          e.payload().Is<v1::TimerFired>() ||
          e.payload().Is<v1::TaskCompleted>() ||
          e.payload().Is<v1::EventCorrected>() ||
          e.payload().Is<v1::EventRetracted>() || e.retracted()) {
        continue;
      }
      entries.push_back(&e);
    }
    if (entries.empty()) return nullptr;
    return entries[Uniform(0, static_cast<int>(entries.size()) - 1)];
  }

  absl::Status Retract() {
    const v1::HistoryEntry* target = RandomDomainEntry();
    if (target == nullptr) return absl::FailedPreconditionError("none");
    // One stream: its versions are its positions.
    return f_.Retract(day_, target->version());
  }

  // Moves a random event's effective time by a few days, same facts.
  absl::Status Correct() {
    const v1::HistoryEntry* target = RandomDomainEntry();
    if (target == nullptr) return absl::FailedPreconditionError("none");
    const google::protobuf::Any& payload =
        target->has_replacement() ? target->replacement() : target->payload();
    const absl::Time effective =
        FromTimestamp(target->has_corrected_effective_time()
                          ? target->corrected_effective_time()
                          : target->effective_time());
    absl::Time moved = effective + absl::Hours(24 * Uniform(-3, 3));
    if (moved > At(day_)) moved = At(day_);
    if (moved <= At(registered_)) moved = effective;
    v1::EventCorrected e;
    e.set_corrected_position(target->version());
    *e.mutable_replacement() = payload;
    e.set_reason("date typed wrong");
    *e.mutable_effective_time() = ToTimestamp(moved);
    return f_.Record(e, At(day_));
  }

  void ExpectEverythingRefused() {
    for (int i = 0; i < 3; ++i) {
      const uint64_t before = f_.last_position();
      const absl::Status status = RandomEventAfterEnd();
      EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition)
          << Where() << " " << status;
      EXPECT_EQ(f_.last_position(), before);
      ++Covered().refused_after_end;
    }
  }

  absl::Status RandomEventAfterEnd() {
    const absl::Time when = At(day_);
    switch (Uniform(0, 4)) {
      case 0:
        return f_.Record(v1::FirstRejection(), when);
      case 1:
        return f_.Record(v1::Disappeared(), when);
      case 2: {
        v1::TaskCompleted e;
        e.set_task_id("relocate-v2");
        return f_.Record(e, when);
      }
      case 3: {
        v1::TimerFired e;
        e.set_timer_id("review-v2");
        return f_.Record(e, when);
      }
      default:
        return f_.Record(v1::ResidencePermitGranted(), when);
    }
  }

  // Invariants after each accepted event; `before` is the state it replaced.
  void Observe(const v1::PathwayState& before) {
    const v1::PathwayState& s = f_.state();
    const engine::Transition& t = f_.last();
    const absl::Time recorded = FromTimestamp(f_.log().back().recorded_time());
    const std::string& url = f_.log().back().payload().type_url();
    ++Covered().accepted[url.substr(url.rfind('/') + 1)];
    for (const engine::TaskSpec& task : t.tasks_to_open) {
      ++Covered().opened[task.kind];
      EXPECT_TRUE(ever_opened_.insert(task.id).second)
          << Where() << " task id reused: " << task.id;
      if (task.kind == "police_referral") {
        const absl::Time expiry =
            OsloEndOfDay(StoredDay(s.departure_deadline().date()));
        EXPECT_GE(task.due, expiry)
            << Where() << " referral due before deadline";
        EXPECT_LE(task.due, recorded)
            << Where() << " referral opened before deadline";
        EXPECT_TRUE(s.departure_deadline().expired()) << Where();
      }
      if (task.kind == "relocation") {
        EXPECT_EQ(ExemptionAtFinalRejection(s), "") << Where();
      }
    }
    int referrals = 0;
    for (const v1::PathwayTask& task : s.open_tasks()) {
      referrals += task.kind() == "police_referral";
      if (task.kind() == "relocation") {
        EXPECT_EQ(ExemptionAtFinalRejection(s), "")
            << Where() << " open relocation";
      }
      if (task.kind() == "police_referral") {
        EXPECT_GE(FromTimestamp(task.due()),
                  OsloEndOfDay(StoredDay(s.departure_deadline().date())))
            << Where();
      }
    }
    EXPECT_LE(referrals, 1) << Where() << " more than one police referral";
    if (s.iom().pending()) {
      EXPECT_EQ(referrals, 0)
          << Where() << " police referral while an IOM application is pending";
    }
    for (const std::string& id : t.tasks_to_close) {
      bool was_open = false;
      for (const v1::PathwayTask& task : before.open_tasks()) {
        was_open = was_open || task.id() == id;
      }
      EXPECT_TRUE(was_open) << Where() << " closed unknown task " << id;
    }
    for (const engine::TaskSpec& task : t.tasks_to_update) {
      bool was_open = false;
      for (const v1::PathwayTask& open : before.open_tasks()) {
        was_open = was_open || open.id() == task.id;
      }
      EXPECT_TRUE(was_open) << Where() << " updated unknown task " << task.id;
      EXPECT_EQ(
          std::count(t.tasks_to_close.begin(), t.tasks_to_close.end(), task.id),
          0)
          << Where() << " updated a task it closed: " << task.id;
    }
    for (const auto& done : t.tasks_to_complete) {
      bool was_open = false;
      for (const v1::PathwayTask& task : before.open_tasks()) {
        was_open = was_open || task.id() == done.id;
      }
      EXPECT_TRUE(was_open) << Where() << " completed unknown task " << done.id;
    }
    if (f_.log().back().payload().Is<v1::IomApplicationSubmitted>()) {
      ++Covered().tier_ranks[s.iom().tier_rank()];
      EXPECT_GE(s.iom().tier_rank(), before.worst_tier_rank()) << Where();
      EXPECT_GE(s.iom().tier_rank(), last_rank_) << Where() << " tier improved";
      if (s.iom().tier_policy_version() == last_tier_version_) {
        EXPECT_LE(s.iom().support_nok(), last_amount_) << Where();
      }
      last_rank_ = s.iom().tier_rank();
      last_amount_ = s.iom().support_nok();
      last_tier_version_ = s.iom().tier_policy_version();
    }
    // A refold recomputes every tier; a reopened case leads to a new
    // deadline, against which the tier counts afresh.
    if (f_.history().rbegin()->refolded() ||
        f_.log().back().payload().Is<v1::CaseReopened>()) {
      last_rank_ = s.worst_tier_rank();
      last_amount_ = s.worst_tier_rank() == 0
                         ? std::numeric_limits<int64_t>::max()
                         : s.iom().support_nok();
      last_tier_version_ = s.iom().tier_policy_version();
    }
    int stages = 0;
    for (const std::string& key : t.index_keys)
      stages += key.rfind("stage/", 0) == 0;
    EXPECT_EQ(stages, 1) << Where();
    EXPECT_TRUE(std::is_sorted(t.index_keys.begin(), t.index_keys.end()));
    EXPECT_EQ(t.next_state, SerializeState(s)) << Where();
    live_bytes_.push_back(t.next_state);
  }

  std::string ExemptionAtFinalRejection(const v1::PathwayState& s) {
    if (!IsSet(s.final_rejection().notified_on())) return "no final rejection";
    if (s.person().flags().dublin_case()) return "Dublin case";
    const int age = AgeOn(StoredDay(s.person().date_of_birth()),
                          StoredDay(s.final_rejection().notified_on()));
    if (s.person().flags().unaccompanied_minor() && age >= 15 && age < 18) {
      return "unaccompanied minor";
    }
    return s.final_rejection().relocation_exemption();
  }

  // Applying the log again gives, event by event, the bytes the live run
  // gave (one fold in place, compared with what Observe kept, instead of
  // two folds keeping a copy of the state after every event).
  void CheckRefold() {
    ASSERT_EQ(live_bytes_.size(), f_.log().size()) << Where();
    const LogLookup log = f_.Lookup();
    v1::PathwayState state;
    for (size_t i = 0; i < f_.log().size(); ++i) {
      v1::EventEnvelope event = f_.log()[i];
      event.clear_position();
      absl::StatusOr<engine::Transition> t =
          ApplyEventInPlace(&state, event, ShippedPolicies(), log);
      ASSERT_TRUE(t.ok()) << Where() << " event " << i << " " << t.status();
      ASSERT_TRUE(t->next_state == live_bytes_[i]) << Where() << " event " << i;
    }
    EXPECT_TRUE(SerializeState(state) == SerializeState(f_.state())) << Where();
    ExpectFoldFromNothingGivesTheState(f_.state(), f_.Lookup(), Where());
  }

  // The fold that keeps the state decoded (Workflow::Decode, as replay,
  // ReplayCheck and the statistics use it) gives, event by event, what the
  // byte API gives: the same transition (timers, tasks, index keys, related
  // events), the same state bytes once encoded, the same statistics.
  void CheckDecodedFold() {
    static const ReturnPathwayWorkflow* workflow =
        new ReturnPathwayWorkflow(ShippedPolicies());
    absl::StatusOr<std::unique_ptr<engine::Workflow::DecodedState>> decoded =
        workflow->Decode("");
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    std::string bytes;
    const LogLookup log = f_.Lookup();
    for (size_t i = 0; i < f_.log().size(); ++i) {
      v1::EventEnvelope event = f_.log()[i];
      event.clear_position();
      absl::StatusOr<engine::Transition> want =
          workflow->Apply(bytes, event, log);
      ASSERT_TRUE(want.ok()) << Where() << " event " << i << want.status();
      std::vector<engine::Workflow::StatisticKey> counted;
      absl::StatusOr<engine::Transition> got =
          (*decoded)->Apply(event, log, &counted);
      ASSERT_TRUE(got.ok()) << Where() << " event " << i << got.status();
      EXPECT_TRUE(got->next_state.empty()) << Where() << " event " << i;
      got->next_state = (*decoded)->Encode();
      ASSERT_EQ(Describe(*got), Describe(*want)) << Where() << " event " << i;
      ASSERT_EQ(Describe(counted), Describe(workflow->Classify(
                                       bytes, want->next_state, event, log)))
          << Where() << " event " << i;
      bytes = std::move(want->next_state);
    }
  }

  // The compliance report (written apart from the rules) finds no rule the
  // system broke in a history the workflow made: the tasks it opened, kept
  // and closed, its due days, tiers and policy versions. Staff findings (a
  // duty done late) are real here: the sequences do tasks at random.
  void CheckCompliance() {
    static const ReturnPathwayWorkflow* workflow =
        new ReturnPathwayWorkflow(ShippedPolicies());
    static const ComplianceChecker* checker =
        new ComplianceChecker(ShippedPolicies());
    const std::string& person = f_.log().front().stream_id();
    absl::StatusOr<engine::StreamView> view =
        engine::StreamFromEvents(*workflow, f_.Lookup(), person, f_.log());
    ASSERT_TRUE(view.ok()) << Where() << view.status();
    engine::StreamEvidence evidence;
    evidence.stream_id = person;
    evidence.events = f_.log();
    evidence.tasks = std::move(view->tasks);
    evidence.state = SerializeState(f_.state());
    absl::StatusOr<std::vector<engine::Finding>> found =
        checker->Check(evidence, f_.now());
    ASSERT_TRUE(found.ok()) << Where() << found.status();
    for (const engine::Finding& finding : *found) {
      if (!finding.by_system) continue;
      ADD_FAILURE() << Where() << " " << finding.rule << ": " << finding.message
                    << " (positions " << absl::StrJoin(finding.positions, ",")
                    << ")\n"
                    << DescribeEvidence(evidence);
    }
  }

  PathwayFixture f_;
  // The full history RandomDomainEntry picks from.
  google::protobuf::RepeatedPtrField<v1::HistoryEntry> history_;
  uint64_t seed_;
  CivilDay day_;
  CivilDay registered_;
  std::set<std::string> ever_opened_;
  std::vector<std::string> live_bytes_;  // each accepted event's next_state
  int last_rank_ = 0;
  int64_t last_amount_ = 0;
  std::string last_tier_version_;
};

TEST(PathwayPropertyTest, RandomSequencesKeepTheInvariants) {
  for (uint64_t seed = 1; seed <= kSequences; ++seed) {
    Sequence sequence(seed);
    sequence.Run();
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "first failing seed: " << seed;
      return;
    }
  }
  const Coverage& c = Covered();
  for (const char* type :
       {"returnpath.v1.FirstRejection", "returnpath.v1.AppealLodged",
        "returnpath.v1.AppealDecided", "returnpath.v1.FinalRejection",
        "returnpath.v1.DepartureDeadlineSet",
        "returnpath.v1.DepartureDeadlineSuspended",
        "returnpath.v1.CaseReopened", "returnpath.v1.IomApplicationSubmitted",
        "returnpath.v1.IomApplicationWithdrawn",
        "returnpath.v1.IomApplicationRefused", "returnpath.v1.Departed",
        "returnpath.v1.RelocationCompleted", "returnpath.v1.Disappeared",
        "returnpath.v1.Reappeared", "returnpath.v1.FlagsChanged",
        "returnpath.v1.TimerFired", "returnpath.v1.TaskCompleted",
        "returnpath.v1.EventCorrected", "returnpath.v1.EventRetracted"}) {
    EXPECT_GE(c.accepted.count(type) ? c.accepted.at(type) : 0, kFloor) << type;
  }
  for (const char* kind :
       {"relocation", "return_conversation", "child_information",
        "police_referral", "deadline_follow_up", "iom_follow_up", "escalation",
        "disappearance", "place_release", "long_stayer_review"}) {
    EXPECT_GE(c.opened.count(kind) ? c.opened.at(kind) : 0, kFloor) << kind;
  }
  for (int rank : {1, 2, 3}) {
    EXPECT_GE(c.tier_ranks.count(rank) ? c.tier_ranks.at(rank) : 0, kFloor)
        << rank;
  }
  for (const char* stage : {"DEPARTED_VOLUNTARY", "DEPARTED_FORCED",
                            "DEPARTED_DUBLIN", "PERMIT_GRANTED"}) {
    EXPECT_GE(c.terminal.count(stage) ? c.terminal.at(stage) : 0,
              kTerminalFloor)
        << stage;
  }
  EXPECT_GE(c.refused_after_end, kRefusedAfterEndFloor);
}

}  // namespace
}  // namespace returnpath::return_pathway
