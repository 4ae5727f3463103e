#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_RULES_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_RULES_H_

// Internal to the return pathway: the rules, one function per event kind.
// Each checks that the event may happen now (FAILED_PRECONDITION with a
// caseworker's sentence if not, INVALID_ARGUMENT for a malformed payload) and
// mutates the state through its Step. The transition table is in machine.h.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/pathway.pb.h"
#include "workflows/return_pathway/step.h"

namespace returnpath::return_pathway {

// Decisions (decisions.cc).
absl::Status OnRegistered(const returnpath::v1::PersonRegistered& e, Step& st);
absl::Status OnFirstRejection(const returnpath::v1::FirstRejection& e,
                              Step& st);
absl::Status OnAppealLodged(const returnpath::v1::AppealLodged& e, Step& st);
absl::Status OnAppealWaived(const returnpath::v1::AppealWaived& e, Step& st);
absl::Status OnAppealDecided(const returnpath::v1::AppealDecided& e, Step& st);
absl::Status OnFinalRejection(const returnpath::v1::FinalRejection& e,
                              Step& st);
absl::Status OnDeadlineSet(const returnpath::v1::DepartureDeadlineSet& e,
                           Step& st);
absl::Status OnDeadlineSuspended(
    const returnpath::v1::DepartureDeadlineSuspended& e, Step& st);
absl::Status OnCaseReopened(const returnpath::v1::CaseReopened& e, Step& st);
absl::Status OnPermitGranted(const returnpath::v1::ResidencePermitGranted& e,
                             Step& st);

// The consequences of a final rejection notified on `day` (footnote 1: by
// UNE, not appealed in time, or appealed without deferred implementation).
// `days` 0 means the policy's default.
absl::Status ApplyFinalRejection(Step& st, absl::CivilDay day, int32_t days,
                                 returnpath::v1::FinalRejectionBasis basis,
                                 std::vector<uint64_t> caused_by,
                                 uint64_t derived_at_version);

// Return (returns.cc).
absl::Status OnIomSubmitted(const returnpath::v1::IomApplicationSubmitted& e,
                            Step& st);
absl::Status OnIomApproved(const returnpath::v1::IomApplicationApproved& e,
                           Step& st);
absl::Status OnIomWithdrawn(const returnpath::v1::IomApplicationWithdrawn& e,
                            Step& st);
absl::Status OnIomRefused(const returnpath::v1::IomApplicationRefused& e,
                          Step& st);
absl::Status OnTravelDocument(const returnpath::v1::TravelDocumentObtained& e,
                              Step& st);
absl::Status OnDeparted(const returnpath::v1::Departed& e, Step& st);
absl::Status OnRelocationOrdered(const returnpath::v1::RelocationOrdered& e,
                                 Step& st);
absl::Status OnRelocationCompleted(const returnpath::v1::RelocationCompleted& e,
                                   Step& st);

// The person and their whereabouts (presence.cc).
absl::Status OnDisappeared(const returnpath::v1::Disappeared& e, Step& st);
absl::Status OnReappeared(const returnpath::v1::Reappeared& e, Step& st);
absl::Status OnCourseEnrolled(
    const returnpath::v1::QualificationCourseEnrolled& e, Step& st);
absl::Status OnCourseCompleted(
    const returnpath::v1::QualificationCourseCompleted& e, Step& st);
absl::Status OnConversationHeld(const returnpath::v1::ReturnConversationHeld& e,
                                Step& st);
absl::Status OnFlagsChanged(const returnpath::v1::FlagsChanged& e, Step& st);
absl::Status OnMovedCentre(const returnpath::v1::PersonMovedCentre& e,
                           Step& st);

// Engine events (engine_events.cc).
absl::Status OnTimerFired(const returnpath::v1::TimerFired& e, Step& st);
absl::Status OnTaskCompleted(const returnpath::v1::TaskCompleted& e, Step& st);
// Before an event applies, live or in a refold: fires, earliest first, each
// armed timer due by the event's effective time (a timer event: due before
// it), as if the engine had fired it on time. A fact recorded late may arm a
// timer already due that the next fact would otherwise cancel or replace
// before it fired; the engine's TimerFired for it is then stale.
absl::Status FireOverdueTimers(Step& st);

// Shared helpers (rule_util.cc).

// The event's effective date, checked against the payload's own date field
// (`field`, optional): INVALID_ARGUMENT if they differ.
absl::StatusOr<absl::CivilDay> EventDay(const Step& st,
                                        const returnpath::v1::Date& date,
                                        absl::string_view field);

// INVALID_ARGUMENT naming `field` if `effective` lies beyond `present` (the
// engine's present time: the recorded time it stamped) plus the clock skew
// `policy` allows: a fact is recorded after it happens.
absl::Status CheckNotInFuture(absl::Time effective, absl::Time present,
                              const returnpath::v1::Policy& policy,
                              absl::string_view field);

// INVALID_ARGUMENT naming `field` unless IsValidName(value).
absl::Status CheckName(absl::string_view value, absl::string_view field);

// A deadline `days` after `from`, moved to the next working day if
// `legal_calendar`.
returnpath::v1::Deadline MakeDeadline(absl::CivilDay from, int32_t days,
                                      bool legal_calendar,
                                      absl::string_view rule, const Step& st,
                                      std::vector<uint64_t> caused_by);

// The last day of a task due `days` after `from` under `rule`.
absl::CivilDay DueDay(absl::CivilDay from, const returnpath::v1::DayRule& rule);

// Why the person is exempt from relocation on `day` ("" if not).
std::string RelocationExemptionOn(const Step& st, absl::CivilDay day);

// Why the person is exempt now: the exemption found at the final rejection,
// or one the current flags give at the final rejection's date (today if none).
std::string CurrentRelocationExemption(const Step& st);

// The departure deadline is set and has not been suspended.
bool DeadlineRunning(const returnpath::v1::PathwayState& s);

// FINAL_REJECTION, RETURN_PREPARATION or OVERSTAYED: a final rejection is in
// force.
bool IsAfterFinalRejection(returnpath::v1::Stage stage);

// Opens the effectuation referral to the police (never before the departure
// deadline has expired: due when it expired), unless one is open already.
void OpenPoliceReferral(Step& st, std::vector<uint64_t> caused_by);

// Ranks the open police referral again from what is known now (identity,
// travel document, nationality).
void RerankPoliceReferral(Step& st);

// Opens the relocation task of a final rejection notified on `day` with the
// departure deadline `deadline`, due no earlier than the event's own day.
void OpenRelocation(Step& st, absl::CivilDay day, absl::CivilDay deadline,
                    std::vector<uint64_t> caused_by);

// Opens the relocation task the person's final rejection calls for, caused
// also by the event, unless the person is exempt, at a return centre or has
// one open (or a co-guardian holds the household's): an exemption ended, or
// a co-guardian dropped the household's task.
void OpenRelocationIfDue(Step& st);

// Opens the return conversation of `rule_name` (after the first or the final
// rejection) if that decision is still the person's and none of that rule
// is open (nor held by a co-guardian): a co-guardian dropped the household's.
void OpenConversationIfDue(Step& st, absl::string_view rule_name);

// Closes what a running departure deadline caused once it expired.
void CloseOverstayTasks(Step& st);

// Ends the pathway: closes every task, cancels every timer.
void EndPathway(Step& st, returnpath::v1::Stage stage);

// The refusal for an event after the pathway ended, or OK.
absl::Status CheckNotEnded(const returnpath::v1::PathwayState& s,
                           absl::string_view action);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_RULES_H_
