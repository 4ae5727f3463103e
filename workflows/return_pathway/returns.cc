// Return: IOM applications and support tiers, travel documents, departures,
// relocation to return centres.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "workflows/return_pathway/date_util.h"
#include "workflows/return_pathway/legal_calendar.h"
#include "workflows/return_pathway/names.h"
#include "workflows/return_pathway/rules.h"
#include "workflows/return_pathway/task_kinds.h"

namespace returnpath::return_pathway {
namespace {

namespace v1 = ::returnpath::v1;

std::string Day(const v1::Date& date) { return FormatDay(StoredDay(date)); }

std::string ProgrammeName(v1::IomProgramme programme) {
  return v1::IomProgramme_Name(programme).substr(sizeof("IOM_PROGRAMME_") - 1);
}

// Computes the support tier of an application made on `day` and records it.
// The tier is set by how early the person applies: against the departure
// deadline in force then (a reopened case and a new decision give a new one;
// a suspended deadline still counts until then). A later application never
// ranks better than an earlier one against the same deadline (withdrawing and
// applying again cannot improve it).
void RecordTier(Step& st, absl::CivilDay day,
                v1::IomApplicationRecord& record) {
  v1::PathwayState& s = st.s();
  const auto& tiers = st.policy().iom().tiers();
  int32_t rank = 1;
  if (IsSet(s.departure_deadline().date())) {
    const absl::CivilDay deadline = StoredDay(s.departure_deadline().date());
    const int32_t after = static_cast<int32_t>(day - deadline);
    *record.mutable_reference_deadline() = s.departure_deadline().date();
    record.set_days_after_deadline(after);
    for (const v1::SupportTier& tier : tiers) {
      rank = tier.rank();
      if (tier.open_ended() ||
          after <= tier.max_days_after_departure_deadline()) {
        break;
      }
    }
  }
  rank = std::min(std::max(rank, s.worst_tier_rank()), tiers.size());
  record.set_tier_rank(rank);
  record.set_support_nok(tiers.Get(rank - 1).amount_nok());
  record.set_tier_policy_version(st.in().policy_version);
  s.set_worst_tier_rank(rank);
}

// Why a relocation may not happen now ("" if it may).
std::string RelocationBlocked(const Step& st) {
  const v1::PathwayState& s = st.s();
  if (!IsAfterFinalRejection(s.stage())) {
    return absl::StrCat("relocation follows a final rejection; ",
                        DescribeStage(s));
  }
  const std::string exemption = CurrentRelocationExemption(st);
  if (!exemption.empty()) {
    return absl::StrCat("the person is exempt from relocation (", exemption,
                        ")");
  }
  return "";
}

absl::Status CheckForcedReturnSupport(const v1::Departed& e, const Step& st) {
  const v1::ForcedReturnSupportRule& rule = st.policy().forced_return_support();
  const v1::ForcedReturnSupportPaid& paid = e.forced_return_support();
  if (paid.programme() != rule.programme()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "forced_return_support.programme: \"", paid.programme(),
        "\" is not the policy's programme \"", rule.programme(), "\""));
  }
  if (std::find(rule.countries().begin(), rule.countries().end(),
                e.destination_country()) == rule.countries().end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "destination_country: ", rule.programme(),
        " is not paid for returns to \"", e.destination_country(), "\""));
  }
  if (paid.cash_nok() < 0 || paid.cash_nok() > rule.max_cash_nok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("forced_return_support.cash_nok: ", paid.cash_nok(),
                     " is outside 0-", rule.max_cash_nok(), " NOK"));
  }
  if (paid.in_kind_nok() < 0 || paid.in_kind_nok() > rule.max_in_kind_nok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("forced_return_support.in_kind_nok: ", paid.in_kind_nok(),
                     " is outside 0-", rule.max_in_kind_nok(), " NOK"));
  }
  return absl::OkStatus();
}

// Ends the pending application (withdrawn or refused): the return is no
// longer being arranged, so a person past the departure deadline is referred
// to the police again (one referral).
void EndIomApplication(Step& st) {
  v1::PathwayState& s = st.s();
  s.mutable_iom()->set_pending(false);
  *s.mutable_iom()->mutable_closed_on() = ToDate(st.today());
  st.CancelTimersOfKind(kTimerIomFollowUp);
  st.CloseTasksOfKind(kTaskIomFollowUp);
  st.CloseTasksOfKind(kTaskDeadlineFollowUp);
  if (s.stage() != v1::STAGE_RETURN_PREPARATION) return;
  if (DeadlineRunning(s) && s.departure_deadline().expired()) {
    s.set_stage(v1::STAGE_OVERSTAYED);
    std::vector<uint64_t> caused_by(
        s.departure_deadline().caused_by_versions().begin(),
        s.departure_deadline().caused_by_versions().end());
    caused_by.push_back(st.in().version);
    OpenPoliceReferral(st, std::move(caused_by));
  } else {
    s.set_stage(v1::STAGE_FINAL_REJECTION);
  }
}

// Refuses `action` unless an application is pending and, if `reference` is
// given, it is that one.
absl::Status CheckPendingApplication(const Step& st, absl::string_view action,
                                     absl::string_view reference) {
  const v1::IomApplicationRecord& iom = st.s().iom();
  if (!iom.pending()) return Refuse(action, "no IOM application is pending");
  if (!reference.empty() && !iom.iom_reference().empty() &&
      reference != iom.iom_reference()) {
    return Refuse(action, absl::StrCat("the pending application is \"",
                                       iom.iom_reference(), "\", not \"",
                                       reference, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status OnIomSubmitted(const v1::IomApplicationSubmitted& e, Step& st) {
  constexpr absl::string_view kAction = "record an IOM application";
  v1::PathwayState& s = st.s();
  if (s.iom().pending()) {
    return Refuse(
        kAction,
        absl::StrCat("an IOM application (", ProgrammeName(s.iom().programme()),
                     ") submitted on ", Day(s.iom().applied_on()),
                     " is already pending"));
  }
  if (e.programme() == v1::IOM_PROGRAMME_UNSPECIFIED ||
      !v1::IomProgramme_IsValid(e.programme())) {
    return absl::InvalidArgumentError("programme: must name an IOM programme");
  }
  const absl::CivilDay day = st.today();
  v1::IomApplicationRecord& record = *s.mutable_iom();
  record.Clear();
  record.set_programme(e.programme());
  record.set_iom_reference(e.iom_reference());
  *record.mutable_applied_on() = ToDate(day);
  record.set_pending(true);
  record.set_version(st.in().version);
  RecordTier(st, day, record);
  st.CancelTimersOfKind(kTimerIomFollowUp);
  st.ArmTimer(
      st.Key("iom-follow-up"), kTimerIomFollowUp,
      OsloEndOfDay(day + st.policy().iom().no_departure_follow_up_days()),
      absl::StrCat(st.in().version), st.in().versions);
  if (s.stage() == v1::STAGE_FINAL_REJECTION ||
      s.stage() == v1::STAGE_OVERSTAYED) {
    s.set_stage(v1::STAGE_RETURN_PREPARATION);
  }
  // No police while a return is being arranged.
  st.CloseTasksOfKind(kTaskPoliceReferral);
  return absl::OkStatus();
}

absl::Status OnIomApproved(const v1::IomApplicationApproved& e, Step& st) {
  RP_RETURN_IF_ERROR(
      CheckPendingApplication(st, "record an IOM approval", e.iom_reference()));
  st.s().mutable_iom()->set_approved(true);
  return absl::OkStatus();
}

absl::Status OnIomWithdrawn(const v1::IomApplicationWithdrawn& e, Step& st) {
  RP_RETURN_IF_ERROR(
      CheckPendingApplication(st, "record a withdrawn IOM application", ""));
  EndIomApplication(st);
  return absl::OkStatus();
}

absl::Status OnIomRefused(const v1::IomApplicationRefused& e, Step& st) {
  RP_RETURN_IF_ERROR(CheckPendingApplication(
      st, "record a refused IOM application", e.iom_reference()));
  EndIomApplication(st);
  st.s().mutable_iom()->set_refused(true);
  return absl::OkStatus();
}

absl::Status OnTravelDocument(const v1::TravelDocumentObtained& e, Step& st) {
  if (!e.issuing_country().empty() && !IsCountryCode(e.issuing_country())) {
    return absl::InvalidArgumentError(
        absl::StrCat("issuing_country: \"", e.issuing_country(),
                     "\" is not an ISO 3166 alpha-2 code"));
  }
  st.s().set_travel_document_obtained(true);
  RerankPoliceReferral(st);
  return absl::OkStatus();
}

absl::Status OnDeparted(const v1::Departed& e, Step& st) {
  v1::PathwayState& s = st.s();
  if (!e.destination_country().empty() &&
      !IsCountryCode(e.destination_country())) {
    return absl::InvalidArgumentError(
        absl::StrCat("destination_country: \"", e.destination_country(),
                     "\" is not an ISO 3166 alpha-2 code"));
  }
  if (e.has_forced_return_support() && e.kind() != v1::DEPARTURE_KIND_FORCED) {
    return absl::InvalidArgumentError(
        "forced_return_support: only a forced return carries it");
  }
  v1::Stage stage = v1::STAGE_UNSPECIFIED;
  switch (e.kind()) {
    case v1::DEPARTURE_KIND_ASSISTED_VOLUNTARY:
      if (!s.iom().pending()) {
        return Refuse("record an assisted voluntary return",
                      "no IOM application is pending");
      }
      stage = v1::STAGE_DEPARTED_VOLUNTARY;
      break;
    case v1::DEPARTURE_KIND_FORCED: {
      constexpr absl::string_view kAction = "record a forced return";
      if (!IsAfterFinalRejection(s.stage()))
        return Refuse(kAction, DescribeStage(s));
      if (!DeadlineRunning(s)) {
        return Refuse(kAction, "the departure deadline is suspended");
      }
      if (!s.departure_deadline().expired()) {
        return Refuse(kAction,
                      absl::StrCat("the departure deadline runs until ",
                                   Day(s.departure_deadline().date())));
      }
      if (e.has_forced_return_support()) {
        RP_RETURN_IF_ERROR(CheckForcedReturnSupport(e, st));
      }
      stage = v1::STAGE_DEPARTED_FORCED;
      break;
    }
    case v1::DEPARTURE_KIND_DUBLIN_TRANSFER:
      if (!s.person().flags().dublin_case()) {
        return Refuse("record a Dublin transfer",
                      "the person is not registered as a Dublin case");
      }
      stage = v1::STAGE_DEPARTED_DUBLIN;
      break;
    default:
      return absl::InvalidArgumentError(
          "kind: must be ASSISTED_VOLUNTARY, FORCED or DUBLIN_TRANSFER");
  }
  // The police carried out the referral they hold: it is done, not moot.
  if (stage == v1::STAGE_DEPARTED_FORCED) {
    std::vector<std::string> referrals;
    for (const v1::PathwayTask& t : s.open_tasks()) {
      if (t.kind() == kTaskPoliceReferral) referrals.push_back(t.key());
    }
    for (const std::string& key : referrals) st.CompleteTask(key, "effected");
  }
  // Whoever left, left: the departure deadline no longer runs.
  if (s.has_departure_deadline()) s.mutable_departure_deadline()->set_met(true);
  v1::DepartureRecord& record = *s.mutable_departure();
  record.set_kind(e.kind());
  *record.mutable_departed_on() = ToDate(st.today());
  record.set_destination_country(e.destination_country());
  if (e.has_forced_return_support()) {
    *record.mutable_forced_return_support() = e.forced_return_support();
  }
  EndPathway(st, stage);
  return absl::OkStatus();
}

absl::Status OnRelocationOrdered(const v1::RelocationOrdered& e, Step& st) {
  const std::string blocked = RelocationBlocked(st);
  if (!blocked.empty()) return Refuse("order a relocation", blocked);
  RP_RETURN_IF_ERROR(CheckName(e.return_centre(), "return_centre"));
  st.s().mutable_residence()->set_relocation_ordered_to(e.return_centre());
  return absl::OkStatus();
}

absl::Status OnRelocationCompleted(const v1::RelocationCompleted& e, Step& st) {
  const std::string blocked = RelocationBlocked(st);
  if (!blocked.empty()) return Refuse("record a relocation", blocked);
  RP_RETURN_IF_ERROR(CheckName(e.return_centre(), "return_centre"));
  if (!v1::Region_IsValid(e.region())) {
    return absl::InvalidArgumentError("region: not one of UDI's regions");
  }
  const std::vector<std::string> queues_before = st.PlaceQueues();
  v1::Residence& residence = *st.s().mutable_residence();
  residence.set_reception_centre(e.return_centre());
  if (e.region() != v1::REGION_UNSPECIFIED) residence.set_region(e.region());
  residence.set_at_return_centre(true);
  residence.set_place_released(false);
  st.s().mutable_person()->set_reception_centre(residence.reception_centre());
  st.s().mutable_person()->set_region(residence.region());
  st.CloseTasksOfKind(kTaskRelocation);
  st.ReaddressTasks(queues_before);
  return absl::OkStatus();
}

}  // namespace returnpath::return_pathway
