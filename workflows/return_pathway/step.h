#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_STEP_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_STEP_H_

// Internal to the return pathway: the working context of one event.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/workflow.h"
#include "google/protobuf/any.pb.h"
#include "returnpath/v1/pathway_state.pb.h"
#include "returnpath/v1/policy.pb.h"

namespace returnpath::return_pathway {

// One event as the machine applies it, live or replayed by a refold.
struct EventInput {
  std::string stream_id;
  // The event's stream version: it names the ids the event creates. Never
  // its global position, which is not known when the transition is made.
  uint64_t version = 0;
  std::vector<uint64_t> versions;  // version + its corrections: provenance
  absl::Time effective;
  absl::Time recorded;
  std::string policy_version;
  const returnpath::v1::Policy* policy = nullptr;
  google::protobuf::Any payload;
  bool replay = false;
  // Refusals that guard what may be recorded (a final rejection while the
  // appeal window is open) apply to an event being recorded now, live or
  // placed by a refold; never to a stored event a refold replays, which was
  // accepted under the rules of its day.
  bool recording = true;
  // A live related event: the stream of the event that caused it
  // (engine/workflow.h, RelatedEvent); empty for one a caller recorded.
  std::string caused_by_stream;
  // Earlier events of the log, e.g. the one a correction names by position.
  const returnpath::engine::EventLookup* log = &returnpath::engine::NoEvents();
  std::string replay_closed_task_key;  // replayed TaskCompleted: what it closed
  // A TimerFired or TaskCompleted the engine recorded under a name written
  // before state schema 2 (legacy_names.h): the payload carries the current
  // name, and the engine did not remove that timer or complete that task.
  bool legacy_name = false;
};

// A task to open; the key is deterministic from the event.
struct TaskDraft {
  std::string key;
  absl::string_view kind;
  std::string queue;
  std::string title;
  absl::Time due;
  int32_t priority = 0;
  std::string rule;
  std::vector<uint64_t> caused_by;
  std::string parent_key;
};

// Mutates `*state` (owned by the caller, live for the Step's life) for one
// event, recording what the engine must be told beyond the state diff. Not
// thread-safe.
class Step {
 public:
  Step(returnpath::v1::PathwayState* state, const EventInput& in)
      : state_(*state), in_(in) {}

  returnpath::v1::PathwayState& s() { return state_; }
  const returnpath::v1::PathwayState& s() const { return state_; }
  const EventInput& in() const { return in_; }
  const returnpath::v1::Policy& policy() const { return *in_.policy; }
  // The event's effective date in Norway.
  absl::CivilDay today() const;

  // Opens a task (id = key) and, if the policy escalates its kind, arms
  // "escalate-<key>" at its due time; paused instead while the person's
  // whereabouts are unknown and the task needs them.
  void OpenTask(TaskDraft draft);
  const returnpath::v1::PathwayTask* FindTaskByKey(absl::string_view key) const;
  const returnpath::v1::PathwayTask* FindTaskById(absl::string_view id) const;
  // Closes the task, its escalation timer and any escalation task about it.
  // False if no such task is open.
  bool CloseTask(absl::string_view key);
  void CloseTasksOfKind(absl::string_view kind);
  // Closes the task as carried out by this event: the engine completes it
  // with `outcome` instead of cancelling it.
  void CompleteTask(absl::string_view key, absl::string_view outcome);
  void CloseAllTasks();
  bool HasOpenTaskOfKind(absl::string_view kind) const;
  // The person's whereabouts became unknown: each open task that needs the
  // person (NeedsThePerson) and each escalation about one is paused, and
  // its escalation timer cancelled. Tasks such a person is given later open
  // paused (OpenTask).
  void PauseTasksNeedingThePerson();
  // The person is back: each paused task resumes, its due date moved on by
  // the days it was paused, and its escalation timer re-armed unless it was
  // already escalated.
  void ResumePausedTasks();

  // Arming an id that is armed replaces it.
  void ArmTimer(absl::string_view id, absl::string_view kind, absl::Time due,
                absl::string_view payload, std::vector<uint64_t> caused_by);
  const returnpath::v1::PathwayTimer* FindTimer(absl::string_view id) const;
  void CancelTimer(absl::string_view id);
  void CancelTimersOfKind(absl::string_view kind);
  void CancelAllTimers();

  // Queue names from the policy's templates and the person's residence.
  std::string ReceptionQueue() const;
  std::string AdvisersQueue() const;
  std::string RegionQueue() const;
  std::string PoliceQueue() const;
  // Every queue above, in that order: what ReaddressTasks compares.
  std::vector<std::string> PlaceQueues() const;
  // Tasks follow the person: after a move, each open task addressed to
  // `before[i]` (PlaceQueues() before the move) goes to PlaceQueues()[i].
  // A queue the move leaves unchanged (e.g. the national police queue) keeps
  // its tasks.
  void ReaddressTasks(const std::vector<std::string>& before);

  // "<prefix>-v<version>", the deterministic name of what this event opens;
  // "<prefix>-v<version>.<n>" for the n-th overdue timer it fires first.
  std::string Key(absl::string_view prefix) const;
  std::string key_suffix;

  // Set when this event is a timer firing or a task completing: the engine
  // already removed that timer or completed that task.
  std::string fired_timer_id;
  std::string completed_task_id;
  std::string closed_task_key;
  // Set when this event made a rejection final without saying so itself.
  bool derived_final_rejection = false;
  // Set when this child's pathway ended with a guardian's departure.
  bool departed_with_guardian = false;
  // Tasks CompleteTask closed: (key, outcome).
  std::vector<std::pair<std::string, std::string>> task_outcomes;

 private:
  std::string FillQueue(const std::string& pattern) const;
  // Arms "escalate-<key>" at `due` if the policy escalates the task's kind.
  void ArmEscalation(const returnpath::v1::PathwayTask& task, absl::Time due,
                     std::vector<uint64_t> caused_by);

  returnpath::v1::PathwayState& state_;
  const EventInput& in_;
};

// FAILED_PRECONDITION "cannot <action>: <reason>".
absl::Status Refuse(absl::string_view action, absl::string_view reason);

// "NORD", "MIDT_NORGE", ...: the region as index keys and queues name it.
std::string RegionName(returnpath::v1::Region region);

// "FINAL_REJECTION": the stage as index keys name it.
std::string StageName(returnpath::v1::Stage stage);

bool IsTerminal(returnpath::v1::Stage stage);

// A sentence on where the pathway stands, for refusals.
std::string DescribeStage(const returnpath::v1::PathwayState& s);

}  // namespace returnpath::return_pathway

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_STEP_H_
