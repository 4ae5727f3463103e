#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_PERSON_FACTS_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_PERSON_FACTS_H_

// What the law and the policy made of a person's facts, worked out again by
// the compliance checker from the facts alone (domain.md, "The person and the
// pathway"): their decisions, the departure deadline in force at each moment,
// when an IOM application was pending, their flags and household.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "returnpath/v1/pathway.pb.h"
#include "returnpath/v1/policy.pb.h"
#include "workflows/return_pathway/compliance/known_history.h"

namespace returnpath::return_pathway::compliance {

// A first or final rejection, in force from `at`.
struct Decision {
  absl::Time at;
  absl::CivilDay day;     // notified on (a derived final rejection: the day
                          // after the appeal window's last day)
  uint64_t position = 0;  // the event it came from
  const returnpath::v1::Policy* policy = nullptr;
  // The statistics count it as a final rejection.
  bool counted = false;
};

// The departure deadline from `since` on, until the next change.
struct DeadlineState {
  absl::Time since;
  bool set = false;
  absl::CivilDay date;  // the last day
  bool suspended = false;
  uint64_t position = 0;  // the event that set or suspended it
  std::string policy_version;
};

struct Interval {
  absl::Time from;
  absl::Time to = absl::InfiniteFuture();  // exclusive
  uint64_t position = 0;                   // the event that began it
};

struct Application {
  absl::Time at;
  absl::CivilDay day;
  uint64_t position = 0;
  uint64_t version = 0;
  const returnpath::v1::Policy* policy = nullptr;
};

struct Member {
  std::string person_id;
  absl::CivilDay born;
  bool following_child = false;  // gets its own tasks in its own history
};

struct PersonFacts {
  std::optional<absl::CivilDay> born;
  std::string nationality;
  bool follows_guardian = false;  // a child without a case of their own
  std::vector<std::pair<absl::Time, returnpath::v1::PersonFlags>> flags;
  std::vector<Decision> first_rejections;
  std::vector<Decision> final_rejections;
  std::vector<DeadlineState> deadlines;  // every change, in time order
  std::vector<Interval> iom_pending;
  std::vector<Interval> away;  // whereabouts unknown (disappeared)
  std::vector<Application> applications;
  std::vector<absl::Time> reopened;  // cases reopened
  std::vector<Member> members;
  std::optional<absl::Time> terminal;  // departed or granted a permit
  // Departures, a child's with its guardian included.
  std::vector<std::pair<absl::Time, returnpath::v1::DepartureKind>> departures;
};

// Reads `facts` (KnownHistory's); an appeal window that closed unappealed by
// `until` (the last moment known) made the rejection final.
PersonFacts ReadFacts(const std::vector<Fact>& facts, const PolicySet& policies,
                      absl::Time until);

// The departure deadline as it stood at `t` (null: none was ever set).
const DeadlineState* DeadlineAt(const PersonFacts& facts, absl::Time t);

// The departure deadline as it stood just before the fact at (`t`,
// `position`) applied: changes at the same time count only from facts
// before it in the log.
const DeadlineState* DeadlineBefore(const PersonFacts& facts, absl::Time t,
                                    uint64_t position);

// The moment a deadline whose last day is `date` has expired.
absl::Time ExpiryOf(absl::CivilDay date);

// True if the person was away (whereabouts unknown) at some time in
// [from, to).
bool AwayDuring(const PersonFacts& facts, absl::Time from, absl::Time to);

// True if an IOM application was pending at `t`.
bool IomPendingAt(const PersonFacts& facts, absl::Time t);

// The person's flags at `t`.
returnpath::v1::PersonFlags FlagsAt(const PersonFacts& facts, absl::Time t);

// The latest decision in force at `t`, if any.
const Decision* LatestAt(const std::vector<Decision>& decisions, absl::Time t);

// The last day of a deadline `days` after `from`, moved to the next working
// day under the legal calendar.
absl::CivilDay LastDay(absl::CivilDay from, int days, bool legal_calendar);

}  // namespace returnpath::return_pathway::compliance

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_PERSON_FACTS_H_
