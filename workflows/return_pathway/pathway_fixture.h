#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_PATHWAY_FIXTURE_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_PATHWAY_FIXTURE_H_

// Test helper: drives the pure machine through envelopes built from verbs,
// the way the engine would (dense positions, recorded times that never go
// back, timers fired at their due time). Not thread-safe.

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "returnpath/v1/event.pb.h"
#include "returnpath/v1/pathway.pb.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "workflows/return_pathway/machine.h"
#include "workflows/return_pathway/policy_set.h"

#define RP_ASSERT_OK(expr)               \
  do {                                   \
    const ::absl::Status rp_s_ = (expr); \
    ASSERT_TRUE(rp_s_.ok()) << rp_s_;    \
  } while (0)

namespace returnpath::return_pathway {

// Under a sanitizer the same code runs 5 to 20 times slower: the property tests
// run an eighth of their cases there (coverage floors scaled alike), about two
// minutes each under ASan.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RP_PROPERTY_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define RP_PROPERTY_SANITIZED 1
#endif
#endif
#ifdef RP_PROPERTY_SANITIZED
inline constexpr int kPropertyScaleDown = 8;
#else
inline constexpr int kPropertyScaleDown = 1;
#endif

// Seeded choices for the property tests: the same seed makes the same
// choices, so a failure names the seed that reproduces it.
class RandomChoices {
 public:
  explicit RandomChoices(uint64_t seed) : rng_(seed) {}
  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  bool Chance(int one_in) { return Uniform(1, one_in) == 1; }
  template <typename T>
  T Pick(std::vector<T> options) {
    return options[Uniform(0, static_cast<int>(options.size()) - 1)];
  }

 private:
  std::mt19937_64 rng_;
};

// Expects folding the history in effective-time order from nothing (the
// events from `log` under the notes `state` keeps) to give `state` (task ids
// aside: a fold opens every task afresh); `where` names the case in a
// failure.
void ExpectFoldFromNothingGivesTheState(
    const returnpath::v1::PathwayState& state,
    const returnpath::engine::EventLookup& log, const std::string& where);

struct PersonSpec {
  std::string id = "P1";
  absl::CivilDay born = absl::CivilDay(1990, 1, 1);
  std::string nationality = "AF";
  std::string centre = "Oslo-1";
  returnpath::v1::Region region = returnpath::v1::REGION_OSLO;
  returnpath::v1::PersonFlags flags;
  std::vector<std::pair<std::string, absl::CivilDay>> members;
};

// 10:00 in Norway on `day`.
absl::Time At(absl::CivilDay day);

// A test's log, as the engine gives it to Apply (workflow.h): found by
// position, or by stream and version.
class LogLookup final : public returnpath::engine::EventLookup {
 public:
  // Calls its argument with each event of the log until it returns false.
  using Each = std::function<void(
      absl::FunctionRef<bool(const returnpath::v1::EventEnvelope&)>)>;
  explicit LogLookup(Each each) : each_(std::move(each)) {}
  // Over `log`, which must outlive it.
  explicit LogLookup(const std::vector<returnpath::v1::EventEnvelope>* log);
  absl::StatusOr<returnpath::v1::EventEnvelope> EventAt(
      uint64_t position) const override;
  absl::StatusOr<uint64_t> PositionOf(absl::string_view stream_id,
                                      uint64_t version) const override;

 private:
  // The first event `match` accepts, or null.
  const returnpath::v1::EventEnvelope* Find(
      absl::FunctionRef<bool(const returnpath::v1::EventEnvelope&)> match)
      const;

  Each each_;
};

// Applies `event` as the engine does: without its global position and its
// cause's, which are unknown when the engine computes a transition.
absl::StatusOr<Applied> ApplyAsEngine(
    const returnpath::v1::PathwayState& state,
    returnpath::v1::EventEnvelope event, const PolicySet& policies,
    const returnpath::engine::EventLookup& log);

// The shipped policy files.
const PolicySet& ShippedPolicies();
// The shipped files and the example revision (examples/), which the daemon
// does not load.
const PolicySet& PoliciesWithExample();

class PathwayFixture {
 public:
  explicit PathwayFixture(const PolicySet& policies = ShippedPolicies())
      : policies_(policies) {}

  // Applies `payload` effective at `effective`, recorded at `recorded` (by
  // default the later of `effective` and the last recorded time). On success
  // the state, log and last transition advance.
  absl::Status Record(const google::protobuf::Message& payload,
                      absl::Time effective,
                      std::optional<absl::Time> recorded = std::nullopt);
  absl::Status RecordOn(absl::CivilDay day,
                        const google::protobuf::Message& payload) {
    return Record(payload, At(day));
  }
  // Record as a related event the engine appends for another stream's event
  // (`cause_stream` at `cause_position`), e.g. a child's registration telling
  // its guardian.
  absl::Status RecordCausedBy(const google::protobuf::Message& payload,
                              absl::Time effective,
                              const std::string& cause_stream,
                              uint64_t cause_position);

  absl::Status Register(absl::CivilDay on, const PersonSpec& person = {});
  absl::Status FirstRejection(absl::CivilDay notified);
  absl::Status Appeal(absl::CivilDay lodged, bool deferred);
  absl::Status AppealDecided(absl::CivilDay notified,
                             returnpath::v1::AppealOutcome outcome,
                             int days = 0);
  absl::Status FinalRejection(absl::CivilDay notified, int days = 0);
  absl::Status IomApply(absl::CivilDay on,
                        returnpath::v1::IomProgramme programme =
                            returnpath::v1::IOM_PROGRAMME_VARP);
  absl::Status IomWithdraw(absl::CivilDay on);
  absl::Status Disappear(absl::CivilDay on);
  absl::Status Reappear(absl::CivilDay on);
  absl::Status Depart(absl::CivilDay on, returnpath::v1::DepartureKind kind);
  absl::Status Reopen(absl::CivilDay on);
  absl::Status Retract(absl::CivilDay on, uint64_t position);
  absl::Status Correct(absl::CivilDay on, uint64_t position,
                       const google::protobuf::Message& replacement,
                       std::optional<absl::Time> effective = std::nullopt);

  // Fires the armed timer `id` at its due time (NOT_FOUND if not armed).
  absl::Status FireTimer(absl::string_view id);
  // Fires every armed timer due by `until`, earliest first, as the engine's
  // timer loop would.
  absl::Status FireDueTimers(absl::Time until);
  absl::Status CompleteTask(absl::string_view id,
                            absl::string_view outcome = "done");

  const returnpath::v1::PathwayState& state() const { return state_; }
  const returnpath::engine::Transition& last() const { return last_; }
  uint64_t last_position() const { return position_; }
  absl::Time now() const { return now_; }
  const std::vector<returnpath::v1::EventEnvelope>& log() const { return log_; }
  // The log as the engine would look it up.
  LogLookup Lookup() const { return LogLookup(&log_); }
  // The person's history in full (the state keeps only its notes).
  google::protobuf::RepeatedPtrField<returnpath::v1::HistoryEntry> history()
      const;

  const returnpath::v1::PathwayTask* TaskByKey(absl::string_view key) const;
  const returnpath::v1::PathwayTask* TaskOfKind(absl::string_view kind) const;
  int TasksOfKind(absl::string_view kind) const;
  const returnpath::v1::PathwayTimer* Timer(absl::string_view id) const;
  bool Opened(absl::string_view task_id) const;
  bool Closed(absl::string_view task_id) const;
  bool Armed(absl::string_view timer_id) const;
  bool Cancelled(absl::string_view timer_id) const;

 private:
  // Record, with `e` holding any envelope fields set beforehand.
  absl::Status Record(const google::protobuf::Message& payload,
                      absl::Time effective, std::optional<absl::Time> recorded,
                      returnpath::v1::EventEnvelope e);

  const PolicySet& policies_;
  returnpath::v1::PathwayState state_;
  returnpath::engine::Transition last_;
  std::vector<returnpath::v1::EventEnvelope> log_;
  uint64_t position_ = 0;
  absl::Time now_ = absl::InfinitePast();
};

// The Oslo date of an instant, "2026-03-02".
std::string OsloDay(absl::Time t);
// The Oslo date of a stored due time.
std::string OsloDay(const google::protobuf::Timestamp& t);
// The last day of a due time (due at the end of that day in Norway).
std::string LastDay(const google::protobuf::Timestamp& due);
std::string LastDay(absl::Time due);
// A stored Date as "2026-03-02".
std::string DateText(const returnpath::v1::Date& date);

// Folds `log` from nothing; the state after each event's transition.
absl::StatusOr<std::vector<Applied>> FoldLog(
    const std::vector<returnpath::v1::EventEnvelope>& log,
    const PolicySet& policies);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_PATHWAY_FIXTURE_H_
