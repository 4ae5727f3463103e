// The same facts recorded as they happen, and recorded each a random time
// late (so in another order, often refolded), end in the same pathway
// (issue 11); folding the late history from nothing gives its state.

#include <algorithm>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "returnpath/v1/engine.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/pathway_fixture.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;
using absl::CivilDay;

// The outcome of `s` without what depends on recording: versions (in ids,
// keys, provenance), history, recorded times; tasks and timers in a stable
// order.
std::string Outcome(v1::PathwayState s) {
  s.clear_history();
  s.clear_last_version();
  s.clear_applied_until();
  // A long-stayer's relocation is phased in from when the final rejection
  // was recorded (§3.3.6): its due date, and its escalation's, follow the
  // recording on purpose.
  std::set<int64_t> phased_in_due;
  for (v1::PathwayTask& t : *s.mutable_open_tasks()) {
    if (t.rule() != "relocation_phase_in") continue;
    phased_in_due.insert(t.due().seconds());
    t.clear_due();
    t.clear_title();
  }
  for (v1::PathwayTimer& t : *s.mutable_armed_timers()) {
    if (t.kind() == "escalation" && phased_in_due.count(t.due().seconds())) {
      t.clear_due();
    }
  }
  for (v1::PathwayTask& t : *s.mutable_open_tasks()) {
    t.clear_id();
    t.clear_key();
    t.clear_caused_by_versions();
    t.clear_parent_key();
  }
  for (v1::PathwayTimer& t : *s.mutable_armed_timers()) {
    t.clear_id();
    t.clear_payload();
    t.clear_caused_by_versions();
  }
  s.mutable_final_rejection()->clear_caused_by_versions();
  s.mutable_final_rejection()->set_derived_at_version(
      s.final_rejection().derived_at_version() != 0);
  s.mutable_iom()->clear_version();
  s.mutable_appeal_window()->clear_caused_by_versions();
  s.mutable_departure_deadline()->clear_caused_by_versions();
  auto by_text = [](const auto& a, const auto& b) {
    return a.SerializeAsString() < b.SerializeAsString();
  };
  std::sort(s.mutable_open_tasks()->begin(), s.mutable_open_tasks()->end(),
            by_text);
  std::sort(s.mutable_armed_timers()->begin(), s.mutable_armed_timers()->end(),
            by_text);
  return s.DebugString();
}

struct ShuffleCoverage {
  int compared = 0;
  int stuck = 0;  // some fact could not be recorded in the shuffled order
  int refolded = 0;
};
ShuffleCoverage& ShuffleCovered() {
  static ShuffleCoverage* coverage = new ShuffleCoverage;
  return *coverage;
}

// The same facts recorded as they happen, and recorded each a random time
// late (so in another order), end in the same pathway.
class Shuffle : private RandomChoices {
 public:
  explicit Shuffle(uint64_t seed) : RandomChoices(seed), seed_(seed) {}

  void Run() {
    PersonSpec person;
    person.nationality = Pick<std::string>({"AF", "IQ", "SO"});
    person.flags.set_dublin_case(Chance(6));
    person.flags.set_identity_unclarified(Chance(2));
    person.members.push_back({"C1", CivilDay(2012, 1, 1) + Uniform(0, 900)});
    CivilDay day = CivilDay(2026, 1, 5) + Uniform(0, 150);
    ASSERT_TRUE(a_.Register(day, person).ok());
    ASSERT_TRUE(b_.Register(day, person).ok());
    struct Fact {
      google::protobuf::Any payload;
      absl::Time effective;
      absl::Time recorded;
    };
    std::vector<Fact> facts;
    for (int i = 0; i < 24; ++i) {
      day += Uniform(0, 9);
      ASSERT_TRUE(a_.FireDueTimers(At(day)).ok());
      const google::protobuf::Any payload = RandomFact();
      const absl::Time at = At(day) + absl::Minutes(i);
      if (!Record(a_, payload, at, at).ok()) continue;
      const int lag = Chance(2) ? 0 : Uniform(1, 25);
      facts.push_back({payload, at, at + absl::Hours(24 * lag)});
    }
    std::stable_sort(
        facts.begin(), facts.end(),
        [](const Fact& x, const Fact& y) { return x.recorded < y.recorded; });
    std::vector<Fact> waiting;
    absl::Time end = At(day);
    for (const Fact& fact : facts) {
      end = std::max(end, fact.recorded);
      ASSERT_TRUE(b_.FireDueTimers(fact.recorded).ok()) << Where();
      waiting.push_back(fact);
      // Refused now (it follows a fact not yet recorded): entered again
      // after the next one.
      for (bool progress = true; progress;) {
        progress = false;
        for (auto it = waiting.begin(); it != waiting.end();) {
          if (Record(b_, it->payload, it->effective,
                     std::max(b_.now(), fact.recorded))
                  .ok()) {
            ASSERT_TRUE(b_.FireDueTimers(b_.now()).ok()) << Where();
            it = waiting.erase(it);
            progress = true;
          } else {
            ++it;
          }
        }
      }
    }
    end += absl::Hours(24);
    ASSERT_TRUE(a_.FireDueTimers(end).ok());
    ASSERT_TRUE(b_.FireDueTimers(end).ok());
    for (const v1::HistoryEntry& e : b_.history()) {
      ShuffleCovered().refolded += e.refolded();
    }
    if (!waiting.empty()) {
      ++ShuffleCovered().stuck;
      return;
    }
    ++ShuffleCovered().compared;
    EXPECT_EQ(Outcome(b_.state()), Outcome(a_.state())) << Where();
    ExpectFoldFromNothingGivesTheState(b_.state(), b_.Lookup(), Where());
  }

 private:
  std::string Where() const { return absl::StrCat("shuffle seed ", seed_); }

  static absl::Status Record(PathwayFixture& f,
                             const google::protobuf::Any& payload,
                             absl::Time effective, absl::Time recorded) {
    std::unique_ptr<google::protobuf::Message> message;
    for (const auto* d :
         {v1::FirstRejection::descriptor(), v1::AppealLodged::descriptor(),
          v1::AppealDecided::descriptor(), v1::FinalRejection::descriptor(),
          v1::DepartureDeadlineSet::descriptor(),
          v1::CaseReopened::descriptor(),
          v1::IomApplicationSubmitted::descriptor(),
          v1::IomApplicationWithdrawn::descriptor(),
          v1::IomApplicationRefused::descriptor(),
          v1::TravelDocumentObtained::descriptor(), v1::Departed::descriptor(),
          v1::RelocationCompleted::descriptor(), v1::Disappeared::descriptor(),
          v1::Reappeared::descriptor(),
          v1::ReturnConversationHeld::descriptor(),
          v1::FlagsChanged::descriptor()}) {
      if (payload.type_url().substr(payload.type_url().rfind('/') + 1) ==
          d->full_name()) {
        message.reset(google::protobuf::MessageFactory::generated_factory()
                          ->GetPrototype(d)
                          ->New());
      }
    }
    if (message == nullptr || !payload.UnpackTo(message.get())) {
      return absl::InternalError("unknown fact");
    }
    return f.Record(*message, effective, recorded);
  }

  google::protobuf::Any RandomFact() {
    google::protobuf::Any any;
    switch (Uniform(0, 15)) {
      case 0:
        any.PackFrom(v1::FirstRejection());
        break;
      case 1: {
        v1::AppealLodged e;
        e.set_deferred_implementation(Chance(2));
        any.PackFrom(e);
        break;
      }
      case 2: {
        v1::AppealDecided e;
        e.set_outcome(v1::APPEAL_OUTCOME_REJECTED);
        any.PackFrom(e);
        break;
      }
      case 3:
      case 4:
        any.PackFrom(v1::FinalRejection());
        break;
      case 5: {
        v1::DepartureDeadlineSet e;
        e.set_days(Pick<int>({0, 7, 14}));
        any.PackFrom(e);
        break;
      }
      case 6: {
        v1::CaseReopened e;
        e.set_reason(v1::REOPENING_REASON_COURT_REVIEW);
        any.PackFrom(e);
        break;
      }
      case 7:
      case 8: {
        v1::IomApplicationSubmitted e;
        e.set_programme(v1::IOM_PROGRAMME_VARP);
        any.PackFrom(e);
        break;
      }
      case 9:
        if (Chance(2)) {
          any.PackFrom(v1::IomApplicationWithdrawn());
        } else {
          any.PackFrom(v1::IomApplicationRefused());
        }
        break;
      case 10:
        any.PackFrom(v1::TravelDocumentObtained());
        break;
      case 11: {
        if (!Chance(4)) return RandomFact();
        v1::Departed e;
        e.set_kind(v1::DEPARTURE_KIND_FORCED);
        any.PackFrom(e);
        break;
      }
      case 12: {
        v1::RelocationCompleted e;
        e.set_return_centre("Retur-1");
        any.PackFrom(e);
        break;
      }
      case 13:
        if (Chance(2)) {
          any.PackFrom(v1::Disappeared());
        } else {
          any.PackFrom(v1::Reappeared());
        }
        break;
      case 14:
        any.PackFrom(v1::ReturnConversationHeld());
        break;
      default: {
        v1::FlagsChanged e;
        e.mutable_flags()->set_dublin_case(Chance(4));
        e.mutable_flags()->set_identity_unclarified(Chance(2));
        any.PackFrom(e);
        break;
      }
    }
    return any;
  }

  PathwayFixture a_;
  PathwayFixture b_;
  uint64_t seed_;
};

TEST(PathwayPropertyTest, RecordingOrderDoesNotChangeTheOutcome) {
  constexpr int kShuffles = 600 / kPropertyScaleDown;
  for (uint64_t seed = 1; seed <= kShuffles; ++seed) {
    Shuffle(seed).Run();
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "first failing shuffle seed: " << seed;
      return;
    }
  }
  const ShuffleCoverage& c = ShuffleCovered();
  EXPECT_GE(c.compared, kShuffles * 3 / 4) << c.stuck << " stuck";
  EXPECT_GE(c.refolded, kShuffles);
}

}  // namespace
}  // namespace returnpath::return_pathway
