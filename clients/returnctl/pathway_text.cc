#include "clients/returnctl/pathway_text.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/lib/enum_text.h"
#include "clients/lib/event_text.h"
#include "clients/lib/time_text.h"
#include "clients/returnctl/output.h"
#include "returnpath/v1/pathway_state.pb.h"

namespace returnpath::returnctl {
namespace {

using client::DateText;
using client::EnumText;
using client::IsSet;
using client::TimeText;

std::string Flags(const v1::PersonFlags& flags) {
  std::vector<std::string> set;
  if (flags.unaccompanied_minor()) set.push_back("unaccompanied minor");
  if (flags.dublin_case()) set.push_back("Dublin case");
  if (flags.serious_illness()) set.push_back("serious illness");
  if (flags.trafficking_victim()) set.push_back("trafficking victim");
  if (flags.identity_unclarified()) set.push_back("identity unclarified");
  return set.empty() ? "none" : absl::StrJoin(set, ", ");
}

std::string Region(int region) {
  return EnumText(v1::Region_descriptor(), "REGION_", region);
}

void AddDeadline(const char* name, const v1::Deadline& d, Table* table) {
  if (!IsSet(d.date())) return;
  std::string status = d.met()         ? "met"
                       : d.suspended() ? "suspended"
                       : d.expired()   ? "expired"
                                       : "running";
  if (IsSet(d.unadjusted_date())) {
    absl::StrAppend(&status, "; moved from ", DateText(d.unadjusted_date()),
                    " by the legal calendar");
  }
  table->AddRow(
      {name, DateText(d.date()),
       absl::StrCat(d.days(), " days from ", DateText(d.counted_from())),
       d.rule().empty() ? "-" : d.rule(),
       d.policy_version().empty() ? "-" : d.policy_version(), status});
}

// "; guardian of C-1, C-2 (own case)" or "; child of G-1, following their
// decisions"; "" for a person with no role in a household.
std::string HouseholdRoleText(const v1::PathwayState& state) {
  const v1::PersonRegistered& person = state.person();
  if (person.household_role() == v1::HOUSEHOLD_ROLE_GUARDIAN) {
    std::vector<std::string> children;
    for (const v1::HouseholdMemberJoined& child : state.household()) {
      // The household lists co-guardians and their children too.
      const auto& named = child.guardian_ids();
      if (child.role() != v1::HOUSEHOLD_ROLE_CHILD ||
          std::find(named.begin(), named.end(), person.person_id()) ==
              named.end()) {
        continue;
      }
      children.push_back(absl::StrCat(
          child.person_id(), " (born ", DateText(child.date_of_birth()),
          child.own_case() ? ", own case" : "", ")"));
    }
    return children.empty()
               ? "; guardian"
               : absl::StrCat("; guardian of ", absl::StrJoin(children, ", "));
  }
  if (person.household_role() != v1::HOUSEHOLD_ROLE_CHILD) return "";
  if (person.guardian_ids().empty()) {
    return "; a child with no guardian in the household";
  }
  return absl::StrCat("; child of ", absl::StrJoin(person.guardian_ids(), ", "),
                      person.own_case() ? ", with a case of their own"
                                        : ", following their decisions");
}

void PrintPerson(const v1::PathwayState& state, std::ostream& out) {
  const v1::PersonRegistered& person = state.person();
  std::vector<std::string> members;
  for (const v1::HouseholdMember& member : person.household_members()) {
    members.push_back(absl::StrCat(member.person_id(), " (born ",
                                   DateText(member.date_of_birth()), ")"));
  }
  out << "  household    "
      << (person.household_id().empty() ? "-" : person.household_id());
  if (!members.empty()) out << "; members " << absl::StrJoin(members, ", ");
  out << HouseholdRoleText(state);
  out << "\n  born         " << DateText(person.date_of_birth())
      << ", nationality "
      << (person.nationality().empty() ? "-" : person.nationality()) << "\n";
  const v1::Residence& residence = state.residence();
  out << "  residence    "
      << (residence.reception_centre().empty() ? person.reception_centre()
                                               : residence.reception_centre())
      << ", region "
      << Region(residence.region() != 0 ? residence.region() : person.region());
  if (residence.at_return_centre()) out << "; at a return centre";
  if (!residence.relocation_ordered_to().empty()) {
    out << "; relocation ordered to " << residence.relocation_ordered_to();
  }
  if (residence.place_released()) out << "; reception place released";
  out << "\n  flags        " << Flags(person.flags()) << "\n";
  if (state.whereabouts_unknown()) {
    out << "  whereabouts  UNKNOWN since " << DateText(state.disappeared_on())
        << " (disappeared)\n";
  }
}

void PrintDecisions(const v1::PathwayState& state, std::ostream& out) {
  std::vector<std::string> lines;
  if (IsSet(state.appeal().lodged_on())) {
    const v1::AppealRecord& a = state.appeal();
    std::string line = absl::StrCat("appeal lodged ", DateText(a.lodged_on()),
                                    a.deferred_implementation()
                                        ? ", deferred implementation granted"
                                        : ", no deferred implementation");
    if (a.pending()) absl::StrAppend(&line, "; pending");
    if (a.outcome() != v1::APPEAL_OUTCOME_UNSPECIFIED) {
      absl::StrAppend(&line, "; ",
                      EnumText(v1::AppealOutcome_descriptor(),
                               "APPEAL_OUTCOME_", a.outcome()),
                      " ", DateText(a.decided_on()));
    }
    lines.push_back(line);
  }
  if (IsSet(state.final_rejection().notified_on())) {
    const v1::FinalRejectionRecord& f = state.final_rejection();
    std::string line = absl::StrCat(
        "final rejection notified ", DateText(f.notified_on()), ", ",
        EnumText(v1::FinalRejectionBasis_descriptor(), "FINAL_REJECTION_BASIS_",
                 f.basis()));
    if (f.derived_at_version() != 0) {
      absl::StrAppend(&line,
                      " (derived when the appeal window closed, version ",
                      f.derived_at_version(), ")");
    }
    if (!f.relocation_exemption().empty()) {
      absl::StrAppend(&line,
                      "; exempt from relocation: ", f.relocation_exemption());
    }
    lines.push_back(line);
  }
  if (state.has_iom() && IsSet(state.iom().applied_on())) {
    const v1::IomApplicationRecord& iom = state.iom();
    std::string line = absl::StrCat(
        "IOM application ",
        EnumText(v1::IomProgramme_descriptor(), "IOM_PROGRAMME_",
                 iom.programme()),
        iom.iom_reference().empty() ? ""
                                    : absl::StrCat(" ", iom.iom_reference()),
        " applied ", DateText(iom.applied_on()),
        iom.pending() ? ", pending" : "", iom.approved() ? ", approved" : "",
        IsSet(iom.closed_on())
            ? absl::StrCat(iom.refused() ? ", refused " : ", closed ",
                           DateText(iom.closed_on()))
            : "");
    if (iom.tier_rank() != 0) {
      absl::StrAppend(&line, "; support tier ", iom.tier_rank(), ": ",
                      Money(iom.support_nok()), " (policy ",
                      iom.tier_policy_version());
      if (IsSet(iom.reference_deadline())) {
        const int days = iom.days_after_deadline();
        absl::StrAppend(&line, "; ", days < 0 ? -days : days,
                        days < 0 ? " days before" : " days after",
                        " the departure deadline ",
                        DateText(iom.reference_deadline()));
      } else {
        absl::StrAppend(&line, "; before any departure deadline");
      }
      absl::StrAppend(&line, ")");
    }
    lines.push_back(line);
  }
  if (state.travel_document_obtained())
    lines.push_back("travel document obtained");
  for (const v1::CourseRecord& course : state.courses()) {
    lines.push_back(absl::StrCat(
        "qualification course ", course.course_id(),
        course.title().empty() ? "" : absl::StrCat(" \"", course.title(), "\""),
        " enrolled ", DateText(course.enrolled_on()),
        IsSet(course.completed_on())
            ? absl::StrCat(", completed ", DateText(course.completed_on()))
            : ""));
  }
  if (state.return_conversations_held() > 0) {
    lines.push_back(absl::StrCat("return conversations held: ",
                                 state.return_conversations_held()));
  }
  if (IsSet(state.reopened_on())) {
    lines.push_back(
        absl::StrCat("case reopened ", DateText(state.reopened_on())));
  }
  if (state.departure().kind() != v1::DEPARTURE_KIND_UNSPECIFIED) {
    const v1::DepartureRecord& d = state.departure();
    std::string line = absl::StrCat(
        "departed ", DateText(d.departed_on()), ": ",
        EnumText(v1::DepartureKind_descriptor(), "DEPARTURE_KIND_", d.kind()),
        d.destination_country().empty()
            ? ""
            : absl::StrCat(" to ", d.destination_country()));
    if (d.has_forced_return_support()) {
      const v1::ForcedReturnSupportPaid& s = d.forced_return_support();
      absl::StrAppend(&line, "; ", s.programme(), " support ",
                      Money(s.cash_nok()), " cash, ", Money(s.in_kind_nok()),
                      " in kind");
    }
    lines.push_back(line);
  }
  if (IsSet(state.terminal_on())) {
    lines.push_back(
        absl::StrCat("pathway ended ", DateText(state.terminal_on())));
  }
  if (lines.empty()) return;
  out << "\nDecisions and steps\n";
  for (const std::string& line : lines) out << "  " << line << "\n";
}

std::vector<v1::Task> StateTasks(const v1::PathwayState& state) {
  std::vector<v1::Task> tasks;
  for (const v1::PathwayTask& t : state.open_tasks()) {
    v1::Task task;
    task.set_id(t.id());
    task.set_stream_id(state.person_id());
    task.set_queue(t.queue());
    task.set_kind(t.kind());
    task.set_title(t.title());
    *task.mutable_due_time() = t.due();
    task.set_priority(t.priority());
    task.set_state(v1::TASK_STATE_OPEN);
    task.set_rule(t.rule());
    task.set_policy_version(t.policy_version());
    tasks.push_back(std::move(task));
  }
  return tasks;
}

}  // namespace

std::string StageText(int stage) {
  return EnumText(v1::Stage_descriptor(), "STAGE_", stage);
}

std::string StageOf(const v1::PathwayView& view) {
  v1::PathwayState state;
  if (!view.state().UnpackTo(&state)) return "-";
  return StageText(state.stage());
}

std::string EffectiveText(const google::protobuf::Timestamp& time) {
  const absl::Time t = client::FromTimestamp(time);
  if (t == client::StartOfDay(client::DateInOslo(t))) {
    return DateText(client::DateInOslo(t));
  }
  return TimeText(t);
}

std::string DueText(const google::protobuf::Timestamp& time) {
  const absl::Time t = client::FromTimestamp(time);
  if (time.seconds() != 0 && t == client::StartOfDay(client::DateInOslo(t))) {
    const absl::CivilDay day = absl::ToCivilDay(t, client::OsloTimeZone()) - 1;
    v1::Date date;
    date.set_year(static_cast<int32_t>(day.year()));
    date.set_month(day.month());
    date.set_day(day.day());
    return absl::StrCat("by ", DateText(date));
  }
  return absl::StrCat("by ", TimeText(time));
}

std::string TaskDueText(const v1::Task& task) {
  if (task.state() != v1::TASK_STATE_PAUSED) return DueText(task.due_time());
  const absl::Duration left = client::FromTimestamp(task.due_time()) -
                              client::FromTimestamp(task.paused_time());
  const int64_t days = absl::ToInt64Hours(left) / 24;
  if (left < absl::ZeroDuration()) {
    return absl::StrCat("paused, ", -days, -days == 1 ? " day" : " days",
                        " overdue");
  }
  return absl::StrCat("paused, ", days, days == 1 ? " day" : " days", " left");
}

void PrintTasks(const std::vector<v1::Task>& tasks, std::ostream& out,
                const std::string& indent) {
  Table table({"PERSON", "TASK", "KIND", "QUEUE", "DUE", "PRI", "STATE", "RULE",
               "TITLE"});
  for (const v1::Task& task : tasks) {
    std::string state =
        EnumText(v1::TaskState_descriptor(), "TASK_STATE_", task.state());
    if (task.state() == v1::TASK_STATE_LEASED && !task.lease_owner().empty()) {
      absl::StrAppend(&state, " by ", task.lease_owner());
    }
    if (!task.outcome().empty())
      absl::StrAppend(&state, " (", task.outcome(), ")");
    if (!task.last_error().empty()) {
      absl::StrAppend(&state, " after ", task.attempts(),
                      " attempts: ", task.last_error());
    }
    table.AddRow({task.stream_id(), task.id(), task.kind(), task.queue(),
                  TaskDueText(task), absl::StrCat(task.priority()), state,
                  task.rule().empty() ? "-" : task.rule(), task.title()});
  }
  table.Print(out, indent);
}

void PrintMoves(const v1::PathwayState& state, size_t limit,
                std::ostream& out) {
  std::vector<const v1::HistoryEntry*> moved;
  for (const v1::HistoryEntry& entry : state.history()) {
    if (entry.moved_size() > 0) moved.push_back(&entry);
  }
  if (moved.empty()) return;
  const size_t skip =
      limit == 0 || moved.size() <= limit ? 0 : moved.size() - limit;
  out << "\nWhat later events moved (recorded late, corrected, or closing "
         "what staff held)\n";
  if (skip > 0) {
    out << "  (" << skip
        << " earlier events moved something: see returnctl audit history)\n";
  }
  for (size_t i = skip; i < moved.size(); ++i) {
    const v1::HistoryEntry& entry = *moved[i];
    for (const std::string& line : entry.moved()) {
      out << "  version " << entry.version() << ", recorded "
          << TimeText(entry.recorded_time()) << ": " << line << "\n";
    }
  }
}

// What the event was and, for one another person's event caused, which.
std::string EventText(const v1::EventEnvelope& e) {
  const std::string cause = client::CausedBy(e);
  std::string what = client::DescribeEvent(e.payload());
  // Its sealed fields read empty once the person was erased.
  if (e.erased()) absl::StrAppend(&what, " [personal fields erased]");
  return cause.empty() ? what : absl::StrCat(what, " (", cause, ")");
}

void PrintTimeline(const std::vector<v1::EventEnvelope>& events,
                   bool with_person, std::ostream& out) {
  std::vector<std::string> headers = {"POS",      "VER",       "EFFECTIVE",
                                      "RECORDED", "PRINCIPAL", "POLICY",
                                      "HASH",     "EVENT"};
  if (with_person) headers.insert(headers.begin() + 1, "PERSON");
  Table table(headers);
  for (const v1::EventEnvelope& e : events) {
    std::vector<std::string> row = {
        absl::StrCat(e.position()),
        absl::StrCat(e.stream_version()),
        EffectiveText(e.effective_time()),
        TimeText(e.recorded_time()),
        e.principal().empty() ? "-" : e.principal(),
        e.policy_version().empty() ? "-" : e.policy_version(),
        client::ShortHash(e.hash()),
        EventText(e)};
    if (with_person) row.insert(row.begin() + 1, e.stream_id());
    table.AddRow(std::move(row));
  }
  table.Print(out);
}

void PrintPathway(const v1::PathwayView& view, std::ostream& out) {
  v1::PathwayState state;
  const bool known = view.state().UnpackTo(&state);
  out << view.person_id() << "  stage "
      << (known ? StageText(state.stage()) : "?")
      << (known && state.whereabouts_unknown() ? " (whereabouts unknown)" : "")
      << "  (version " << view.version() << ", last position "
      << view.last_position() << ")\n";
  if (!known) {
    out << "  state: "
        << (view.state().type_url().empty() ? "(untyped)"
                                            : view.state().type_url())
        << " (use --json)\n";
  } else {
    PrintPerson(state, out);
    Table deadlines({"DEADLINE", "DATE", "RUNS", "RULE", "POLICY", "STATUS"});
    AddDeadline("appeal window", state.appeal_window(), &deadlines);
    AddDeadline("departure deadline", state.departure_deadline(), &deadlines);
    out << "\nDeadlines\n";
    if (deadlines.empty()) {
      out << "  none\n";
    } else {
      deadlines.Print(out, "  ");
    }
    if (IsSet(state.first_departure_deadline()) &&
        !client::SameDate(state.first_departure_deadline(),
                          state.departure_deadline().date())) {
      out << "  first departure deadline ever set: "
          << DateText(state.first_departure_deadline()) << "\n";
    }
    PrintDecisions(state, out);
    PrintMoves(state, 10, out);
  }
  std::vector<v1::Task> tasks(view.open_tasks().begin(),
                              view.open_tasks().end());
  if (tasks.empty() && known) tasks = StateTasks(state);
  out << "\nOpen tasks\n";
  if (tasks.empty()) {
    out << "  none\n";
  } else {
    PrintTasks(tasks, out, "  ");
  }
  if (view.timers_size() > 0) {
    out << "\nTimers\n";
    Table timers({"TIMER", "KIND", "DUE"});
    for (const v1::Timer& timer : view.timers()) {
      timers.AddRow({timer.id(), timer.kind(), TimeText(timer.due_time())});
    }
    timers.Print(out, "  ");
  } else if (known && state.armed_timers_size() > 0) {
    out << "\nTimers\n";
    Table timers({"TIMER", "KIND", "DUE"});
    for (const v1::PathwayTimer& timer : state.armed_timers()) {
      timers.AddRow({timer.id(), timer.kind(), TimeText(timer.due())});
    }
    timers.Print(out, "  ");
  }
}

}  // namespace returnpath::returnctl
