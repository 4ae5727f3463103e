#include "workflows/return_pathway/compliance/person_facts.h"

#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/household.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"

namespace returnpath::return_pathway::compliance {
namespace {

namespace v1 = ::returnpath::v1;

// Whether a final rejection counts in the statistics: an event that says
// so always; one derived (an appeal window closed, UNE rejected an appeal
// with deferred implementation, a guardian's followed) if the person was
// not finally rejected already.
enum Count { kCounted, kIfNew };

// The walk over the facts in time order.
class Reader {
 public:
  Reader(const PolicySet& policies, PersonFacts& out)
      : policies_(policies), out_(out) {}

  void Read(const Fact& f) {
    DeriveUnappealed(f.effective);
    v1::PersonRegistered registered;
    v1::HouseholdMemberJoined joined;
    v1::FlagsChanged flags;
    v1::FirstRejection first;
    v1::AppealLodged lodged;
    v1::AppealDecided decided;
    v1::FinalRejection final_rejection;
    v1::DepartureDeadlineSet deadline_set;
    v1::GuardianDecisionFollowed followed;
    v1::Departed departed;
    const google::protobuf::Any& p = f.payload;
    if (p.UnpackTo(&registered)) {
      Registered(f, registered);
    } else if (p.UnpackTo(&joined)) {
      out_.members.push_back(
          {joined.person_id(), StoredDay(joined.date_of_birth()),
           joined.role() == v1::HOUSEHOLD_ROLE_CHILD && !joined.own_case()});
    } else if (p.UnpackTo(&flags)) {
      out_.flags.emplace_back(f.effective, flags.flags());
    } else if (p.UnpackTo(&first)) {
      out_.first_rejections.push_back(
          {f.effective, f.day, f.position, f.policy});
      if (f.policy != nullptr) {
        const v1::DayRule& rule = f.policy->appeal_window();
        window_end_ =
            OsloEndOfDay(LastDay(f.day, rule.days(), rule.legal_calendar()));
        window_position_ = f.position;
      }
    } else if (p.UnpackTo(&lodged)) {
      window_end_.reset();
      deferred_appeal_ = lodged.deferred_implementation();
      if (!deferred_appeal_) Final(f, f.day, 0, kCounted);
    } else if (p.Is<v1::AppealWaived>()) {
      window_end_.reset();
      Final(f, f.day, 0, kCounted);
    } else if (p.UnpackTo(&decided)) {
      window_end_.reset();
      const bool deferred = deferred_appeal_;
      deferred_appeal_ = false;
      // UNE's rejection makes final only an appeal with deferred
      // implementation: without it the rejection was final when lodged.
      if (decided.outcome() == v1::APPEAL_OUTCOME_REJECTED && deferred) {
        Final(f, f.day, decided.departure_deadline_days(), kIfNew);
      } else if (decided.outcome() == v1::APPEAL_OUTCOME_GRANTED) {
        Terminal(f.effective);
      }
    } else if (p.UnpackTo(&final_rejection)) {
      window_end_.reset();
      Final(f, f.day, final_rejection.departure_deadline_days(), kCounted);
    } else if (p.UnpackTo(&deadline_set)) {
      SetDeadline(f, f.day, deadline_set.days());
    } else if (p.Is<v1::DepartureDeadlineSuspended>()) {
      Suspend(f);
    } else if (p.Is<v1::CaseReopened>()) {
      final_ = false;
      out_.reopened.push_back(f.effective);
      Suspend(f);
    } else if (p.UnpackTo(&departed)) {
      Departure(f.effective, departed.kind());
    } else if (p.Is<v1::ResidencePermitGranted>()) {
      Terminal(f.effective);
    } else if (p.Is<v1::IomApplicationSubmitted>()) {
      EndPending(f.effective);
      out_.iom_pending.push_back(
          {f.effective, absl::InfiniteFuture(), f.position});
      out_.applications.push_back(
          {f.effective, f.day, f.position, f.version, f.policy});
    } else if (p.Is<v1::IomApplicationWithdrawn>() ||
               p.Is<v1::IomApplicationRefused>()) {
      EndPending(f.effective);
    } else if (p.Is<v1::Disappeared>()) {
      if (out_.away.empty() || out_.away.back().to != absl::InfiniteFuture()) {
        out_.away.push_back({f.effective, absl::InfiniteFuture(), f.position});
      }
    } else if (p.Is<v1::Reappeared>()) {
      if (!out_.away.empty()) out_.away.back().to = f.effective;
    } else if (p.UnpackTo(&followed)) {
      Followed(f, followed);
    }
  }

  // At the end of what is known: an appeal window that closed unappealed by
  // `until` made the rejection final.
  void Finish(absl::Time until) { DeriveUnappealed(until); }

 private:
  void Registered(const Fact& f, const v1::PersonRegistered& e) {
    out_.born = StoredDay(e.date_of_birth());
    out_.nationality = e.nationality();
    out_.follows_guardian = e.household_role() == v1::HOUSEHOLD_ROLE_CHILD &&
                            !e.own_case() && !e.guardian_ids().empty();
    out_.flags.emplace_back(f.effective, e.flags());
    for (const v1::HouseholdMember& m : e.household_members()) {
      out_.members.push_back(
          {m.person_id(), StoredDay(m.date_of_birth()), false});
    }
  }

  // The appeal window closed before `t` with no appeal: final from the day
  // after its last day (footnote 1).
  void DeriveUnappealed(absl::Time t) {
    if (!window_end_.has_value() || t < *window_end_) return;
    Fact derived;
    derived.effective = *window_end_;
    derived.day = OsloDate(*window_end_);
    derived.position = window_position_;
    absl::StatusOr<const v1::Policy*> policy =
        policies_.InForceAt(*window_end_);
    derived.policy = policy.ok() ? *policy : nullptr;
    window_end_.reset();
    Final(derived, derived.day, 0, kIfNew);
  }

  void Final(const Fact& f, absl::CivilDay day, int days, Count count) {
    AddFinal({f.effective, day, f.position, f.policy}, count);
    SetDeadline(f, day, days);
  }

  void AddFinal(Decision d, Count count) {
    d.counted = count == kCounted || !final_;
    final_ = true;
    out_.final_rejections.push_back(d);
  }

  void SetDeadline(const Fact& f, absl::CivilDay from, int days) {
    if (f.policy == nullptr) return;
    const v1::DepartureDeadlineRule& rule = f.policy->departure_deadline();
    DeadlineState d;
    d.since = f.effective;
    d.set = true;
    d.date = LastDay(from, days == 0 ? rule.default_days() : days,
                     rule.legal_calendar());
    d.position = f.position;
    d.policy_version = f.policy->version();
    out_.deadlines.push_back(d);
  }

  void Suspend(const Fact& f) {
    DeadlineState d;
    if (!out_.deadlines.empty()) d = out_.deadlines.back();
    d.since = f.effective;
    d.suspended = true;
    d.position = f.position;
    out_.deadlines.push_back(d);
  }

  void Departure(absl::Time t, v1::DepartureKind kind) {
    if (!out_.terminal.has_value()) out_.departures.emplace_back(t, kind);
    Terminal(t);
  }

  void Terminal(absl::Time t) {
    EndPending(t);
    if (!out_.terminal.has_value()) out_.terminal = t;
  }

  void EndPending(absl::Time t) {
    if (!out_.iom_pending.empty() &&
        out_.iom_pending.back().to == absl::InfiniteFuture()) {
      out_.iom_pending.back().to = t;
    }
  }

  void Followed(const Fact& f, const v1::GuardianDecisionFollowed& e) {
    switch (e.decision()) {
      case v1::FOLLOWED_DECISION_FIRST_REJECTION:
        out_.first_rejections.push_back(
            {f.effective, StoredDay(e.appeal_window().counted_from()),
             f.position, f.policy});
        break;
      case v1::FOLLOWED_DECISION_FINAL_REJECTION:
        AddFinal({f.effective, StoredDay(e.final_rejection().notified_on()),
                  f.position, f.policy},
                 kIfNew);
        FollowDeadline(f, e.departure_deadline());
        break;
      case v1::FOLLOWED_DECISION_DEPARTURE_DEADLINE:
        FollowDeadline(f, e.departure_deadline());
        break;
      case v1::FOLLOWED_DECISION_DEPARTURE:
        Departure(f.effective, e.departure().kind());
        break;
      default:
        break;
    }
  }

  void FollowDeadline(const Fact& f, const v1::Deadline& deadline) {
    if (!IsSet(deadline.date())) return;
    DeadlineState d;
    d.since = f.effective;
    d.set = true;
    d.date = StoredDay(deadline.date());
    d.suspended = deadline.suspended();
    d.position = f.position;
    d.policy_version = deadline.policy_version();
    out_.deadlines.push_back(d);
  }

  const PolicySet& policies_;
  PersonFacts& out_;
  std::optional<absl::Time> window_end_;
  bool final_ = false;            // finally rejected now
  bool deferred_appeal_ = false;  // an appeal with deferred implementation
                                  // is pending
  uint64_t window_position_ = 0;
};

}  // namespace

PersonFacts ReadFacts(const std::vector<Fact>& facts, const PolicySet& policies,
                      absl::Time until) {
  PersonFacts out;
  Reader reader(policies, out);
  for (const Fact& f : facts) reader.Read(f);
  reader.Finish(until);
  return out;
}

const DeadlineState* DeadlineAt(const PersonFacts& facts, absl::Time t) {
  const DeadlineState* found = nullptr;
  for (const DeadlineState& d : facts.deadlines) {
    if (d.since > t) break;
    found = &d;
  }
  return found != nullptr && found->set ? found : nullptr;
}

const DeadlineState* DeadlineBefore(const PersonFacts& facts, absl::Time t,
                                    uint64_t position) {
  const DeadlineState* found = nullptr;
  for (const DeadlineState& d : facts.deadlines) {
    if (d.since > t || (d.since == t && d.position >= position)) break;
    found = &d;
  }
  return found != nullptr && found->set ? found : nullptr;
}

absl::Time ExpiryOf(absl::CivilDay date) { return OsloEndOfDay(date); }

bool AwayDuring(const PersonFacts& facts, absl::Time from, absl::Time to) {
  for (const Interval& i : facts.away) {
    if (i.from < to && from < i.to) return true;
  }
  return false;
}

bool IomPendingAt(const PersonFacts& facts, absl::Time t) {
  for (const Interval& i : facts.iom_pending) {
    if (i.from <= t && t < i.to) return true;
  }
  return false;
}

v1::PersonFlags FlagsAt(const PersonFacts& facts, absl::Time t) {
  v1::PersonFlags flags;
  for (const auto& [since, value] : facts.flags) {
    if (since > t) break;
    flags = value;
  }
  return flags;
}

const Decision* LatestAt(const std::vector<Decision>& decisions, absl::Time t) {
  const Decision* found = nullptr;
  for (const Decision& d : decisions) {
    if (d.at > t) break;
    found = &d;
  }
  return found;
}

absl::CivilDay LastDay(absl::CivilDay from, int days, bool legal_calendar) {
  const absl::CivilDay plain = from + days;
  return legal_calendar ? NextWorkingDayFrom(plain) : plain;
}

}  // namespace returnpath::return_pathway::compliance
