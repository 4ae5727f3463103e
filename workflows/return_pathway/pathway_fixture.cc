#include "workflows/return_pathway/pathway_fixture.h"

#include <algorithm>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "gtest/gtest.h"
#include "returnpath/v1/engine.pb.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/finalize.h"
#include "workflows/return_pathway/full_history.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/refold.h"

namespace returnpath::return_pathway {

namespace v1 = ::returnpath::v1;

namespace {

// `s` with each task's engine id set to its key (a fold from nothing opens
// every task afresh, where the stored state kept the ids the engine has),
// tasks and timers sorted by id as Finish sorts them.
// A task a refold left unchanged keeps the record the engine has, with the
// provenance it was opened with; a fold from nothing may name more events.
v1::PathwayState WithKeysAsIds(v1::PathwayState s) {
  for (v1::PathwayTask& t : *s.mutable_open_tasks()) {
    t.set_id(t.key());
    t.clear_caused_by_versions();
  }
  std::sort(s.mutable_open_tasks()->begin(), s.mutable_open_tasks()->end(),
            [](const v1::PathwayTask& a, const v1::PathwayTask& b) {
              return a.id() < b.id();
            });
  std::sort(s.mutable_armed_timers()->begin(), s.mutable_armed_timers()->end(),
            [](const v1::PathwayTimer& a, const v1::PathwayTimer& b) {
              return a.id() < b.id();
            });
  return s;
}


}  // namespace

// Folding the history in effective-time order from nothing gives the stored
// state.
void ExpectFoldFromNothingGivesTheState(
    const v1::PathwayState& state, const returnpath::engine::EventLookup& log,
    const std::string& where) {
  absl::StatusOr<v1::PathwayState> full =
      WithFullHistory(state, log, ShippedPolicies());
  ASSERT_TRUE(full.ok()) << where << " " << full.status();
  absl::StatusOr<v1::PathwayState> folded =
      Replay(state.person_id(), full->history(), ShippedPolicies());
  ASSERT_TRUE(folded.ok()) << where << " " << folded.status();
  KeepHistoryNotesOnly(&*folded);
  const v1::PathwayState want = WithKeysAsIds(state);
  const v1::PathwayState got = WithKeysAsIds(*folded);
  EXPECT_TRUE(SerializeState(got) == SerializeState(want))
      << where << "\nfolded:\n"
      << got.DebugString() << "\nstored:\n"
      << want.DebugString();
}

LogLookup::LogLookup(const std::vector<v1::EventEnvelope>* log)
    : each_([log](absl::FunctionRef<bool(const v1::EventEnvelope&)> visit) {
        for (const v1::EventEnvelope& e : *log) {
          if (!visit(e)) return;
        }
      }) {}

const v1::EventEnvelope* LogLookup::Find(
    absl::FunctionRef<bool(const v1::EventEnvelope&)> match) const {
  const v1::EventEnvelope* found = nullptr;
  each_([&](const v1::EventEnvelope& e) {
    if (match(e)) found = &e;
    return found == nullptr;
  });
  return found;
}

absl::StatusOr<v1::EventEnvelope> LogLookup::EventAt(uint64_t position) const {
  const v1::EventEnvelope* event = Find(
      [&](const v1::EventEnvelope& e) { return e.position() == position; });
  if (event == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("there is no event at position ", position));
  }
  return *event;
}

absl::StatusOr<uint64_t> LogLookup::PositionOf(absl::string_view stream_id,
                                               uint64_t version) const {
  const v1::EventEnvelope* event = Find([&](const v1::EventEnvelope& e) {
    return e.stream_id() == stream_id && e.stream_version() == version;
  });
  if (event == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("stream \"", stream_id, "\" has no version ", version));
  }
  return event->position();
}

google::protobuf::RepeatedPtrField<v1::HistoryEntry> PathwayFixture::history()
    const {
  absl::StatusOr<v1::PathwayState> full =
      WithFullHistory(state_, Lookup(), policies_);
  ABSL_RAW_CHECK(full.ok(), "the fixture's history does not read back");
  return full->history();
}

absl::StatusOr<Applied> ApplyAsEngine(
    const v1::PathwayState& state, v1::EventEnvelope event,
    const PolicySet& policies, const returnpath::engine::EventLookup& log) {
  event.clear_position();
  if (event.caused_by_position() != 0) event.clear_causation_id();
  event.clear_caused_by_position();
  return ApplyEvent(state, event, policies, log);
}

absl::Time At(absl::CivilDay day) {
  return OsloStartOfDay(day) + absl::Hours(10);
}

const PolicySet& ShippedPolicies() {
  static const PolicySet* policies = [] {
    absl::StatusOr<PolicySet> set =
        PolicySet::LoadDirectory(RETURN_PATHWAY_POLICY_DIR);
    ABSL_RAW_CHECK(set.ok(), "the shipped policy files do not load");
    return new PolicySet(*std::move(set));
  }();
  return *policies;
}

const PolicySet& PoliciesWithExample() {
  static const PolicySet* policies = [] {
    std::vector<std::pair<std::string, v1::Policy>> both;
    for (const char* dir :
         {RETURN_PATHWAY_POLICY_DIR, RETURN_PATHWAY_EXAMPLES_DIR}) {
      absl::StatusOr<PolicySet> set = PolicySet::LoadDirectory(dir);
      ABSL_RAW_CHECK(set.ok(), "a policy folder does not load");
      for (const v1::Policy& p : set->versions()) both.push_back({dir, p});
    }
    absl::StatusOr<PolicySet> set = PolicySet::Create(std::move(both));
    ABSL_RAW_CHECK(set.ok(), "the example revision does not fit the defaults");
    return new PolicySet(*std::move(set));
  }();
  return *policies;
}

absl::Status PathwayFixture::Record(const google::protobuf::Message& payload,
                                    absl::Time effective,
                                    std::optional<absl::Time> recorded) {
  return Record(payload, effective, recorded, v1::EventEnvelope());
}

absl::Status PathwayFixture::RecordCausedBy(
    const google::protobuf::Message& payload, absl::Time effective,
    const std::string& cause_stream, uint64_t cause_position) {
  v1::EventEnvelope cause;
  cause.set_caused_by_stream_id(cause_stream);
  cause.set_caused_by_position(cause_position);
  return Record(payload, effective, std::nullopt, std::move(cause));
}

absl::Status PathwayFixture::Record(const google::protobuf::Message& payload,
                                    absl::Time effective,
                                    std::optional<absl::Time> recorded,
                                    v1::EventEnvelope e) {
  const absl::Time when = recorded.value_or(std::max(now_, effective));
  e.set_position(position_ + 1);
  e.set_stream_id(state_.person_id().empty() ? "P1" : state_.person_id());
  v1::PersonRegistered registration;
  if (payload.GetDescriptor() == v1::PersonRegistered::descriptor()) {
    registration.CopyFrom(payload);
    e.set_stream_id(registration.person_id());
  }
  e.set_stream_version(log_.size() + 1);
  *e.mutable_effective_time() = ToTimestamp(effective);
  *e.mutable_recorded_time() = ToTimestamp(when);
  e.set_principal("test");
  absl::StatusOr<const v1::Policy*> policy = policies_.InForceAt(effective);
  if (policy.ok()) e.set_policy_version((*policy)->version());
  e.mutable_payload()->PackFrom(payload);
  RP_ASSIGN_OR_RETURN(Applied applied,
                      ApplyAsEngine(state_, e, policies_, Lookup()));
  state_ = std::move(applied.state);
  last_ = std::move(applied.transition);
  log_.push_back(e);
  position_ = e.position();
  now_ = std::max(now_, when);
  return absl::OkStatus();
}

absl::Status PathwayFixture::Register(absl::CivilDay on, const PersonSpec& p) {
  v1::PersonRegistered e;
  e.set_person_id(p.id);
  e.set_household_id(absl::StrCat("H-", p.id));
  *e.mutable_date_of_birth() = ToDate(p.born);
  e.set_nationality(p.nationality);
  e.set_reception_centre(p.centre);
  e.set_region(p.region);
  *e.mutable_flags() = p.flags;
  for (const auto& [id, born] : p.members) {
    v1::HouseholdMember* m = e.add_household_members();
    m->set_person_id(id);
    *m->mutable_date_of_birth() = ToDate(born);
  }
  return RecordOn(on, e);
}

absl::Status PathwayFixture::FirstRejection(absl::CivilDay notified) {
  v1::FirstRejection e;
  *e.mutable_notified_on() = ToDate(notified);
  return RecordOn(notified, e);
}

absl::Status PathwayFixture::Appeal(absl::CivilDay lodged, bool deferred) {
  v1::AppealLodged e;
  *e.mutable_lodged_on() = ToDate(lodged);
  e.set_deferred_implementation(deferred);
  return RecordOn(lodged, e);
}

absl::Status PathwayFixture::AppealDecided(absl::CivilDay notified,
                                           v1::AppealOutcome outcome,
                                           int days) {
  v1::AppealDecided e;
  e.set_outcome(outcome);
  *e.mutable_notified_on() = ToDate(notified);
  e.set_departure_deadline_days(days);
  return RecordOn(notified, e);
}

absl::Status PathwayFixture::FinalRejection(absl::CivilDay notified, int days) {
  v1::FinalRejection e;
  *e.mutable_notified_on() = ToDate(notified);
  e.set_departure_deadline_days(days);
  return RecordOn(notified, e);
}

absl::Status PathwayFixture::IomApply(absl::CivilDay on,
                                      v1::IomProgramme programme) {
  v1::IomApplicationSubmitted e;
  e.set_programme(programme);
  return RecordOn(on, e);
}

absl::Status PathwayFixture::IomWithdraw(absl::CivilDay on) {
  v1::IomApplicationWithdrawn e;
  e.set_reason("changed mind");
  return RecordOn(on, e);
}

absl::Status PathwayFixture::Disappear(absl::CivilDay on) {
  return RecordOn(on, v1::Disappeared());
}

absl::Status PathwayFixture::Reappear(absl::CivilDay on) {
  return RecordOn(on, v1::Reappeared());
}

absl::Status PathwayFixture::Depart(absl::CivilDay on, v1::DepartureKind kind) {
  v1::Departed e;
  e.set_kind(kind);
  return RecordOn(on, e);
}

absl::Status PathwayFixture::Reopen(absl::CivilDay on) {
  v1::CaseReopened e;
  e.set_reason(v1::REOPENING_REASON_NEW_APPLICATION);
  return RecordOn(on, e);
}

absl::Status PathwayFixture::Retract(absl::CivilDay on, uint64_t position) {
  v1::EventRetracted e;
  e.set_retracted_position(position);
  e.set_reason("recorded by mistake");
  return RecordOn(on, e);
}

absl::Status PathwayFixture::Correct(
    absl::CivilDay on, uint64_t position,
    const google::protobuf::Message& replacement,
    std::optional<absl::Time> effective) {
  v1::EventCorrected e;
  e.set_corrected_position(position);
  e.mutable_replacement()->PackFrom(replacement);
  e.set_reason("wrong facts");
  if (effective) *e.mutable_effective_time() = ToTimestamp(*effective);
  return RecordOn(on, e);
}

absl::Status PathwayFixture::FireTimer(absl::string_view id) {
  const v1::PathwayTimer* timer = Timer(id);
  if (timer == nullptr) {
    return absl::NotFoundError(absl::StrCat("timer ", id, " is not armed"));
  }
  v1::TimerFired e;
  e.set_timer_id(timer->id());
  e.set_kind(timer->kind());
  *e.mutable_due_time() = timer->due();
  e.set_payload(timer->payload());
  const absl::Time due = FromTimestamp(timer->due());
  return Record(e, due, std::max(now_, due));
}

absl::Status PathwayFixture::FireDueTimers(absl::Time until) {
  while (true) {
    const v1::PathwayTimer* next = nullptr;
    for (const v1::PathwayTimer& t : state_.armed_timers()) {
      if (FromTimestamp(t.due()) > until) continue;
      if (next == nullptr ||
          FromTimestamp(t.due()) < FromTimestamp(next->due())) {
        next = &t;
      }
    }
    if (next == nullptr) break;
    RP_RETURN_IF_ERROR(FireTimer(std::string(next->id())));
  }
  now_ = std::max(now_, until);
  return absl::OkStatus();
}

absl::Status PathwayFixture::CompleteTask(absl::string_view id,
                                          absl::string_view outcome) {
  v1::TaskCompleted e;
  e.set_task_id(std::string(id));
  e.set_outcome(std::string(outcome));
  e.set_worker("worker-1");
  // As the task queue records it: the causation names the task, which is how
  // the engine knows to close it.
  v1::EventEnvelope envelope;
  envelope.set_causation_id(absl::StrCat("task:", id));
  return Record(e, now_, std::nullopt, std::move(envelope));
}

const v1::PathwayTask* PathwayFixture::TaskByKey(absl::string_view key) const {
  for (const v1::PathwayTask& t : state_.open_tasks()) {
    if (t.key() == key) return &t;
  }
  return nullptr;
}

const v1::PathwayTask* PathwayFixture::TaskOfKind(
    absl::string_view kind) const {
  for (const v1::PathwayTask& t : state_.open_tasks()) {
    if (t.kind() == kind) return &t;
  }
  return nullptr;
}

int PathwayFixture::TasksOfKind(absl::string_view kind) const {
  return static_cast<int>(std::count_if(
      state_.open_tasks().begin(), state_.open_tasks().end(),
      [&](const v1::PathwayTask& t) { return t.kind() == kind; }));
}

const v1::PathwayTimer* PathwayFixture::Timer(absl::string_view id) const {
  for (const v1::PathwayTimer& t : state_.armed_timers()) {
    if (t.id() == id) return &t;
  }
  return nullptr;
}

bool PathwayFixture::Opened(absl::string_view task_id) const {
  return std::any_of(last_.tasks_to_open.begin(), last_.tasks_to_open.end(),
                     [&](const auto& t) { return t.id == task_id; });
}

bool PathwayFixture::Closed(absl::string_view task_id) const {
  return std::find(last_.tasks_to_close.begin(), last_.tasks_to_close.end(),
                   task_id) != last_.tasks_to_close.end();
}

bool PathwayFixture::Armed(absl::string_view timer_id) const {
  return std::any_of(last_.timers_to_arm.begin(), last_.timers_to_arm.end(),
                     [&](const auto& t) { return t.id == timer_id; });
}

bool PathwayFixture::Cancelled(absl::string_view timer_id) const {
  return std::find(last_.timers_to_cancel.begin(), last_.timers_to_cancel.end(),
                   timer_id) != last_.timers_to_cancel.end();
}

std::string OsloDay(absl::Time t) { return FormatDay(OsloDate(t)); }

std::string OsloDay(const google::protobuf::Timestamp& t) {
  return OsloDay(FromTimestamp(t));
}

std::string LastDay(absl::Time due) {
  return OsloDay(due - absl::Nanoseconds(1));
}

std::string LastDay(const google::protobuf::Timestamp& due) {
  return LastDay(FromTimestamp(due));
}

std::string DateText(const v1::Date& date) {
  return IsSet(date) ? FormatDay(StoredDay(date)) : "unset";
}

absl::StatusOr<std::vector<Applied>> FoldLog(
    const std::vector<v1::EventEnvelope>& log, const PolicySet& policies) {
  std::vector<Applied> out;
  v1::PathwayState state;
  const LogLookup lookup(&log);
  for (const v1::EventEnvelope& e : log) {
    RP_ASSIGN_OR_RETURN(Applied applied,
                        ApplyEvent(state, e, policies, lookup));
    state = applied.state;
    out.push_back(std::move(applied));
  }
  return out;
}

}  // namespace returnpath::return_pathway
