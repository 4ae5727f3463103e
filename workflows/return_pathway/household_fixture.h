#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_HOUSEHOLD_FIXTURE_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_HOUSEHOLD_FIXTURE_H_

// Test helper: drives the pure machine for several persons the way the
// engine would, related events included: an event and every related event
// it names (depth first) apply together or not at all, each related event
// carrying its cause's stream and position; a related event to a stream on
// its causing chain is refused (a cycle). One global position counter;
// recorded times never go back. Not thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "returnpath/v1/event.pb.h"
#include "returnpath/v1/pathway.pb.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "workflows/return_pathway/pathway_fixture.h"
#include "workflows/return_pathway/policy_set.h"

namespace returnpath::return_pathway {

struct HouseholdPerson {
  std::string id;
  absl::CivilDay born = absl::CivilDay(1985, 1, 1);
  std::string household = "H-1";
  returnpath::v1::HouseholdRole role = returnpath::v1::HOUSEHOLD_ROLE_GUARDIAN;
  std::vector<std::string> guardians;
  bool own_case = false;
  std::string centre = "Oslo-1";
  returnpath::v1::PersonFlags flags;
};

// A guardian of household H-1 at Oslo-1, born 1985.
HouseholdPerson Guardian(std::string id);
// A child of H-1 at Oslo-1 with no case of its own.
HouseholdPerson Child(std::string id, absl::CivilDay born,
                      std::vector<std::string> guardians = {"G"});

class HouseholdFixture {
 public:
  explicit HouseholdFixture(const PolicySet& policies = ShippedPolicies())
      : policies_(policies) {}

  absl::Status Record(const std::string& person,
                      const google::protobuf::Message& payload,
                      absl::Time effective);
  absl::Status RecordOn(const std::string& person, absl::CivilDay day,
                        const google::protobuf::Message& payload) {
    return Record(person, payload, At(day));
  }
  absl::Status Register(absl::CivilDay on, const HouseholdPerson& person);
  absl::Status FirstRejection(const std::string& person, absl::CivilDay day);
  absl::Status FinalRejection(const std::string& person, absl::CivilDay day);
  absl::Status Depart(const std::string& person, absl::CivilDay day,
                      returnpath::v1::DepartureKind kind);
  // Fires `person`'s armed timer `id` at its due time.
  absl::Status FireTimer(const std::string& person, absl::string_view id);
  absl::Status CompleteTask(const std::string& person, absl::string_view id,
                            absl::string_view outcome);

  // The person's state and history (empty for one never written).
  const returnpath::v1::PathwayState& state(const std::string& person) const;
  const std::vector<returnpath::v1::EventEnvelope>& log(
      const std::string& person) const;
  // Every stream's events, as the engine looks them up.
  LogLookup Lookup() const { return Lookup(&streams_); }
  // The person's history in full (the state keeps only its notes).
  google::protobuf::RepeatedPtrField<returnpath::v1::HistoryEntry> history(
      const std::string& person) const;
  // The person's open tasks of `kind`.
  std::vector<returnpath::v1::PathwayTask> Tasks(const std::string& person,
                                                 absl::string_view kind) const;
  uint64_t last_position() const { return position_; }

 private:
  struct Stream {
    returnpath::v1::PathwayState state;
    std::vector<returnpath::v1::EventEnvelope> log;
  };
  using Streams = std::map<std::string, Stream>;

  // Applies `event` (position and stream set) and its related events to
  // `streams`, advancing `*position`. `chain` is the streams of the events
  // that caused it; a related event to one of them is refused, as the engine
  // refuses a cycle.
  absl::Status Write(returnpath::v1::EventEnvelope event, Streams* streams,
                     uint64_t* position,
                     std::vector<std::string> chain = {}) const;
  // The events of `streams`, as the engine looks them up.
  static LogLookup Lookup(const Streams* streams);

  const PolicySet& policies_;
  Streams streams_;
  uint64_t position_ = 0;
  absl::Time now_ = absl::InfinitePast();
};

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_HOUSEHOLD_FIXTURE_H_
