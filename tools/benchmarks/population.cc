#include "tools/benchmarks/population.h"

#include "absl/strings/str_cat.h"

namespace returnpath::bench {
namespace {

namespace v1 = ::returnpath::v1;

struct Town {
  const char* name;
  v1::Region region;
};
constexpr Town kTowns[] = {
    {"Tromso", v1::REGION_NORD},
    {"Bodo", v1::REGION_NORD},
    {"Trondheim", v1::REGION_MIDT_NORGE},
    {"Steinkjer", v1::REGION_MIDT_NORGE},
    {"Bergen", v1::REGION_VEST},
    {"Stavanger", v1::REGION_VEST},
    {"Kristiansand", v1::REGION_SOR},
    {"Arendal", v1::REGION_SOR},
    {"Hamar", v1::REGION_INDRE_OSTLAND},
    {"Lillehammer", v1::REGION_INDRE_OSTLAND},
    {"Oslo", v1::REGION_OSLO},
    {"Drammen", v1::REGION_OSLO},
};
constexpr const char* kNationalities[] = {"AF", "IQ", "ET", "SO", "ER",
                                          "IR", "SY", "RU", "NG", "MA"};

// Flows and their shares in percent; the comments name the path.
enum Flow {
  kAssistedAfterUne,   // 24: appeal, UNE rejects, relocation, IOM, departs
  kNotAppealedForced,  // 14: window runs out, overstays, forced return
  kAppealGranted,      // 10: UNE grants a permit
  kDublin,             //  8: Dublin case, transferred
  kDisappears,         // 12: disappears; some come back and leave with IOM
  kOverstaysThenIom,   // 14: overstays, applies late to IOM, departs
  kReopened,           //  8: case reopened, new final rejection, IOM
  kPermitAfterFinal,   //  5: a permit after the final rejection
  kCourseAndMove,      //  5: a course and a move, then as the first flow
};
constexpr int kFlowShares[] = {24, 14, 10, 8, 12, 14, 8, 5, 5};

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

v1::Date ToDate(absl::CivilDay day) {
  v1::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

std::string ReturnCentre(const Person& p) {
  return absl::StrCat("Retur-", v1::Region_Name(p.region).substr(7));
}

v1::IomProgramme Programme(const std::string& nationality) {
  if (nationality == "IQ") return v1::IOM_PROGRAMME_IRRINI;
  if (nationality == "AF") return v1::IOM_PROGRAMME_IRRANA;
  if (nationality == "ET") return v1::IOM_PROGRAMME_ARE;
  return v1::IOM_PROGRAMME_VARP;
}

template <typename M>
google::protobuf::Any Pack(const M& message) {
  google::protobuf::Any any;
  any.PackFrom(message);
  return any;
}

}  // namespace

absl::TimeZone Oslo() {
  static const absl::TimeZone* zone = [] {
    auto* z = new absl::TimeZone;
    if (!absl::LoadTimeZone("Europe/Oslo", z)) *z = absl::UTCTimeZone();
    return z;
  }();
  return *zone;
}

absl::Time At(absl::CivilDay day, int hour) {
  return absl::FromCivil(
      absl::CivilHour(day.year(), day.month(), day.day(), hour), Oslo());
}

Person MakePerson(const std::string& prefix, uint64_t number,
                  absl::CivilDay registered) {
  uint64_t r = Mix(number * 7919 + 17);
  auto draw = [&r](uint64_t n) {
    r = Mix(r);
    return r % n;
  };
  Person p;
  p.number = number;
  p.id = absl::StrCat(prefix, "-", number);
  int pick = static_cast<int>(draw(100));
  for (int f = 0; f < static_cast<int>(std::size(kFlowShares)); ++f) {
    if (pick < kFlowShares[f]) {
      p.flow = f;
      break;
    }
    pick -= kFlowShares[f];
  }
  const Town& town = kTowns[draw(std::size(kTowns))];
  p.centre = absl::StrCat(town.name, "-", 1 + draw(10));
  p.region = town.region;
  p.nationality = kNationalities[draw(std::size(kNationalities))];
  const bool minor = draw(10) == 0;
  p.flags.set_unaccompanied_minor(minor);
  p.flags.set_dublin_case(p.flow == kDublin);
  p.flags.set_identity_unclarified(draw(3) == 0);
  p.flags.set_serious_illness(draw(25) == 0);
  p.born = minor ? registered - 365 * 15 - static_cast<int>(draw(700))
                 : registered - 365 * 19 - static_cast<int>(draw(365 * 30));
  if (!minor && draw(5) == 0) {
    for (int i = 1 + static_cast<int>(draw(3)); i > 0; --i) {
      p.children.push_back(registered - static_cast<int>(draw(365 * 17)) - 30);
    }
  }
  return p;
}

google::protobuf::Any Payload(Ev ev, const Person& p) {
  switch (ev) {
    case Ev::kRegistered: {
      v1::PersonRegistered e;
      e.set_person_id(p.id);
      e.set_household_id(absl::StrCat("H-", p.id));
      *e.mutable_date_of_birth() = ToDate(p.born);
      e.set_nationality(p.nationality);
      e.set_reception_centre(p.centre);
      e.set_region(p.region);
      *e.mutable_flags() = p.flags;
      for (size_t i = 0; i < p.children.size(); ++i) {
        v1::HouseholdMember* m = e.add_household_members();
        m->set_person_id(absl::StrCat(p.id, "-c", i + 1));
        *m->mutable_date_of_birth() = ToDate(p.children[i]);
      }
      return Pack(e);
    }
    case Ev::kFirstRejection: {
      v1::FirstRejection e;
      e.set_decision_reference(absl::StrCat("UDI-", p.id));
      return Pack(e);
    }
    case Ev::kAppealDeferred:
    case Ev::kAppealNotDeferred: {
      v1::AppealLodged e;
      e.set_deferred_implementation(ev == Ev::kAppealDeferred);
      return Pack(e);
    }
    case Ev::kUneRejects:
    case Ev::kUneGrants: {
      v1::AppealDecided e;
      e.set_outcome(ev == Ev::kUneGrants ? v1::APPEAL_OUTCOME_GRANTED
                                         : v1::APPEAL_OUTCOME_REJECTED);
      e.set_decision_reference(absl::StrCat("UNE-", p.id));
      return Pack(e);
    }
    case Ev::kConversationHeld: {
      v1::ReturnConversationHeld e;
      e.set_note("synthetic return conversation");
      return Pack(e);
    }
    case Ev::kRelocationOrdered: {
      v1::RelocationOrdered e;
      e.set_return_centre(ReturnCentre(p));
      return Pack(e);
    }
    case Ev::kRelocationCompleted: {
      v1::RelocationCompleted e;
      e.set_return_centre(ReturnCentre(p));
      return Pack(e);
    }
    case Ev::kIomSubmitted: {
      v1::IomApplicationSubmitted e;
      e.set_programme(Programme(p.nationality));
      e.set_iom_reference(absl::StrCat("IOM-", p.id));
      return Pack(e);
    }
    case Ev::kIomApproved: {
      v1::IomApplicationApproved e;
      e.set_iom_reference(absl::StrCat("IOM-", p.id));
      return Pack(e);
    }
    case Ev::kTravelDocument: {
      v1::TravelDocumentObtained e;
      e.set_document_kind("passport");
      e.set_issuing_country(p.nationality);
      return Pack(e);
    }
    case Ev::kDepartedAssisted:
    case Ev::kDepartedForced:
    case Ev::kDepartedDublin: {
      v1::Departed e;
      e.set_destination_country(p.nationality);
      if (ev == Ev::kDepartedAssisted) {
        e.set_kind(v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY);
      } else if (ev == Ev::kDepartedDublin) {
        e.set_kind(v1::DEPARTURE_KIND_DUBLIN_TRANSFER);
        e.set_destination_country("IT");
      } else {
        e.set_kind(v1::DEPARTURE_KIND_FORCED);
        if (p.nationality == "AF") {
          v1::ForcedReturnSupportPaid* pran = e.mutable_forced_return_support();
          pran->set_programme("PRAN");
          pran->set_cash_nok(3000);
          pran->set_in_kind_nok(10000);
        }
      }
      return Pack(e);
    }
    case Ev::kPermitGranted: {
      v1::ResidencePermitGranted e;
      e.set_permit_kind("humanitarian");
      return Pack(e);
    }
    case Ev::kDisappeared:
      return Pack(v1::Disappeared());
    case Ev::kReappeared:
      return Pack(v1::Reappeared());
    case Ev::kCaseReopened: {
      v1::CaseReopened e;
      e.set_reason(v1::REOPENING_REASON_NEW_APPLICATION);
      return Pack(e);
    }
    case Ev::kNewFinalRejection: {
      v1::FinalRejection e;
      e.set_basis(v1::FINAL_REJECTION_BASIS_NEW_DECISION);
      e.set_decision_reference(absl::StrCat("UDI2-", p.id));
      return Pack(e);
    }
    case Ev::kCourseEnrolled: {
      v1::QualificationCourseEnrolled e;
      e.set_course_id("norsk-1");
      e.set_title("Norwegian, first level");
      return Pack(e);
    }
    case Ev::kCourseCompleted: {
      v1::QualificationCourseCompleted e;
      e.set_course_id("norsk-1");
      return Pack(e);
    }
    case Ev::kMovedCentre: {
      v1::PersonMovedCentre e;
      e.set_reception_centre(absl::StrCat(p.centre, "b"));
      return Pack(e);
    }
  }
  return {};
}

std::vector<Planned> PlanPathway(const Person& p, std::mt19937_64& rng) {
  std::vector<Planned> out;
  int day = 0;
  auto gap = [&rng](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  auto add = [&](int after_lo, int after_hi, Ev ev) {
    day += gap(after_lo, after_hi);
    out.push_back({day, ev});
  };
  const bool relocates =
      !p.flags.unaccompanied_minor() && !p.flags.dublin_case();
  auto relocation = [&] {
    if (!relocates) return;
    add(1, 3, Ev::kRelocationOrdered);
    add(1, 3, Ev::kRelocationCompleted);
  };
  out.push_back({0, Ev::kRegistered});
  if (p.flow == kCourseAndMove) {
    add(5, 20, Ev::kCourseEnrolled);
    add(10, 40, Ev::kMovedCentre);
    add(20, 60, Ev::kCourseCompleted);
  }
  add(30, 180, Ev::kFirstRejection);
  switch (p.flow) {
    case kAssistedAfterUne:
    case kCourseAndMove:
      add(3, 18, Ev::kAppealDeferred);
      add(60, 300, Ev::kUneRejects);
      add(0, 2, Ev::kConversationHeld);
      relocation();
      add(1, 8, Ev::kIomSubmitted);
      add(5, 25, Ev::kIomApproved);
      add(3, 15, Ev::kTravelDocument);
      add(5, 30, Ev::kDepartedAssisted);
      break;
    case kNotAppealedForced:
      add(1, 5, Ev::kConversationHeld);
      day += 23;  // the appeal window runs out: a derived final rejection
      relocation();
      add(30, 300, Ev::kDepartedForced);
      break;
    case kAppealGranted:
      add(3, 18, Ev::kAppealDeferred);
      add(60, 300, Ev::kUneGrants);
      break;
    case kDublin:
      add(3, 18, Ev::kAppealNotDeferred);
      add(10, 60, Ev::kDepartedDublin);
      break;
    case kDisappears:
      add(3, 18, Ev::kAppealNotDeferred);
      add(0, 3, Ev::kConversationHeld);
      add(20, 200, Ev::kDisappeared);
      if (gap(1, 10) <= 4) {
        add(30, 400, Ev::kReappeared);
        add(5, 60, Ev::kIomSubmitted);
        add(20, 60, Ev::kDepartedAssisted);
      }
      break;
    case kOverstaysThenIom:
      add(3, 18, Ev::kAppealDeferred);
      add(60, 300, Ev::kUneRejects);
      add(0, 2, Ev::kConversationHeld);
      relocation();
      add(40, 700, Ev::kIomSubmitted);
      add(20, 90, Ev::kDepartedAssisted);
      break;
    case kReopened:
      add(3, 18, Ev::kAppealDeferred);
      add(60, 300, Ev::kUneRejects);
      add(0, 2, Ev::kConversationHeld);
      add(3, 12, Ev::kCaseReopened);
      add(60, 200, Ev::kNewFinalRejection);
      add(2, 12, Ev::kIomSubmitted);
      add(10, 40, Ev::kDepartedAssisted);
      break;
    case kPermitAfterFinal:
      add(3, 18, Ev::kAppealNotDeferred);
      add(0, 3, Ev::kConversationHeld);
      add(30, 300, Ev::kPermitGranted);
      break;
  }
  return out;
}

Ev LiveEvent(int index) {
  static constexpr Ev kLive[kLiveEvents] = {
      Ev::kRegistered, Ev::kFirstRejection, Ev::kAppealDeferred,
      Ev::kUneRejects, Ev::kIomSubmitted,   Ev::kDepartedAssisted};
  return kLive[index];
}

LiveWorkload::Step LiveWorkload::Next() {
  Step step;
  {
    absl::MutexLock lock(&mu_);
    if (ready_.empty()) {
      step.person = next_person_++;
    } else {
      step.person = ready_.front().first;
      step.index = ready_.front().second;
      ready_.pop_front();
    }
  }
  const absl::CivilDay first = today_ - kLiveEvents;
  const Person person = MakePerson(prefix_, step.person, first);
  engine::AppendRequest& r = step.request;
  r.stream_id = person.id;
  r.expected_version = static_cast<uint64_t>(step.index);
  r.idempotency_key = absl::StrCat(person.id, "/", step.index + 1);
  r.principal = "bench";
  r.correlation_id = absl::StrCat("bench-", person.id);
  r.events.push_back(
      {At(first + step.index, 10), Payload(LiveEvent(step.index), person)});
  return step;
}

void LiveWorkload::Done(const Step& step) {
  if (step.index + 1 >= kLiveEvents) return;
  absl::MutexLock lock(&mu_);
  ready_.emplace_back(step.person, step.index + 1);
}

void LiveWorkload::AppendNext(engine::EventStore& store, bool keep_version,
                              absl::AnyInvocable<void(absl::Status)> done) {
  Step step = Next();
  engine::AppendRequest request = step.request;
  if (!keep_version) request.expected_version.reset();
  store.AppendAsync(std::move(request),
                    [this, step = std::move(step), done = std::move(done)](
                        absl::StatusOr<engine::AppendResult> result) mutable {
                      Done(step);
                      done(result.status());
                    });
}

}  // namespace returnpath::bench
