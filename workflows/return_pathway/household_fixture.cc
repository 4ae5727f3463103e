#include "workflows/return_pathway/household_fixture.h"

#include <algorithm>
#include <utility>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "returnpath/v1/engine.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/full_history.h"
#include "workflows/return_pathway/machine.h"
#include "workflows/return_pathway/pathway_fixture.h"

namespace returnpath::return_pathway {

HouseholdPerson Guardian(std::string id) {
  HouseholdPerson p;
  p.id = std::move(id);
  return p;
}

HouseholdPerson Child(std::string id, absl::CivilDay born,
                      std::vector<std::string> guardians) {
  HouseholdPerson p;
  p.id = std::move(id);
  p.born = born;
  p.role = returnpath::v1::HOUSEHOLD_ROLE_CHILD;
  p.guardians = std::move(guardians);
  return p;
}

namespace v1 = ::returnpath::v1;

absl::Status HouseholdFixture::Record(const std::string& person,
                                      const google::protobuf::Message& payload,
                                      absl::Time effective) {
  now_ = std::max(now_, effective);
  v1::EventEnvelope event;
  event.set_stream_id(person);
  *event.mutable_effective_time() = ToTimestamp(effective);
  *event.mutable_recorded_time() = ToTimestamp(now_);
  event.set_principal("test");
  event.mutable_payload()->PackFrom(payload);
  Streams staged = streams_;
  uint64_t position = position_;
  RP_RETURN_IF_ERROR(Write(std::move(event), &staged, &position));
  streams_ = std::move(staged);
  position_ = position;
  return absl::OkStatus();
}

LogLookup HouseholdFixture::Lookup(const Streams* streams) {
  return LogLookup(
      [streams](absl::FunctionRef<bool(const v1::EventEnvelope&)> visit) {
        for (const auto& [id, s] : *streams) {
          for (const v1::EventEnvelope& e : s.log) {
            if (!visit(e)) return;
          }
        }
      });
}

google::protobuf::RepeatedPtrField<v1::HistoryEntry> HouseholdFixture::history(
    const std::string& person) const {
  absl::StatusOr<v1::PathwayState> full =
      WithFullHistory(state(person), Lookup(&streams_), policies_);
  ABSL_RAW_CHECK(full.ok(), "the fixture's history does not read back");
  return full->history();
}

absl::Status HouseholdFixture::Write(v1::EventEnvelope event, Streams* streams,
                                     uint64_t* position,
                                     std::vector<std::string> chain) const {
  Stream& stream = (*streams)[event.stream_id()];
  event.set_position(++*position);
  event.set_stream_version(stream.log.size() + 1);
  RP_ASSIGN_OR_RETURN(
      const v1::Policy* policy,
      policies_.InForceAt(FromTimestamp(event.effective_time())));
  event.set_policy_version(policy->version());
  const LogLookup log = Lookup(streams);
  RP_ASSIGN_OR_RETURN(Applied applied,
                      ApplyAsEngine(stream.state, event, policies_, log));
  stream.state = std::move(applied.state);
  stream.log.push_back(event);
  chain.push_back(event.stream_id());
  for (const returnpath::engine::RelatedEvent& r :
       applied.transition.related_events) {
    if (std::find(chain.begin(), chain.end(), r.stream_id) != chain.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("a related event for ", r.stream_id,
                       " goes back along its causing chain (a cycle)"));
    }
    v1::EventEnvelope related;
    related.set_stream_id(r.stream_id);
    *related.mutable_effective_time() = ToTimestamp(r.effective_time);
    *related.mutable_recorded_time() = event.recorded_time();
    related.set_principal(event.principal());
    related.set_causation_id(absl::StrCat("event:", event.position()));
    related.set_caused_by_stream_id(event.stream_id());
    related.set_caused_by_position(event.position());
    *related.mutable_payload() = r.payload;
    RP_RETURN_IF_ERROR(Write(std::move(related), streams, position, chain));
  }
  return absl::OkStatus();
}

absl::Status HouseholdFixture::Register(absl::CivilDay on,
                                        const HouseholdPerson& p) {
  v1::PersonRegistered e;
  e.set_person_id(p.id);
  e.set_household_id(p.household);
  *e.mutable_date_of_birth() = ToDate(p.born);
  e.set_nationality("AF");
  e.set_reception_centre(p.centre);
  e.set_region(v1::REGION_OSLO);
  *e.mutable_flags() = p.flags;
  e.set_household_role(p.role);
  for (const std::string& g : p.guardians) e.add_guardian_ids(g);
  e.set_own_case(p.own_case);
  return RecordOn(p.id, on, e);
}

absl::Status HouseholdFixture::FirstRejection(const std::string& person,
                                              absl::CivilDay day) {
  v1::FirstRejection e;
  *e.mutable_notified_on() = ToDate(day);
  return RecordOn(person, day, e);
}

absl::Status HouseholdFixture::FinalRejection(const std::string& person,
                                              absl::CivilDay day) {
  v1::FinalRejection e;
  *e.mutable_notified_on() = ToDate(day);
  return RecordOn(person, day, e);
}

absl::Status HouseholdFixture::Depart(const std::string& person,
                                      absl::CivilDay day,
                                      v1::DepartureKind kind) {
  v1::Departed e;
  e.set_kind(kind);
  return RecordOn(person, day, e);
}

absl::Status HouseholdFixture::FireTimer(const std::string& person,
                                         absl::string_view id) {
  for (const v1::PathwayTimer& t : state(person).armed_timers()) {
    if (t.id() != id) continue;
    v1::TimerFired e;
    e.set_timer_id(t.id());
    e.set_kind(t.kind());
    *e.mutable_due_time() = t.due();
    e.set_payload(t.payload());
    return Record(person, e, FromTimestamp(t.due()));
  }
  return absl::NotFoundError(absl::StrCat("timer ", id, " is not armed"));
}

absl::Status HouseholdFixture::CompleteTask(const std::string& person,
                                            absl::string_view id,
                                            absl::string_view outcome) {
  v1::TaskCompleted e;
  e.set_task_id(std::string(id));
  e.set_outcome(std::string(outcome));
  e.set_worker("worker-1");
  return Record(person, e, now_);
}

const v1::PathwayState& HouseholdFixture::state(
    const std::string& person) const {
  static const v1::PathwayState* const kNone = new v1::PathwayState();
  auto it = streams_.find(person);
  return it == streams_.end() ? *kNone : it->second.state;
}

const std::vector<v1::EventEnvelope>& HouseholdFixture::log(
    const std::string& person) const {
  static const auto* const kNone = new std::vector<v1::EventEnvelope>();
  auto it = streams_.find(person);
  return it == streams_.end() ? *kNone : it->second.log;
}

std::vector<v1::PathwayTask> HouseholdFixture::Tasks(
    const std::string& person, absl::string_view kind) const {
  std::vector<v1::PathwayTask> out;
  for (const v1::PathwayTask& t : state(person).open_tasks()) {
    if (t.kind() == kind) out.push_back(t);
  }
  return out;
}

}  // namespace returnpath::return_pathway
