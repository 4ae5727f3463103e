#include "tools/demo/demo_population.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "engine/status_macros.h"
#include "returnpath/v1/pathway.pb.h"

namespace returnpath::tools {
namespace {

namespace v1 = ::returnpath::v1;

// Builds one synthetic person's history, dated in days relative to today.
class Person {
 public:
  Person(int number, absl::CivilDay today, absl::TimeZone zone)
      : id_(absl::StrFormat("SYNTHETIC-%03d", number)),
        today_(today),
        zone_(zone) {}

  const std::string& id() const { return id_; }

  Person& Register(int days_ago, const std::string& nationality,
                   const std::string& centre, v1::Region region,
                   absl::CivilDay born, v1::PersonFlags flags = {},
                   std::vector<absl::CivilDay> children = {}) {
    v1::PersonRegistered e;
    e.set_person_id(id_);
    e.set_household_id(absl::StrCat("SYNTHETIC-H", id_.substr(10)));
    *e.mutable_date_of_birth() = Date(born);
    e.set_nationality(nationality);
    e.set_reception_centre(centre);
    e.set_region(region);
    *e.mutable_flags() = flags;
    for (size_t i = 0; i < children.size(); ++i) {
      v1::HouseholdMember* child = e.add_household_members();
      child->set_person_id(absl::StrCat(id_, "-child-", i + 1));
      *child->mutable_date_of_birth() = Date(children[i]);
    }
    return Add(days_ago, e);
  }
  Person& FirstRejection(int days_ago) {
    v1::FirstRejection e;
    *e.mutable_notified_on() = Date(today_ - days_ago);
    e.set_decision_reference(absl::StrCat("SYNTHETIC-UDI-", id_.substr(10)));
    return Add(days_ago, e);
  }
  Person& Appeal(int days_ago, bool deferred) {
    v1::AppealLodged e;
    *e.mutable_lodged_on() = Date(today_ - days_ago);
    e.set_deferred_implementation(deferred);
    return Add(days_ago, e);
  }
  Person& UneRejects(int days_ago) {
    v1::AppealDecided e;
    e.set_outcome(v1::APPEAL_OUTCOME_REJECTED);
    *e.mutable_notified_on() = Date(today_ - days_ago);
    return Add(days_ago, e);
  }
  Person& IomApplication(int days_ago, v1::IomProgramme programme) {
    v1::IomApplicationSubmitted e;
    e.set_programme(programme);
    e.set_iom_reference(absl::StrCat("SYNTHETIC-IOM-", id_.substr(10)));
    return Add(days_ago, e);
  }
  Person& Disappeared(int days_ago) { return Add(days_ago, v1::Disappeared()); }
  Person& Departed(int days_ago, v1::DepartureKind kind,
                   const std::string& country) {
    v1::Departed e;
    e.set_kind(kind);
    e.set_destination_country(country);
    return Add(days_ago, e);
  }

  absl::Status Record(engine::EventStore& store) {
    for (size_t i = 0; i < events_.size(); ++i) {
      engine::AppendRequest request;
      request.stream_id = id_;
      request.expected_version = i;
      request.idempotency_key =
          absl::StrCat("synthetic-demo/", id_, "/", i + 1);
      request.principal = "demo:synthetic";
      request.correlation_id = "synthetic-demo";
      request.events.push_back(events_[i]);
      RP_RETURN_IF_ERROR(store.Append(std::move(request)).status());
    }
    return absl::OkStatus();
  }

 private:
  static v1::Date Date(absl::CivilDay day) {
    v1::Date date;
    date.set_year(static_cast<int32_t>(day.year()));
    date.set_month(day.month());
    date.set_day(day.day());
    return date;
  }

  Person& Add(int days_ago, const google::protobuf::Message& payload) {
    engine::ProposedEvent event;
    event.effective_time =
        absl::FromCivil(absl::CivilSecond(today_ - days_ago), zone_);
    event.payload.PackFrom(payload);
    events_.push_back(std::move(event));
    return *this;
  }

  const std::string id_;
  const absl::CivilDay today_;
  const absl::TimeZone zone_;
  std::vector<engine::ProposedEvent> events_;
};

}  // namespace

absl::StatusOr<int> LoadDemoPopulation(engine::EventStore& store,
                                       absl::Time today) {
  absl::TimeZone oslo;
  if (!absl::LoadTimeZone("Europe/Oslo", &oslo)) oslo = absl::UTCTimeZone();
  const absl::CivilDay day = absl::ToCivilDay(today, oslo);
  auto born = [&](int years_old) { return day - years_old * 365 - 30; };
  v1::PersonFlags minor;
  minor.set_unaccompanied_minor(true);
  v1::PersonFlags dublin;
  dublin.set_dublin_case(true);
  v1::PersonFlags unclear;
  unclear.set_identity_unclarified(true);

  std::vector<Person> people;
  int n = 0;
  // Appeal window open.
  people.push_back(Person(++n, day, oslo)
                       .Register(200, "AF", "Oslo-1", v1::REGION_OSLO, born(31))
                       .FirstRejection(5));
  // Appeal pending with deferred implementation.
  people.push_back(
      Person(++n, day, oslo)
          .Register(220, "IQ", "Bergen-2", v1::REGION_VEST, born(44))
          .FirstRejection(40)
          .Appeal(30, true));
  // Final rejection by UNE: a family with a child of 13, deadline running.
  people.push_back(Person(++n, day, oslo)
                       .Register(300, "ET", "Oslo-1", v1::REGION_OSLO, born(38),
                                 {}, {born(13), born(6)})
                       .FirstRejection(120)
                       .Appeal(110, true)
                       .UneRejects(6));
  // Not appealed: the window has closed, so the engine derives the final
  // rejection.
  people.push_back(
      Person(++n, day, oslo)
          .Register(150, "SO", "Trondheim-1", v1::REGION_MIDT_NORGE, born(27))
          .FirstRejection(30));
  // Overstayed: final rejection long ago, no IOM application.
  people.push_back(
      Person(++n, day, oslo)
          .Register(400, "AF", "Tromso-1", v1::REGION_NORD, born(35), unclear)
          .FirstRejection(100)
          .Appeal(90, false));
  // Assisted return applied for before the deadline: the highest support tier.
  people.push_back(Person(++n, day, oslo)
                       .Register(250, "IQ", "Oslo-2", v1::REGION_OSLO, born(29))
                       .FirstRejection(60)
                       .Appeal(50, true)
                       .UneRejects(15)
                       .IomApplication(4, v1::IOM_PROGRAMME_IRRINI));
  // Unaccompanied minor aged 16: exempt from relocation.
  people.push_back(Person(++n, day, oslo)
                       .Register(180, "AF", "Kristiansand-1", v1::REGION_SOR,
                                 born(16), minor)
                       .FirstRejection(50)
                       .Appeal(45, true)
                       .UneRejects(10));
  // Dublin case: exempt from relocation.
  people.push_back(Person(++n, day, oslo)
                       .Register(60, "ER", "Hamar-1", v1::REGION_INDRE_OSTLAND,
                                 born(24), dublin)
                       .FirstRejection(20)
                       .Appeal(15, false));
  // Disappeared from reception.
  people.push_back(Person(++n, day, oslo)
                       .Register(350, "MA", "Oslo-2", v1::REGION_OSLO, born(22))
                       .FirstRejection(80)
                       .Appeal(70, false)
                       .Disappeared(12));
  // Departed with IOM's assistance.
  people.push_back(
      Person(++n, day, oslo)
          .Register(380, "ET", "Bergen-2", v1::REGION_VEST, born(41))
          .FirstRejection(150)
          .Appeal(140, true)
          .UneRejects(60)
          .IomApplication(50, v1::IOM_PROGRAMME_ARE)
          .Departed(20, v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY, "ET"));
  for (Person& person : people) {
    absl::Status recorded = person.Record(store);
    if (!recorded.ok()) {
      return absl::Status(
          recorded.code(),
          absl::StrCat("demo person ", person.id(), ": ", recorded.message()));
    }
  }
  return static_cast<int>(people.size());
}

}  // namespace returnpath::tools
