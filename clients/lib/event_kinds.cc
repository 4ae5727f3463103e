#include "clients/lib/event_kinds.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/lib/enum_text.h"
#include "clients/lib/time_text.h"
#include "engine/status_macros.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "returnpath/v1/policy.pb.h"

namespace returnpath::client {

EventArgs::EventArgs(
    std::initializer_list<std::pair<std::string, std::string>> values) {
  for (const auto& [name, value] : values) Add(name, value);
}

void EventArgs::Add(absl::string_view name, absl::string_view value) {
  values_[name].emplace_back(value);
}

bool EventArgs::Has(absl::string_view name) const {
  return values_.contains(name);
}

std::string EventArgs::Get(absl::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? "" : it->second.back();
}

std::vector<std::string> EventArgs::GetAll(absl::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>() : it->second;
}

namespace {

// ---- argument readers -------------------------------------------------------

absl::Status Prefixed(absl::string_view name, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::InvalidArgumentError(
      absl::StrCat("--", name, ": ", status.message()));
}

// Reads an optional date; the first date read is the event's legal date.
absl::Status ReadDate(const EventArgs& args, absl::string_view name,
                      v1::Date* out, BuiltEvent* built) {
  if (!args.Has(name)) return absl::OkStatus();
  absl::StatusOr<v1::Date> date = ParseDate(args.Get(name));
  if (!date.ok()) return Prefixed(name, date.status());
  *out = *date;
  if (built != nullptr && !built->legal_date.has_value())
    built->legal_date = *date;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ReadInt(const EventArgs& args, absl::string_view name) {
  if (!args.Has(name)) return 0;
  int64_t value = 0;
  if (!absl::SimpleAtoi(args.Get(name), &value) || value < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", name, ": '", args.Get(name), "' is not a whole number >= 0"));
  }
  return value;
}

// ISO 3166-1 alpha-2, upper-cased.
absl::StatusOr<std::string> ReadCountry(const EventArgs& args,
                                        absl::string_view name) {
  if (!args.Has(name)) return std::string();
  std::string code = absl::AsciiStrToUpper(args.Get(name));
  if (code.size() != 2 || !absl::ascii_isalpha(code[0]) ||
      !absl::ascii_isalpha(code[1])) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": '", args.Get(name),
                     "' is not a two-letter country code like AF"));
  }
  return code;
}

absl::StatusOr<v1::Region> ReadRegion(const EventArgs& args,
                                      absl::string_view name) {
  if (!args.Has(name)) return v1::REGION_UNSPECIFIED;
  RP_ASSIGN_OR_RETURN(int value, ParseEnum(v1::Region_descriptor(), "REGION_",
                                           args.Get(name), name));
  return static_cast<v1::Region>(value);
}

void ReadFlags(const EventArgs& args, v1::PersonFlags* flags) {
  flags->set_unaccompanied_minor(args.Has("unaccompanied-minor"));
  flags->set_dublin_case(args.Has("dublin"));
  flags->set_serious_illness(args.Has("serious-illness"));
  flags->set_trafficking_victim(args.Has("trafficking-victim"));
  flags->set_identity_unclarified(args.Has("identity-unclarified"));
}

template <typename Message>
absl::Status Pack(const Message& message, BuiltEvent* out) {
  out->event.PackFrom(message);
  return absl::OkStatus();
}

// ---- builders ---------------------------------------------------------------

absl::Status BuildRegister(const EventArgs& args, const BuiltEvent*,
                           BuiltEvent* out) {
  v1::PersonRegistered event;
  event.set_person_id(args.Get("person"));
  event.set_household_id(args.Get("household"));
  RP_RETURN_IF_ERROR(
      ReadDate(args, "born", event.mutable_date_of_birth(), nullptr));
  RP_ASSIGN_OR_RETURN(std::string nationality,
                      ReadCountry(args, "nationality"));
  event.set_nationality(nationality);
  event.set_reception_centre(args.Get("centre"));
  RP_ASSIGN_OR_RETURN(v1::Region region, ReadRegion(args, "region"));
  event.set_region(region);
  ReadFlags(args, event.mutable_flags());
  if (args.Has("role")) {
    RP_ASSIGN_OR_RETURN(
        int role, ParseEnum(v1::HouseholdRole_descriptor(), "HOUSEHOLD_ROLE_",
                            args.Get("role"), "role"));
    event.set_household_role(static_cast<v1::HouseholdRole>(role));
  }
  for (const std::string& guardian : args.GetAll("guardian")) {
    event.add_guardian_ids(guardian);
  }
  event.set_own_case(args.Has("own-case"));
  for (const std::string& member : args.GetAll("member")) {
    const size_t colon = member.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--member: '", member, "' is not PERSON:BORN, e.g. C-17:2012-04-01"));
    }
    v1::HouseholdMember* entry = event.add_household_members();
    entry->set_person_id(member.substr(0, colon));
    absl::StatusOr<v1::Date> born = ParseDate(member.substr(colon + 1));
    if (!born.ok()) return Prefixed("member", born.status());
    *entry->mutable_date_of_birth() = *born;
  }
  return Pack(event, out);
}

absl::Status BuildFirstRejection(const EventArgs& args, const BuiltEvent*,
                                 BuiltEvent* out) {
  v1::FirstRejection event;
  RP_RETURN_IF_ERROR(
      ReadDate(args, "notified", event.mutable_notified_on(), out));
  event.set_decision_reference(args.Get("decision"));
  return Pack(event, out);
}

absl::Status BuildAppeal(const EventArgs& args, const BuiltEvent*,
                         BuiltEvent* out) {
  v1::AppealLodged event;
  RP_RETURN_IF_ERROR(ReadDate(args, "lodged", event.mutable_lodged_on(), out));
  event.set_deferred_implementation(args.Has("deferred-implementation"));
  return Pack(event, out);
}

absl::Status BuildAppealWaived(const EventArgs& args, const BuiltEvent*,
                               BuiltEvent* out) {
  v1::AppealWaived event;
  RP_RETURN_IF_ERROR(ReadDate(args, "waived", event.mutable_waived_on(), out));
  return Pack(event, out);
}

absl::Status BuildAppealDecided(const EventArgs& args, const BuiltEvent*,
                                BuiltEvent* out) {
  v1::AppealDecided event;
  RP_ASSIGN_OR_RETURN(
      int outcome, ParseEnum(v1::AppealOutcome_descriptor(), "APPEAL_OUTCOME_",
                             args.Get("outcome"), "outcome",
                             {{"permit", "APPEAL_OUTCOME_GRANTED"}}));
  event.set_outcome(static_cast<v1::AppealOutcome>(outcome));
  RP_RETURN_IF_ERROR(
      ReadDate(args, "notified", event.mutable_notified_on(), out));
  RP_ASSIGN_OR_RETURN(int64_t days, ReadInt(args, "deadline-days"));
  event.set_departure_deadline_days(static_cast<int32_t>(days));
  event.set_decision_reference(args.Get("decision"));
  return Pack(event, out);
}

absl::Status BuildFinalRejection(const EventArgs& args, const BuiltEvent*,
                                 BuiltEvent* out) {
  v1::FinalRejection event;
  RP_RETURN_IF_ERROR(
      ReadDate(args, "notified", event.mutable_notified_on(), out));
  RP_ASSIGN_OR_RETURN(int64_t days, ReadInt(args, "deadline-days"));
  event.set_departure_deadline_days(static_cast<int32_t>(days));
  if (args.Has("basis")) {
    RP_ASSIGN_OR_RETURN(
        int basis,
        ParseEnum(v1::FinalRejectionBasis_descriptor(),
                  "FINAL_REJECTION_BASIS_", args.Get("basis"), "basis",
                  {{"une", "FINAL_REJECTION_BASIS_REJECTED_BY_UNE"}}));
    event.set_basis(static_cast<v1::FinalRejectionBasis>(basis));
  }
  event.set_decision_reference(args.Get("decision"));
  return Pack(event, out);
}

absl::Status BuildDeadlineSet(const EventArgs& args, const BuiltEvent*,
                              BuiltEvent* out) {
  v1::DepartureDeadlineSet event;
  RP_RETURN_IF_ERROR(
      ReadDate(args, "notified", event.mutable_notified_on(), out));
  RP_ASSIGN_OR_RETURN(int64_t days, ReadInt(args, "days"));
  event.set_days(static_cast<int32_t>(days));
  event.set_reason(args.Get("reason"));
  return Pack(event, out);
}

absl::Status BuildDeadlineSuspended(const EventArgs& args, const BuiltEvent*,
                                    BuiltEvent* out) {
  v1::DepartureDeadlineSuspended event;
  event.set_reason(args.Get("reason"));
  return Pack(event, out);
}

absl::Status BuildRelocationOrdered(const EventArgs& args, const BuiltEvent*,
                                    BuiltEvent* out) {
  v1::RelocationOrdered event;
  event.set_return_centre(args.Get("to"));
  return Pack(event, out);
}

absl::Status BuildRelocated(const EventArgs& args, const BuiltEvent*,
                            BuiltEvent* out) {
  v1::RelocationCompleted event;
  event.set_return_centre(args.Get("to"));
  RP_ASSIGN_OR_RETURN(v1::Region region, ReadRegion(args, "region"));
  event.set_region(region);
  return Pack(event, out);
}

absl::Status BuildIomApplication(const EventArgs& args, const BuiltEvent*,
                                 BuiltEvent* out) {
  v1::IomApplicationSubmitted event;
  RP_ASSIGN_OR_RETURN(int programme,
                      ParseEnum(v1::IomProgramme_descriptor(), "IOM_PROGRAMME_",
                                args.Get("programme"), "programme",
                                {{"general", "IOM_PROGRAMME_VARP"}}));
  event.set_programme(static_cast<v1::IomProgramme>(programme));
  event.set_iom_reference(args.Get("iom-ref"));
  return Pack(event, out);
}

absl::Status BuildIomApproved(const EventArgs& args, const BuiltEvent*,
                              BuiltEvent* out) {
  v1::IomApplicationApproved event;
  event.set_iom_reference(args.Get("iom-ref"));
  return Pack(event, out);
}

absl::Status BuildIomWithdrawn(const EventArgs& args, const BuiltEvent*,
                               BuiltEvent* out) {
  v1::IomApplicationWithdrawn event;
  event.set_reason(args.Get("reason"));
  return Pack(event, out);
}

absl::Status BuildIomRefused(const EventArgs& args, const BuiltEvent*,
                             BuiltEvent* out) {
  v1::IomApplicationRefused event;
  event.set_iom_reference(args.Get("iom-ref"));
  event.set_reason(args.Get("reason"));
  return Pack(event, out);
}

absl::Status BuildTravelDocument(const EventArgs& args, const BuiltEvent*,
                                 BuiltEvent* out) {
  v1::TravelDocumentObtained event;
  event.set_document_kind(args.Has("document") ? args.Get("document")
                                               : "passport");
  RP_ASSIGN_OR_RETURN(std::string country, ReadCountry(args, "country"));
  event.set_issuing_country(country);
  return Pack(event, out);
}

absl::Status BuildDeparture(const EventArgs& args, const BuiltEvent*,
                            BuiltEvent* out) {
  v1::Departed event;
  RP_ASSIGN_OR_RETURN(
      int kind, ParseEnum(v1::DepartureKind_descriptor(), "DEPARTURE_KIND_",
                          args.Get("kind"), "kind",
                          {{"assisted", "DEPARTURE_KIND_ASSISTED_VOLUNTARY"},
                           {"voluntary", "DEPARTURE_KIND_ASSISTED_VOLUNTARY"},
                           {"dublin", "DEPARTURE_KIND_DUBLIN_TRANSFER"}}));
  event.set_kind(static_cast<v1::DepartureKind>(kind));
  RP_ASSIGN_OR_RETURN(std::string country, ReadCountry(args, "to"));
  event.set_destination_country(country);
  if (args.Has("support-programme") || args.Has("cash") ||
      args.Has("in-kind")) {
    if (event.kind() != v1::DEPARTURE_KIND_FORCED) {
      return absl::InvalidArgumentError(
          "--support-programme, --cash and --in-kind are for forced returns "
          "only");
    }
    v1::ForcedReturnSupportPaid* support =
        event.mutable_forced_return_support();
    support->set_programme(
        args.Has("support-programme") ? args.Get("support-programme") : "PRAN");
    RP_ASSIGN_OR_RETURN(int64_t cash, ReadInt(args, "cash"));
    RP_ASSIGN_OR_RETURN(int64_t in_kind, ReadInt(args, "in-kind"));
    support->set_cash_nok(cash);
    support->set_in_kind_nok(in_kind);
  }
  return Pack(event, out);
}

absl::Status BuildPermit(const EventArgs& args, const BuiltEvent*,
                         BuiltEvent* out) {
  v1::ResidencePermitGranted event;
  event.set_permit_kind(args.Get("kind"));
  return Pack(event, out);
}

absl::Status BuildDisappeared(const EventArgs& args, const BuiltEvent*,
                              BuiltEvent* out) {
  v1::Disappeared event;
  event.set_note(args.Get("note"));
  return Pack(event, out);
}

absl::Status BuildReappeared(const EventArgs& args, const BuiltEvent*,
                             BuiltEvent* out) {
  v1::Reappeared event;
  event.set_reception_centre(args.Get("centre"));
  RP_ASSIGN_OR_RETURN(v1::Region region, ReadRegion(args, "region"));
  event.set_region(region);
  return Pack(event, out);
}

absl::Status BuildCaseReopened(const EventArgs& args, const BuiltEvent*,
                               BuiltEvent* out) {
  v1::CaseReopened event;
  RP_ASSIGN_OR_RETURN(
      int reason, ParseEnum(v1::ReopeningReason_descriptor(),
                            "REOPENING_REASON_", args.Get("reason"), "reason",
                            {{"court", "REOPENING_REASON_COURT_REVIEW"}}));
  event.set_reason(static_cast<v1::ReopeningReason>(reason));
  event.set_note(args.Get("note"));
  return Pack(event, out);
}

absl::Status BuildCourseEnrolled(const EventArgs& args, const BuiltEvent*,
                                 BuiltEvent* out) {
  v1::QualificationCourseEnrolled event;
  event.set_course_id(args.Get("course"));
  event.set_title(args.Get("title"));
  return Pack(event, out);
}

absl::Status BuildCourseCompleted(const EventArgs& args, const BuiltEvent*,
                                  BuiltEvent* out) {
  v1::QualificationCourseCompleted event;
  event.set_course_id(args.Get("course"));
  return Pack(event, out);
}

absl::Status BuildConversation(const EventArgs& args, const BuiltEvent*,
                               BuiltEvent* out) {
  v1::ReturnConversationHeld event;
  event.set_note(args.Get("note"));
  return Pack(event, out);
}

absl::Status BuildFlagsChanged(const EventArgs& args, const BuiltEvent*,
                               BuiltEvent* out) {
  v1::FlagsChanged event;
  ReadFlags(args, event.mutable_flags());
  event.set_reason(args.Get("reason"));
  return Pack(event, out);
}

absl::Status BuildMovedCentre(const EventArgs& args, const BuiltEvent*,
                              BuiltEvent* out) {
  v1::PersonMovedCentre event;
  event.set_reception_centre(args.Get("centre"));
  RP_ASSIGN_OR_RETURN(v1::Region region, ReadRegion(args, "region"));
  event.set_region(region);
  return Pack(event, out);
}

absl::Status BuildCorrection(const EventArgs& args,
                             const BuiltEvent* replacement, BuiltEvent* out) {
  if (replacement == nullptr) {
    return absl::InvalidArgumentError(
        "a correction needs the corrected event after --, e.g. "
        "`record correction --person P --position 7 --reason typo -- "
        "first-rejection "
        "--notified 2026-03-03`");
  }
  v1::EventCorrected event;
  RP_ASSIGN_OR_RETURN(int64_t position, ReadInt(args, "position"));
  event.set_corrected_position(static_cast<uint64_t>(position));
  *event.mutable_replacement() = replacement->event;
  event.set_reason(args.Get("reason"));
  if (args.Has("corrected-effective")) {
    absl::StatusOr<absl::Time> time =
        ParseTime(args.Get("corrected-effective"));
    if (!time.ok()) return Prefixed("corrected-effective", time.status());
    *event.mutable_effective_time() = ToTimestamp(*time);
  } else if (replacement->legal_date.has_value()) {
    *event.mutable_effective_time() =
        ToTimestamp(StartOfDay(*replacement->legal_date));
  }
  return Pack(event, out);
}

absl::Status BuildRetraction(const EventArgs& args, const BuiltEvent*,
                             BuiltEvent* out) {
  v1::EventRetracted event;
  RP_ASSIGN_OR_RETURN(int64_t position, ReadInt(args, "position"));
  event.set_retracted_position(static_cast<uint64_t>(position));
  event.set_reason(args.Get("reason"));
  return Pack(event, out);
}

// ---- the table --------------------------------------------------------------

EventArgSpec Required(std::string name, std::string value_name,
                      std::string help) {
  return {std::move(name), std::move(value_name), std::move(help), true, false};
}
EventArgSpec Optional(std::string name, std::string value_name,
                      std::string help) {
  return {std::move(name), std::move(value_name), std::move(help), false,
          false};
}
EventArgSpec Switch(std::string name, std::string help) {
  return {std::move(name), "", std::move(help), false, false};
}

std::vector<EventArgSpec> FlagSwitches() {
  return {Switch("unaccompanied-minor", "an unaccompanied minor"),
          Switch("dublin", "a Dublin case"),
          Switch("serious-illness", "serious illness"),
          Switch("trafficking-victim", "a victim of trafficking"),
          Switch("identity-unclarified", "identity not clarified")};
}

std::vector<EventArgSpec> Concat(std::vector<EventArgSpec> a,
                                 std::vector<EventArgSpec> b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<EventKind> MakeKinds() {
  const std::string regions = EnumChoices(v1::Region_descriptor(), "REGION_");
  const std::string region_help = absl::StrCat("UDI region: ", regions);
  const std::string optional_region_help =
      absl::StrCat("new UDI region (", regions, "); default: unchanged");
  std::vector<EventKind> kinds = {
      {"register", "returnpath.v1.PersonRegistered",
       "register a resident: the first event of a person's pathway",
       Concat(
           {Required("household", "ID",
                     "household id (families move together)"),
            Required("born", "DATE", "date of birth, e.g. 1990-05-01"),
            Required("nationality", "CC", "ISO 3166 country code, e.g. AF"),
            Required("centre", "CENTRE", "current reception centre"),
            Required("region", "REGION", region_help)},
           Concat(
               FlagSwitches(),
               {{"member", "PERSON:BORN",
                 "a household member and date of birth, e.g. C-17:2012-04-01",
                 false, true},
                Optional(
                    "role", "ROLE",
                    absl::StrCat("place in the household: ",
                                 EnumChoices(v1::HouseholdRole_descriptor(),
                                             "HOUSEHOLD_ROLE_"))),
                {"guardian", "PERSON",
                 "a child's guardian, registered before them in the same "
                 "household (the child follows their decisions)",
                 false, true},
                Switch("own-case",
                       "a child with a case of their own (follows no "
                       "guardian)")})),
       false, BuildRegister},
      {"first-rejection",
       "returnpath.v1.FirstRejection",
       "the Directorate's first rejection, notified on a date (opens the "
       "appeal window)",
       {Required("notified", "DATE", "the date the person was notified"),
        Optional("decision", "REF", "decision reference")},
       false,
       BuildFirstRejection},
      {"appeal",
       "returnpath.v1.AppealLodged",
       "an appeal lodged within the appeal window",
       {Required("lodged", "DATE", "the date the appeal was lodged"),
        Switch("deferred-implementation",
               "deferred implementation granted (utsatt iverksettelse); "
               "without it the "
               "rejection is final at once")},
       false,
       BuildAppeal},
      {"appeal-waived",
       "returnpath.v1.AppealWaived",
       "the person waived the right to appeal the first rejection (it is "
       "final at once)",
       {Required("waived", "DATE", "the date the person waived the appeal")},
       false,
       BuildAppealWaived},
      {"appeal-decided",
       "returnpath.v1.AppealDecided",
       "the Immigration Appeals Board (UNE) decided the appeal",
       {Required("outcome", "OUTCOME",
                 absl::StrCat("the decision: ",
                              EnumChoices(v1::AppealOutcome_descriptor(),
                                          "APPEAL_OUTCOME_"))),
        Required("notified", "DATE", "the date the person was notified"),
        Optional("deadline-days", "N",
                 "departure deadline in days; default: the policy's"),
        Optional("decision", "REF", "decision reference")},
       false,
       BuildAppealDecided},
      {"final-rejection",
       "returnpath.v1.FinalRejection",
       "a final rejection with its departure deadline (utreisefrist)",
       {Required("notified", "DATE", "the date the person was notified"),
        Optional(
            "deadline-days", "N",
            "departure deadline in days (7-30); default: the policy's (21)"),
        Optional("basis", "BASIS",
                 absl::StrCat("why it is final: ",
                              EnumChoices(v1::FinalRejectionBasis_descriptor(),
                                          "FINAL_REJECTION_BASIS_"),
                              " (or une)")),
        Optional("decision", "REF", "decision reference")},
       false,
       BuildFinalRejection},
      {"departure-deadline",
       "returnpath.v1.DepartureDeadlineSet",
       "a new departure deadline notified to the person",
       {Required("notified", "DATE", "the date the person was notified"),
        Optional("days", "N", "length in days; default: the policy's"),
        Optional("reason", "TEXT", "why")},
       false,
       BuildDeadlineSet},
      {"deadline-suspended",
       "returnpath.v1.DepartureDeadlineSuspended",
       "the departure deadline stops running until a new one is set",
       {Required("reason", "TEXT", "why")},
       false,
       BuildDeadlineSuspended},
      {"relocation-ordered",
       "returnpath.v1.RelocationOrdered",
       "the Directorate decided which return centre the person moves to",
       {Required("to", "CENTRE", "the return centre")},
       false,
       BuildRelocationOrdered},
      {"relocated",
       "returnpath.v1.RelocationCompleted",
       "the person moved to a return centre",
       {Required("to", "CENTRE", "the return centre"),
        Optional("region", "REGION", optional_region_help)},
       false,
       BuildRelocated},
      {"iom-application",
       "returnpath.v1.IomApplicationSubmitted",
       "an application for assisted voluntary return through IOM (the tier is "
       "computed)",
       {Required("programme", "PROGRAMME",
                 absl::StrCat("IOM programme: ",
                              EnumChoices(v1::IomProgramme_descriptor(),
                                          "IOM_PROGRAMME_"))),
        Optional("iom-ref", "REF", "IOM's reference")},
       false,
       BuildIomApplication},
      {"iom-approved",
       "returnpath.v1.IomApplicationApproved",
       "IOM approved the application",
       {Optional("iom-ref", "REF", "IOM's reference")},
       false,
       BuildIomApproved},
      {"iom-withdrawn",
       "returnpath.v1.IomApplicationWithdrawn",
       "the application for assisted return was withdrawn",
       {Optional("reason", "TEXT", "why")},
       false,
       BuildIomWithdrawn},
      {"iom-refused",
       "returnpath.v1.IomApplicationRefused",
       "IOM refused the application for assisted return",
       {Optional("iom-ref", "REF", "IOM's reference"),
        Optional("reason", "TEXT", "IOM's reason")},
       false,
       BuildIomRefused},
      {"travel-document",
       "returnpath.v1.TravelDocumentObtained",
       "a travel document was obtained",
       {Optional("document", "KIND", "passport (default), laissez-passer, ..."),
        Optional("country", "CC", "issuing country, e.g. AF")},
       false,
       BuildTravelDocument},
      {"departure",
       "returnpath.v1.Departed",
       "the person left Norway (terminal)",
       {Required("kind", "KIND",
                 absl::StrCat("how: ",
                              EnumChoices(v1::DepartureKind_descriptor(),
                                          "DEPARTURE_KIND_"),
                              " (or assisted, dublin)")),
        Optional("to", "CC", "destination country, e.g. AF"),
        Optional("support-programme", "NAME",
                 "forced returns: support programme (PRAN)"),
        Optional("cash", "NOK", "forced returns: cash support paid"),
        Optional("in-kind", "NOK", "forced returns: support in kind")},
       false,
       BuildDeparture},
      {"permit-granted",
       "returnpath.v1.ResidencePermitGranted",
       "a residence permit was granted: the person leaves the pathway "
       "(terminal)",
       {Optional("kind", "KIND", "kind of permit")},
       false,
       BuildPermit},
      {"disappeared",
       "returnpath.v1.Disappeared",
       "the person left reception without an address",
       {Optional("note", "TEXT", "what is known")},
       false,
       BuildDisappeared},
      {"reappeared",
       "returnpath.v1.Reappeared",
       "the person came back",
       {Optional("centre", "CENTRE", "reception centre; default: the same"),
        Optional("region", "REGION", optional_region_help)},
       false,
       BuildReappeared},
      {"case-reopened",
       "returnpath.v1.CaseReopened",
       "the case was reopened: the departure deadline is suspended until a new "
       "decision",
       {Required(
            "reason", "REASON",
            absl::StrCat("why: ", EnumChoices(v1::ReopeningReason_descriptor(),
                                              "REOPENING_REASON_"))),
        Optional("note", "TEXT", "details")},
       false,
       BuildCaseReopened},
      {"course-enrolled",
       "returnpath.v1.QualificationCourseEnrolled",
       "enrolled in a qualification course (never moves a deadline)",
       {Required("course", "ID", "course id"),
        Optional("title", "TEXT", "course title")},
       false,
       BuildCourseEnrolled},
      {"course-completed",
       "returnpath.v1.QualificationCourseCompleted",
       "completed a qualification course",
       {Required("course", "ID", "course id")},
       false,
       BuildCourseCompleted},
      {"return-conversation",
       "returnpath.v1.ReturnConversationHeld",
       "a return conversation was held",
       {Optional("note", "TEXT", "notes")},
       false,
       BuildConversation},
      {"flags-changed", "returnpath.v1.FlagsChanged",
       "replace the person's flags (give every flag that holds now)",
       Concat(FlagSwitches(), {Required("reason", "TEXT", "why")}), false,
       BuildFlagsChanged},
      {"moved-centre",
       "returnpath.v1.PersonMovedCentre",
       "moved between ordinary reception centres (not a relocation)",
       {Required("centre", "CENTRE", "the new reception centre"),
        Optional("region", "REGION", optional_region_help)},
       false,
       BuildMovedCentre},
      {"correction",
       "returnpath.v1.EventCorrected",
       "correct an earlier event: give the right event after --",
       {Required("position", "N",
                 "position of the event to correct (see audit history)"),
        Required("reason", "TEXT", "why"),
        Optional(
            "corrected-effective", "TIME",
            "the corrected event's right effective time; default: its date")},
       true,
       BuildCorrection},
      {"retraction",
       "returnpath.v1.EventRetracted",
       "declare an earlier event void (it should never have been recorded)",
       {Required("position", "N", "position of the event to retract"),
        Required("reason", "TEXT", "why")},
       false,
       BuildRetraction},
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
  BuiltEvent out;
  RP_RETURN_IF_ERROR(kind.build(args, replacement, &out));
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
