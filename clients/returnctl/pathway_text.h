#ifndef RETURNPATH_CLIENTS_RETURNCTL_PATHWAY_TEXT_H_
#define RETURNPATH_CLIENTS_RETURNCTL_PATHWAY_TEXT_H_

// A person's pathway, tasks and events as people read them.

#include <ostream>
#include <string>
#include <vector>

#include "google/protobuf/timestamp.pb.h"
#include "returnpath/v1/event.pb.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "returnpath/v1/services.pb.h"

namespace returnpath::returnctl {

// Stage, person, deadlines with the rule behind each, decisions, IOM tier,
// open tasks, timers, flags and household.
void PrintPathway(const v1::PathwayView& view, std::ostream& out);

// "final-rejection"; "-" when unknown.
std::string StageText(int stage);

// The stage of a view ("-" when its state is not a PathwayState).
std::string StageOf(const v1::PathwayView& view);

// A task table: PERSON TASK KIND QUEUE DUE PRI STATE RULE TITLE.
void PrintTasks(const std::vector<v1::Task>& tasks, std::ostream& out,
                const std::string& indent = "");

// A task's due time as the day people read it, in Oslo: "by 2026-03-09"
// when it is the end of that day (00:00 the next day), else "by 2026-03-10
// 01:00".
std::string DueText(const google::protobuf::Timestamp& time);

// DueText of a task, or for a paused one the time it has left: "paused, 9
// days left" (its due date is suspended until the pathway resumes it).
std::string TaskDueText(const v1::Task& task);

// An effective time: the date alone when it is 00:00 in Oslo.
std::string EffectiveText(const google::protobuf::Timestamp& time);

// What late, corrected or other events moved under people (tasks cancelled,
// opened or re-ranked, deadlines and stage recomputed), each line naming the
// event: "position 12: task police referral police-referral-9 cancelled: the
// IOM application at position 12 (effective 2026-03-20) comes before ...".
// The last `limit` events that moved something; 0 for all. Prints nothing if
// none did.
void PrintMoves(const v1::PathwayState& state, size_t limit, std::ostream& out);

// A timeline of events: POS VER EFFECTIVE RECORDED PRINCIPAL POLICY HASH EVENT,
// with a PERSON column when `with_person`.
// DescribeEvent, with "(caused by G-1 event 12)" for a related event.
std::string EventText(const v1::EventEnvelope& event);

void PrintTimeline(const std::vector<v1::EventEnvelope>& events,
                   bool with_person, std::ostream& out);

}  // namespace returnpath::returnctl

#endif  // RETURNPATH_CLIENTS_RETURNCTL_PATHWAY_TEXT_H_
