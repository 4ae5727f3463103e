#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_MACHINE_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_MACHINE_H_

#include "absl/status/statusor.h"
#include "engine/workflow.h"
#include "returnpath/v1/event.pb.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "workflows/return_pathway/policy_set.h"

namespace returnpath::return_pathway {

// The return pathway's state machine. Pure: it reads only its arguments (time
// comes from the event, numbers from the policy the event names) and does no
// I/O. Every number below is the default policy's (policy/*.textproto).
//
// Dates are Norwegian (Europe/Oslo). A deadline of N days from day D has N
// days after D as its last day and expires at the end of it; a `legal` rule
// (the appeal window) moves a last day on a weekend or public holiday to the
// next working day. Timers are armed even when already past due; the engine
// fires them at once. Before any event applies (live or in a refold), each
// timer still armed and due by its effective time (a timer event: before it)
// fires first, earliest first, as the engine would have fired it on time: the
// outcome does not depend on whether the engine got to it before the event
// (a decision recorded after the appeal window closed finds the rejection
// already final). Ids: tasks "<kind>-<version>" of the event that opened
// them, timers likewise, "<kind>-<version>.<n>" for what the n-th overdue
// timer fired before it opened; see task_kinds.h.
//
// clang-format off
// | event                        | from                               | to                     | effects |
// |------------------------------|------------------------------------|------------------------|---------|
// | PersonRegistered             | (new stream)                       | ASYLUM_PENDING         | ALREADY_EXISTS if registered |
// | FirstRejection               | ASYLUM_PENDING, CASE_REOPENED      | FIRST_REJECTION        | appeal window 21d legal: timer appeal-window-P; conversation task due 7d |
// | AppealLodged, deferred       | FIRST_REJECTION, within window     | APPEAL_PENDING         | cancels appeal-window timer |
// | AppealLodged, not deferred   | FIRST_REJECTION, within window     | FINAL_REJECTION (1)    | final-rejection consequences (F) from the appeal date |
// | any event, backdated (B)     | effective before applied_until     | refolded               | applied at its effective time; history refolded |
// | timer appeal_window          | FIRST_REJECTION                    | FINAL_REJECTION (1)    | derived final rejection, from the day after the window: (F) |
// | AppealWaived                 | FIRST_REJECTION, within window     | FINAL_REJECTION (1)    | cancels appeal-window timer; (F) from the waiver, basis APPEAL_WAIVED |
// | AppealDecided granted        | appeal pending                     | PERMIT_GRANTED         | terminal (T) |
// | AppealDecided rejected       | APPEAL_PENDING                     | FINAL_REJECTION (1)    | (F) |
// | AppealDecided rejected       | appeal pending, no deferral        | unchanged              | recorded; the running deadline stays |
// | FinalRejection               | ASYLUM_PENDING, FIRST_REJECTION    | FINAL_REJECTION (1)    | (F) |
// |                              | once its window closed,            |                        | |
// |                              | APPEAL_PENDING, CASE_REOPENED      |                        | |
// | DepartureDeadlineSet         | FINAL_REJECTION, RETURN_PREPARATION| FINAL_REJECTION (1)    | new deadline and timer; closes police referrals |
// |                              | OVERSTAYED, CASE_REOPENED          |                        | |
// | DepartureDeadlineSuspended   | FINAL_REJECTION, RETURN_PREP.,     | OVERSTAYED ->          | cancels deadline timer; closes police referrals |
// |                              | OVERSTAYED; deadline running       | FINAL_REJECTION        | |
// | timer departure_deadline     | FINAL_REJECTION                    | OVERSTAYED             | police referral in police/pu, due at expiry, priority by feasibility |
// | timer departure_deadline     | RETURN_PREPARATION                 | unchanged              | adviser follow-up task instead |
// | CaseReopened                 | FINAL_REJECTION, RETURN_PREP.,     | CASE_REOPENED          | deadline suspended; deadline and review timers cancelled |
// |                              | OVERSTAYED                         |                        | |
// | IomApplicationSubmitted      | any live stage, none pending       | FINAL_REJECTION,       | tier from the deadline in force (2); timer iom-follow-up-P at 60d; |
// |                              |                                    | OVERSTAYED -> RETURN_P.| closes the police referral |
// | IomApplicationApproved       | application pending                | unchanged              | |
// | IomApplicationWithdrawn,     | application pending                | RETURN_PREPARATION ->  | OVERSTAYED + one police referral if the deadline expired |
// | IomApplicationRefused        | (refused: same reference if given) |                        | |
// |                              |                                    | FINAL_REJECTION        | |
// | timer iom_follow_up          | same application pending           | unchanged              | adviser task |
// | Departed assisted voluntary  | IOM application pending            | DEPARTED_VOLUNTARY     | (T); departure deadline met |
// | Departed forced              | deadline expired, not suspended    | DEPARTED_FORCED        | (T); deadline met; police referral completed "effected"; PRAN checked |
// | Departed Dublin transfer     | dublin_case                        | DEPARTED_DUBLIN        | (T); departure deadline met |
// | ResidencePermitGranted       | any live stage                     | PERMIT_GRANTED         | (T) |
// | RelocationOrdered, Completed | after a final rejection, not exempt| unchanged              | completed: centre updated, relocation tasks closed |
// | Disappeared                  | any live stage, present            | overlay on             | police task; timer place-release-P at 14d |
// |                              |                                    |                        | pauses conversation and information tasks |
// | timer place_release          | overlay on                         | unchanged              | place released; reception task |
// | Reappeared                   | overlay on                         | overlay off            | cancels place release; closes police task |
// |                              |                                    |                        | resumes paused tasks with the days left |
// | QualificationCourse*         | any live stage                     | unchanged              | never moves a deadline |
// | ReturnConversationHeld       | any live stage                     | unchanged              | closes conversation tasks |
// | FlagsChanged                 | any live stage                     | unchanged              | closes relocation tasks if now exempt, opens one if no |
// |                              |                                    |                        | longer exempt after a final rejection; re-ranks referral |
// | TravelDocumentObtained       | any live stage                     | unchanged              | re-ranks the police referral |
// | PersonMovedCentre            | any live stage                     | unchanged              | |
// | timer escalation             | the watched task open, not paused  | unchanged              | escalation task in region/<REGION> |
// | timer long_stayer_review     | FINAL_REJECTION, OVERSTAYED        | unchanged              | adviser review task; re-armed +90d |
// | TaskCompleted                | the task open                      | unchanged              | closes it, its escalation timer and task |
// | HouseholdMemberJoined (3)    | a guardian, same household, centre | unchanged              | the child joins the guardian's household |
// | GuardianDecisionFollowed (3) | a child without a case of its own  | the guardian's         | the guardian's facts; child info 12-17; ended: no-op |
// | HouseholdTasksShared (3)     | a co-guardian of the holder        | unchanged              | notes the household's tasks held; moves with the family; |
// |                              |                                    |                        | opens a released task it is due; arms household-share |
// | GuardianFollowsCorrected (3) | a child who followed the guardian  | refolded               | its follows corrected or retracted; history refolded |
// | timer household_catch_up (3) | a guardian                         | unchanged              | the child who joined follows the guardian's decisions |
// | timer household_share (3)    | a co-guardian who took a task over | unchanged              | tells the co-guardians it holds the household's tasks |
// | EventCorrected / Retracted   | any stage, terminal included       | refolded               | history refolded; timer and task differences |
// | anything else                | terminal stages                    | -                      | FAILED_PRECONDITION |
// clang-format on
//
// (1) RETURN_PREPARATION instead if an IOM application is pending.
// (2) Tiers NOK 20,000 / 15,000 / 10,000 by the application's date against the
//     departure deadline in force (suspended still counts): by it / within 60
//     days after / later; a later application never ranks better than an
//     earlier one, until a reopened case leads to a new decision.
// (B) Facts arrive late: an event effective before the latest effective time
//     already applied is placed where it belongs (effective time, ties by
//     version) and the history refolded from nothing: state, deadlines,
//     tiers, timers and tasks are recomputed; a task that should not have
//     opened is cancelled, one that should have is opened (its timers, armed
//     in the past, fire at once). The stored history keeps its order; the
//     event's history entry notes what moved (HistoryEntry.moved). At most
//     one police referral is open, none while an IOM application is pending.
//     A task a replayed event carried out (the referral a forced return
//     effected) is completed with its outcome, as live. Refusals that guard
//     recording (a fact from the future, a final rejection while the appeal
//     window is open) apply to the fact being recorded or corrected, never to
//     a stored event the refold replays: it stands as it was accepted.
// (F) Final-rejection consequences from notification day D: departure
//     deadline D+21 (7-30 allowed), timer departure-deadline-P; relocation
//     task relocate-P in reception/<centre>, opened at once, due
//     min(D+7, deadline-2), priority 50 - (D - 2000-01-01 in days) so the
//     newest final rejection is served first, unless exempt (unaccompanied
//     minor aged 15-18 on D, Dublin case) or already at a return centre; if D
//     is more than 30 days before the day it is recorded (a long-stayer
//     brought in), the task is phased in instead: due 60 days after the
//     recording, priority 55 (rule relocation_phase_in); conversation task due
//     D+3; child-info-P-<child> for each child 12+ due D+14; review timer
//     review-P at D+90. Relocation and conversation tasks arm
//     escalate-<task key> at their due.
// (T) Terminal: every task closed, every timer cancelled. Index keys of a
//     terminal pathway, or of a person whose place was released, keep the
//     centre (and for terminal, the region) as scope-only keys
//     ("scope/centre/<centre>"): its staff may still read and correct.
// (3) Engine related events only (household.h): a child's registration names
//     its guardians; a guardian's decision names its children.
//
// Errors: FAILED_PRECONDITION with a caseworker's sentence for an event that
// may not happen now ("cannot record an appeal: the appeal window closed on
// 2026-03-02"); INVALID_ARGUMENT for a malformed payload or envelope, or an
// effective time (a correction's too) later than the recorded time, the
// engine's present, plus the policy's clock skew (300 s);
// NOT_FOUND for an event on an unregistered person or an unknown policy;
// ALREADY_EXISTS for a second registration.

struct Applied {
  returnpath::v1::PathwayState state;
  returnpath::engine::Transition transition;  // next_state = state's bytes
};

// Applies `event` to `state` (default instance for a new stream) under the
// policy version the event names (or, if it names none, the one in force at
// its effective time). `log` holds the events before it (a correction names
// the one it corrects by position).
absl::StatusOr<Applied> ApplyEvent(const returnpath::v1::PathwayState& state,
                                   const returnpath::v1::EventEnvelope& event,
                                   const PolicySet& policies,
                                   const returnpath::engine::EventLookup& log =
                                       returnpath::engine::NoEvents());

// For a caller that keeps the state decoded between events.
struct InPlace {
  // An event that refolds the history replaces the state whole; if set, this
  // then receives the state before it (else it is left alone).
  returnpath::v1::PathwayState* replaced = nullptr;
  // Leaves Transition::next_state empty outside a refold: the caller encodes
  // the state when it needs the bytes.
  bool skip_encoding = false;
};

// ApplyEvent changing `state` in place, which spares copying it (the write
// path and replay parse a fresh state for every event anyway). On an error
// `*state` is left half-changed and must be thrown away.
absl::StatusOr<returnpath::engine::Transition> ApplyEventInPlace(
    returnpath::v1::PathwayState* state,
    const returnpath::v1::EventEnvelope& event, const PolicySet& policies,
    const returnpath::engine::EventLookup& log, const InPlace& in_place = {});

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_MACHINE_H_
