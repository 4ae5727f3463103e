#ifndef RETURNPATH_TOOLS_BENCHMARKS_POPULATION_H_
#define RETURNPATH_TOOLS_BENCHMARKS_POPULATION_H_

// The SYNTHETIC population the suites record: persons who follow the flows
// of domain.md (registration, first rejection, appeal, final rejection,
// relocation, IOM, departure, disappearance, reopening). None is a real
// person; ids start with the caller's prefix. Everything is deterministic
// in the person's number.

#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/event_store.h"
#include "google/protobuf/any.pb.h"
#include "returnpath/v1/pathway.pb.h"

namespace returnpath::bench {

// The events the population records (staff events; the engine adds
// TimerFired on its own).
enum class Ev : uint8_t {
  kRegistered,
  kFirstRejection,
  kAppealDeferred,
  kAppealNotDeferred,
  kUneRejects,
  kUneGrants,
  kConversationHeld,
  kRelocationOrdered,
  kRelocationCompleted,
  kIomSubmitted,
  kIomApproved,
  kTravelDocument,
  kDepartedAssisted,
  kDepartedForced,
  kDepartedDublin,
  kPermitGranted,
  kDisappeared,
  kReappeared,
  kCaseReopened,
  kNewFinalRejection,
  kCourseEnrolled,
  kCourseCompleted,
  kMovedCentre,
};

absl::TimeZone Oslo();
// `hour`:00 in Norway on `day`.
absl::Time At(absl::CivilDay day, int hour);

// Who a person is: drawn from the person's number, so a payload can be
// rebuilt at any time from (number, event).
struct Person {
  std::string id;
  uint64_t number = 0;
  absl::CivilDay born;
  std::string nationality;
  std::string centre;
  returnpath::v1::Region region = returnpath::v1::REGION_OSLO;
  returnpath::v1::PersonFlags flags;
  std::vector<absl::CivilDay> children;
  int flow = 0;  // which pathway PlanPathway draws (population.cc)
};

Person MakePerson(const std::string& prefix, uint64_t number,
                  absl::CivilDay registered);

// The domain message of `ev` for `person`, packed as Any.
google::protobuf::Any Payload(Ev ev, const Person& person);

// One planned event: `days` after registration.
struct Planned {
  int days;
  Ev ev;
};

// A whole pathway: the person's flow (population.cc has the flows and their
// shares), with gaps between events drawn from `rng`.
std::vector<Planned> PlanPathway(const Person& person, std::mt19937_64& rng);

// The short pathway the write suites record: registration, first rejection,
// appeal with deferred implementation, rejection by UNE, IOM application,
// assisted departure, one event a day ending the day before `today`, so every
// deadline it arms lies ahead of `today`.
inline constexpr int kLiveEvents = 6;
Ev LiveEvent(int index);

// Hands out write requests for the short pathway: the next event of a person
// whose previous event was answered, or a new person. Thread-safe.
class LiveWorkload {
 public:
  struct Step {
    uint64_t person = 0;
    int index = 0;
    engine::AppendRequest request;
  };

  LiveWorkload(std::string prefix, absl::CivilDay today)
      : prefix_(std::move(prefix)), today_(today) {}

  Step Next();
  // The step was answered; the person's next event may go.
  void Done(const Step& step);

  // Appends the next step to `store` and, once it is answered (and Done),
  // calls `done` with the outcome. With `keep_version` false the append does
  // not insist on the person's version, for runs where other writers (a
  // timer wave) move it too.
  void AppendNext(engine::EventStore& store, bool keep_version,
                  absl::AnyInvocable<void(absl::Status)> done);

 private:
  const std::string prefix_;
  const absl::CivilDay today_;
  absl::Mutex mu_;
  std::deque<std::pair<uint64_t, int>> ready_ ABSL_GUARDED_BY(mu_);
  uint64_t next_person_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace returnpath::bench

#endif  // RETURNPATH_TOOLS_BENCHMARKS_POPULATION_H_
