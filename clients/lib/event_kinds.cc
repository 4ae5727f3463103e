#include "clients/lib/event_kinds.h"

#include <cstdint>
#include <memory>

#include "absl/strings/str_cat.h"
#include "clients/lib/enum_text.h"
#include "clients/lib/time_text.h"
#include "engine/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "returnpath/v1/policy.pb.h"

namespace returnpath::client {
namespace {

using google::protobuf::DynamicCastToGenerated;
using google::protobuf::Message;

// ---- what the table cannot say ---------------------------------------------

absl::Status FinishRegister(const EventArgs& args, const BuiltEvent*,
                            Message* message) {
  auto* event = DynamicCastToGenerated<v1::PersonRegistered>(message);
  event->set_person_id(args.Get("person"));
  for (const std::string& member : args.GetAll("member")) {
    const size_t colon = member.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--member: '", member, "' is not PERSON:BORN, e.g. C-17:2012-04-01"));
    }
    v1::HouseholdMember* entry = event->add_household_members();
    entry->set_person_id(member.substr(0, colon));
    absl::StatusOr<v1::Date> born = ParseDate(member.substr(colon + 1));
    if (!born.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--member: ", born.status().message()));
    }
    *entry->mutable_date_of_birth() = *born;
  }
  return absl::OkStatus();
}

absl::Status FinishDeparture(const EventArgs&, const BuiltEvent*,
                             Message* message) {
  auto* event = DynamicCastToGenerated<v1::Departed>(message);
  if (!event->has_forced_return_support()) return absl::OkStatus();
  if (event->kind() != v1::DEPARTURE_KIND_FORCED) {
    return absl::InvalidArgumentError(
        "--support-programme, --cash and --in-kind are for forced returns "
        "only");
  }
  v1::ForcedReturnSupportPaid* support = event->mutable_forced_return_support();
  if (support->programme().empty()) support->set_programme("PRAN");
  return absl::OkStatus();
}

absl::Status FinishCorrection(const EventArgs& args,
                              const BuiltEvent* replacement, Message* message) {
  if (replacement == nullptr) {
    return absl::InvalidArgumentError(
        "a correction needs the corrected event after --, e.g. "
        "`record correction --person P --position 7 --reason typo -- "
        "first-rejection "
        "--notified 2026-03-03`");
  }
  auto* event = DynamicCastToGenerated<v1::EventCorrected>(message);
  *event->mutable_replacement() = replacement->event;
  if (args.Has("corrected-effective")) {
    absl::StatusOr<absl::Time> time =
        ParseTime(args.Get("corrected-effective"));
    if (!time.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--corrected-effective: ", time.status().message()));
    }
    *event->mutable_effective_time() = ToTimestamp(*time);
  } else if (replacement->legal_date.has_value()) {
    *event->mutable_effective_time() =
        ToTimestamp(StartOfDay(*replacement->legal_date));
  }
  return absl::OkStatus();
}

// ---- the table --------------------------------------------------------------

EventArgSpec Required(std::string name, std::string value_name,
                      std::string help, std::string field) {
  EventArgSpec spec{std::move(name), std::move(value_name), std::move(help)};
  spec.required = true;
  spec.field = std::move(field);
  return spec;
}
EventArgSpec Optional(std::string name, std::string value_name,
                      std::string help, std::string field) {
  EventArgSpec spec = Required(std::move(name), std::move(value_name),
                               std::move(help), std::move(field));
  spec.required = false;
  return spec;
}
EventArgSpec Repeated(std::string name, std::string value_name,
                      std::string help, std::string field) {
  EventArgSpec spec = Optional(std::move(name), std::move(value_name),
                               std::move(help), std::move(field));
  spec.repeated = true;
  return spec;
}
EventArgSpec Switch(std::string name, std::string help, std::string field) {
  return Optional(std::move(name), "", std::move(help), std::move(field));
}
EventArgSpec CountryCode(EventArgSpec spec) {
  spec.country = true;
  return spec;
}
EventArgSpec Aliased(EventArgSpec spec, std::vector<EnumAlias> aliases) {
  spec.aliases = std::move(aliases);
  return spec;
}
EventArgSpec Otherwise(EventArgSpec spec, std::string text) {
  spec.otherwise = std::move(text);
  return spec;
}

std::vector<EventArgSpec> FlagSwitches() {
  return {Switch("unaccompanied-minor", "an unaccompanied minor",
                 "flags.unaccompanied_minor"),
          Switch("dublin", "a Dublin case", "flags.dublin_case"),
          Switch("serious-illness", "serious illness",
                 "flags.serious_illness"),
          Switch("trafficking-victim", "a victim of trafficking",
                 "flags.trafficking_victim"),
          Switch("identity-unclarified", "identity not clarified",
                 "flags.identity_unclarified")};
}

std::vector<EventArgSpec> Concat(std::vector<EventArgSpec> a,
                                 std::vector<EventArgSpec> b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string Choices(const google::protobuf::EnumDescriptor* type) {
  return EnumChoices(type, EnumPrefix(type));
}

std::vector<EventKind> MakeKinds() {
  const std::string regions = Choices(v1::Region_descriptor());
  const std::string region_help = absl::StrCat("UDI region: ", regions);
  const std::string optional_region_help =
      absl::StrCat("new UDI region (", regions, "); default: unchanged");
  std::vector<EventKind> kinds = {
      {"register", "returnpath.v1.PersonRegistered",
       "register a resident: the first event of a person's pathway",
       Concat(
           {Required("household", "ID", "household id (families move together)",
                     "household_id"),
            Required("born", "DATE", "date of birth, e.g. 1990-05-01",
                     "date_of_birth"),
            CountryCode(Required("nationality", "CC",
                                 "ISO 3166 country code, e.g. AF",
                                 "nationality")),
            Required("centre", "CENTRE", "current reception centre",
                     "reception_centre"),
            Required("region", "REGION", region_help, "region")},
           Concat(
               FlagSwitches(),
               {Repeated("member", "PERSON:BORN",
                         "a household member and date of birth, e.g. "
                         "C-17:2012-04-01",
                         ""),
                Optional("role", "ROLE",
                         absl::StrCat("place in the household: ",
                                      Choices(v1::HouseholdRole_descriptor())),
                         "household_role"),
                Repeated("guardian", "PERSON",
                         "a guardian registered before them in the same "
                         "household: a child's (the child follows their "
                         "decisions), or a guardian's co-guardian (they share "
                         "the household's tasks)",
                         "guardian_ids"),
                Switch("own-case",
                       "a child with a case of their own (follows no "
                       "guardian)",
                       "own_case")})),
       false, "", FinishRegister},
      {"first-rejection",
       "returnpath.v1.FirstRejection",
       "the Directorate's first rejection, notified on a date (opens the "
       "appeal window)",
       {Required("notified", "DATE", "the date the person was notified",
                 "notified_on"),
        Optional("decision", "REF", "decision reference",
                 "decision_reference")},
       false,
       "notified"},
      {"appeal",
       "returnpath.v1.AppealLodged",
       "an appeal lodged within the appeal window",
       {Required("lodged", "DATE", "the date the appeal was lodged",
                 "lodged_on"),
        Switch("deferred-implementation",
               "deferred implementation granted (utsatt iverksettelse); "
               "without it the "
               "rejection is final at once",
               "deferred_implementation")},
       false,
       "lodged"},
      {"appeal-waived",
       "returnpath.v1.AppealWaived",
       "the person waived the right to appeal the first rejection (it is "
       "final at once)",
       {Required("waived", "DATE", "the date the person waived the appeal",
                 "waived_on")},
       false,
       "waived"},
      {"appeal-decided",
       "returnpath.v1.AppealDecided",
       "the Immigration Appeals Board (UNE) decided the appeal",
       {Aliased(Required("outcome", "OUTCOME",
                         absl::StrCat("the decision: ",
                                      Choices(v1::AppealOutcome_descriptor())),
                         "outcome"),
                {{"permit", "APPEAL_OUTCOME_GRANTED"}}),
        Required("notified", "DATE", "the date the person was notified",
                 "notified_on"),
        Optional("deadline-days", "N",
                 "departure deadline in days; default: the policy's",
                 "departure_deadline_days"),
        Optional("decision", "REF", "decision reference",
                 "decision_reference")},
       false,
       "notified"},
      {"final-rejection",
       "returnpath.v1.FinalRejection",
       "a final rejection with its departure deadline (utreisefrist)",
       {Required("notified", "DATE", "the date the person was notified",
                 "notified_on"),
        Optional(
            "deadline-days", "N",
            "departure deadline in days (7-30); default: the policy's (21)",
            "departure_deadline_days"),
        Aliased(
            Optional("basis", "BASIS",
                     absl::StrCat("why it is final: ",
                                  Choices(v1::FinalRejectionBasis_descriptor()),
                                  " (or une)"),
                     "basis"),
            {{"une", "FINAL_REJECTION_BASIS_REJECTED_BY_UNE"}}),
        Optional("decision", "REF", "decision reference",
                 "decision_reference")},
       false,
       "notified"},
      {"departure-deadline",
       "returnpath.v1.DepartureDeadlineSet",
       "a new departure deadline notified to the person",
       {Required("notified", "DATE", "the date the person was notified",
                 "notified_on"),
        Optional("days", "N", "length in days; default: the policy's", "days"),
        Optional("reason", "TEXT", "why", "reason")},
       false,
       "notified"},
      {"deadline-suspended",
       "returnpath.v1.DepartureDeadlineSuspended",
       "the departure deadline stops running until a new one is set",
       {Required("reason", "TEXT", "why", "reason")}},
      {"relocation-ordered",
       "returnpath.v1.RelocationOrdered",
       "the Directorate decided which return centre the person moves to",
       {Required("to", "CENTRE", "the return centre", "return_centre")}},
      {"relocated",
       "returnpath.v1.RelocationCompleted",
       "the person moved to a return centre",
       {Required("to", "CENTRE", "the return centre", "return_centre"),
        Optional("region", "REGION", optional_region_help, "region")}},
      {"iom-application",
       "returnpath.v1.IomApplicationSubmitted",
       "an application for assisted voluntary return through IOM (the tier is "
       "computed)",
       {Aliased(Required("programme", "PROGRAMME",
                         absl::StrCat("IOM programme: ",
                                      Choices(v1::IomProgramme_descriptor())),
                         "programme"),
                {{"general", "IOM_PROGRAMME_VARP"}}),
        Optional("iom-ref", "REF", "IOM's reference", "iom_reference")}},
      {"iom-approved",
       "returnpath.v1.IomApplicationApproved",
       "IOM approved the application",
       {Optional("iom-ref", "REF", "IOM's reference", "iom_reference")}},
      {"iom-withdrawn",
       "returnpath.v1.IomApplicationWithdrawn",
       "the application for assisted return was withdrawn",
       {Optional("reason", "TEXT", "why", "reason")}},
      {"iom-refused",
       "returnpath.v1.IomApplicationRefused",
       "IOM refused the application for assisted return",
       {Optional("iom-ref", "REF", "IOM's reference", "iom_reference"),
        Optional("reason", "TEXT", "IOM's reason", "reason")}},
      {"travel-document",
       "returnpath.v1.TravelDocumentObtained",
       "a travel document was obtained",
       {Otherwise(Optional("document", "KIND",
                           "passport (default), laissez-passer, ...",
                           "document_kind"),
                  "passport"),
        CountryCode(Optional("country", "CC", "issuing country, e.g. AF",
                             "issuing_country"))}},
      {"departure",
       "returnpath.v1.Departed",
       "the person left Norway (terminal)",
       {Aliased(Required("kind", "KIND",
                         absl::StrCat(
                             "how: ", Choices(v1::DepartureKind_descriptor()),
                             " (or assisted, dublin)"),
                         "kind"),
                {{"assisted", "DEPARTURE_KIND_ASSISTED_VOLUNTARY"},
                 {"voluntary", "DEPARTURE_KIND_ASSISTED_VOLUNTARY"},
                 {"dublin", "DEPARTURE_KIND_DUBLIN_TRANSFER"}}),
        CountryCode(Optional("to", "CC", "destination country, e.g. AF",
                             "destination_country")),
        Optional("support-programme", "NAME",
                 "forced returns: support programme (PRAN)",
                 "forced_return_support.programme"),
        Optional("cash", "NOK", "forced returns: cash support paid",
                 "forced_return_support.cash_nok"),
        Optional("in-kind", "NOK", "forced returns: support in kind",
                 "forced_return_support.in_kind_nok")},
       false,
       "",
       FinishDeparture},
      {"permit-granted",
       "returnpath.v1.ResidencePermitGranted",
       "a residence permit was granted: the person leaves the pathway "
       "(terminal)",
       {Optional("kind", "KIND", "kind of permit", "permit_kind")}},
      {"disappeared",
       "returnpath.v1.Disappeared",
       "the person left reception without an address",
       {Optional("note", "TEXT", "what is known", "note")}},
      {"reappeared",
       "returnpath.v1.Reappeared",
       "the person came back",
       {Optional("centre", "CENTRE", "reception centre; default: the same",
                 "reception_centre"),
        Optional("region", "REGION", optional_region_help, "region")}},
      {"case-reopened",
       "returnpath.v1.CaseReopened",
       "the case was reopened: the departure deadline is suspended until a new "
       "decision",
       {Aliased(
            Required("reason", "REASON",
                     absl::StrCat("why: ",
                                  Choices(v1::ReopeningReason_descriptor())),
                     "reason"),
            {{"court", "REOPENING_REASON_COURT_REVIEW"}}),
        Optional("note", "TEXT", "details", "note")}},
      {"course-enrolled",
       "returnpath.v1.QualificationCourseEnrolled",
       "enrolled in a qualification course (never moves a deadline)",
       {Required("course", "ID", "course id", "course_id"),
        Optional("title", "TEXT", "course title", "title")}},
      {"course-completed",
       "returnpath.v1.QualificationCourseCompleted",
       "completed a qualification course",
       {Required("course", "ID", "course id", "course_id")}},
      {"return-conversation",
       "returnpath.v1.ReturnConversationHeld",
       "a return conversation was held",
       {Optional("note", "TEXT", "notes", "note")}},
      {"flags-changed", "returnpath.v1.FlagsChanged",
       "replace the person's flags (give every flag that holds now)",
       Concat(FlagSwitches(), {Required("reason", "TEXT", "why", "reason")})},
      {"moved-centre",
       "returnpath.v1.PersonMovedCentre",
       "moved between ordinary reception centres (not a relocation)",
       {Required("centre", "CENTRE", "the new reception centre",
                 "reception_centre"),
        Optional("region", "REGION", optional_region_help, "region")}},
      {"correction",
       "returnpath.v1.EventCorrected",
       "correct an earlier event: give the right event after --",
       {Required("position", "N",
                 "position of the event to correct (see audit history)",
                 "corrected_position"),
        Required("reason", "TEXT", "why", "reason"),
        Optional(
            "corrected-effective", "TIME",
            "the corrected event's right effective time; default: its date",
            "")},
       true,
       "",
       FinishCorrection},
      {"retraction",
       "returnpath.v1.EventRetracted",
       "declare an earlier event void (it should never have been recorded)",
       {Required("position", "N", "position of the event to retract",
                 "retracted_position"),
        Required("reason", "TEXT", "why", "reason")}},
  };
  return kinds;
}

}  // namespace

const std::vector<EventKind>& EventKinds() {
  static const std::vector<EventKind>* const kinds =
      new std::vector<EventKind>(MakeKinds());
  return *kinds;
}

const EventKind* FindEventKind(absl::string_view name) {
  for (const EventKind& kind : EventKinds()) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

absl::StatusOr<BuiltEvent> BuildEvent(const EventKind& kind,
                                      const EventArgs& args,
                                      const BuiltEvent* replacement) {
  for (const EventArgSpec& spec : kind.args) {
    if (spec.required && !args.Has(spec.name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          kind.name, ": --", spec.name, " is required (", spec.help, ")"));
    }
  }
  if (replacement != nullptr && !kind.takes_replacement) {
    return absl::InvalidArgumentError(
        absl::StrCat(kind.name, " takes no replacement event"));
  }
  const google::protobuf::Descriptor* type =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          kind.message);
  if (type == nullptr) {
    return absl::InternalError(absl::StrCat("no message ", kind.message));
  }
  std::unique_ptr<Message> event(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(type)
          ->New());
  for (const EventArgSpec& spec : kind.args) {
    if (!spec.field.empty()) RP_RETURN_IF_ERROR(FillField(spec, args, event.get()));
  }
  if (kind.finish != nullptr) {
    RP_RETURN_IF_ERROR(kind.finish(args, replacement, event.get()));
  }
  BuiltEvent out;
  out.event.PackFrom(*event);
  if (!kind.legal_date.empty() && args.Has(kind.legal_date)) {
    RP_ASSIGN_OR_RETURN(out.legal_date, ParseDate(args.Get(kind.legal_date)));
  }
  return out;
}

absl::StatusOr<BuiltEvent> BuildEvent(absl::string_view kind,
                                      const EventArgs& args,
                                      const BuiltEvent* replacement) {
  const EventKind* found = FindEventKind(kind);
  if (found == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("no event kind '", kind, "'"));
  }
  return BuildEvent(*found, args, replacement);
}

absl::StatusOr<absl::Time> ResolveEffectiveTime(
    const BuiltEvent& event, std::optional<absl::Time> explicit_time,
    absl::Time now) {
  if (explicit_time.has_value()) {
    if (event.legal_date.has_value() &&
        !SameDate(DateInOslo(*explicit_time), *event.legal_date)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--effective ", TimeText(*explicit_time),
          " (Oslo) is not on the event's date ", DateText(*event.legal_date)));
    }
    return *explicit_time;
  }
  if (event.legal_date.has_value()) return StartOfDay(*event.legal_date);
  return now;
}

void LinkDomainMessages() {
  // Touching one message of each generated file keeps its descriptor (and so
  // its Any type URL) in the binary and in the generated pool.
  static const bool linked = [] {
    return v1::PersonRegistered::descriptor() != nullptr &&
           v1::PathwayState::descriptor() != nullptr &&
           v1::Policy::descriptor() != nullptr &&
           v1::TimerFired::descriptor() != nullptr;
  }();
  (void)linked;
}

}  // namespace returnpath::client
