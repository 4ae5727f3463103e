// Police referrals and relocation, judged by what was known when each task
// opened.

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "returnpath/v1/pathway.pb.h"
#include "workflows/return_pathway/compliance/checks.h"
#include "workflows/return_pathway/compliance/task_state.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/task_kinds.h"

namespace returnpath::return_pathway::compliance {
namespace {

namespace v1 = ::returnpath::v1;

std::string When(absl::Time t) { return FormatDay(OsloDate(t)); }

// The task's opening, as a finding's first position and date.
engine::Finding Opened(std::string rule, const Evidence& e, const v1::Task& t,
                       std::string message) {
  const absl::Time at = e.OpenedAt(t);
  engine::Finding f =
      MakeFinding(std::move(rule), e.PolicyAt(at), {t.opened_at_position()}, at,
                  std::move(message));
  f.dates.push_back(absl::StrCat("opened ", When(at)));
  return f;
}

void ReferralOpening(const Evidence& e, const v1::Task& t, Findings* out) {
  const absl::Time at = e.OpenedAt(t);
  const PersonFacts& known = e.KnownAt(t.opened_at_position());
  const DeadlineState* deadline = DeadlineAt(known, at);
  std::string why;
  if (deadline == nullptr) {
    why = "no departure deadline had been set";
  } else if (deadline->suspended) {
    why = absl::StrCat("the departure deadline ", FormatDay(deadline->date),
                       " was suspended");
  } else if (at < ExpiryOf(deadline->date)) {
    why = absl::StrCat("the departure deadline ", FormatDay(deadline->date),
                       " had not expired");
  }
  if (!why.empty()) {
    engine::Finding f =
        Opened("police_referral_before_deadline", e, t,
               absl::StrCat("police referral ", t.id(), " opened on ", When(at),
                            " when ", why));
    if (deadline != nullptr) {
      f.positions.push_back(deadline->position);
      f.dates.push_back(
          absl::StrCat("departure deadline ", FormatDay(deadline->date)));
    }
    out->push_back(std::move(f));
  }
  if (IomPendingAt(known, at)) {
    const Interval& pending = *std::find_if(
        known.iom_pending.begin(), known.iom_pending.end(),
        [at](const Interval& i) { return i.from <= at && at < i.to; });
    engine::Finding f =
        Opened("police_referral_while_iom_pending", e, t,
               absl::StrCat("police referral ", t.id(), " opened on ", When(at),
                            " while the IOM application made on ",
                            When(pending.from), " was pending"));
    f.positions.push_back(pending.position);
    f.dates.push_back(absl::StrCat("IOM application ", When(pending.from)));
    out->push_back(std::move(f));
  }
}

// An IOM application recorded while the referral was open withdraws it in
// the same write.
void ReferralWithdrawn(const Evidence& e, const v1::Task& t, Findings* out) {
  for (const Application& a : e.Known().applications) {
    if (!OpenAt(t, a.position)) continue;
    if (!IomPendingAt(e.KnownAt(a.position), e.MomentOf(a.position))) continue;
    engine::Finding f = Opened("police_referral_not_withdrawn", e, t,
                               absl::StrCat("police referral ", t.id(),
                                            " stayed open after the IOM "
                                            "application made on ",
                                            When(a.at), " was recorded"));
    f.positions.push_back(a.position);
    f.dates.push_back(absl::StrCat("IOM application ", When(a.at)));
    f.at = e.MomentOf(a.position);
    out->push_back(std::move(f));
    return;
  }
}

// Why the person was exempt from relocation at `at` ("" if not).
std::string ExemptionAt(const Evidence& e, const PersonFacts& known,
                        absl::Time at) {
  const v1::Policy* policy = e.PolicyAt(at);
  if (policy == nullptr) return "";
  const v1::RelocationRule& rule = policy->relocation();
  const v1::PersonFlags flags = FlagsAt(known, at);
  if (rule.exempt_dublin_case() && flags.dublin_case()) return "a Dublin case";
  const Decision* final = LatestAt(known.final_rejections, at);
  if (flags.unaccompanied_minor() && final != nullptr &&
      known.born.has_value()) {
    const int age = AgeOn(*known.born, final->day);
    if (age >= rule.exempt_unaccompanied_minor_min_age() &&
        age < rule.exempt_unaccompanied_minor_below_age()) {
      return absl::StrCat("an unaccompanied minor aged ", age,
                          " at the final rejection");
    }
  }
  return "";
}

// Relocation done by the departure deadline in force when it was done (or
// now, while it is not).
void RelocationInTime(const Evidence& e, const v1::Task& t, Findings* out) {
  if (t.rule() != "relocation") return;  // a long-stayer phased in: late
  const bool done = Done<v1::RelocationCompleted>(e, t);
  if (!done && !IsOpen(t)) return;  // cancelled: no longer required
  const absl::Time when = done ? e.MomentOf(t.closed_at_position()) : e.now();
  const DeadlineState* deadline = DeadlineAt(e.Known(), when);
  if (deadline == nullptr || deadline->suspended ||
      when < ExpiryOf(deadline->date)) {
    return;
  }
  const int64_t late = OsloDate(when) - deadline->date;
  engine::Finding f =
      Opened(done ? "relocation_late" : "relocation_overdue", e, t,
             done ? absl::StrCat("relocation ", t.id(), " was completed on ",
                                 When(when), ", ", late,
                                 " days after the departure deadline ",
                                 FormatDay(deadline->date))
                  : absl::StrCat("relocation ", t.id(), " is not done ", late,
                                 " days after the departure deadline ",
                                 FormatDay(deadline->date)));
  f.positions.push_back(deadline->position);
  if (done) f.positions.push_back(t.closed_at_position());
  f.dates.push_back(
      absl::StrCat("departure deadline ", FormatDay(deadline->date)));
  f.at = when;
  f.days_late = late;
  out->push_back(std::move(f));
}

}  // namespace

void CheckPoliceReferrals(const Evidence& e, Findings* out) {
  std::vector<const v1::Task*> referrals;
  for (const v1::Task& t : e.stream().tasks) {
    if (t.kind() != kTaskPoliceReferral) continue;
    referrals.push_back(&t);
    ReferralOpening(e, t, out);
    ReferralWithdrawn(e, t, out);
  }
  std::sort(referrals.begin(), referrals.end(),
            [](const v1::Task* a, const v1::Task* b) {
              return a->opened_at_position() < b->opened_at_position();
            });
  for (size_t i = 1; i < referrals.size(); ++i) {
    const v1::Task& later = *referrals[i];
    for (size_t j = 0; j < i; ++j) {
      const v1::Task& earlier = *referrals[j];
      if (!OpenAt(earlier, later.opened_at_position())) continue;
      engine::Finding f =
          Opened("police_referral_twice", e, later,
                 absl::StrCat("police referral ", later.id(), " opened while ",
                              earlier.id(), " was still open"));
      f.positions.push_back(earlier.opened_at_position());
      out->push_back(std::move(f));
      break;
    }
  }
}

void CheckRelocations(const Evidence& e, Findings* out) {
  for (const v1::Task& t : e.stream().tasks) {
    if (t.kind() != kTaskRelocation) continue;
    const absl::Time at = e.OpenedAt(t);
    const std::string exemption =
        ExemptionAt(e, e.KnownAt(t.opened_at_position()), at);
    if (!exemption.empty()) {
      out->push_back(Opened("relocation_while_exempt", e, t,
                            absl::StrCat("relocation ", t.id(), " opened on ",
                                         When(at), " for ", exemption)));
    }
    RelocationInTime(e, t, out);
  }
}

}  // namespace returnpath::return_pathway::compliance
