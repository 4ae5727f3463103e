#include "server/pathway_view.h"

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "server/person_scope.h"

namespace returnpath::engine {

void PackState(const Workflow& workflow, std::string state,
               google::protobuf::Any* out) {
  const std::string type = workflow.StateTypeName();
  out->set_type_url(type.empty() ? ""
                                 : absl::StrCat("type.googleapis.com/", type));
  out->set_value(std::move(state));
}

absl::StatusOr<v1::PathwayView> LoadPathwayView(EventStore& store,
                                                const Workflow& workflow,
                                                absl::string_view person_id) {
  absl::StatusOr<v1::StreamRecord> record = store.GetStreamRecord(person_id);
  if (absl::IsNotFound(record.status())) return NoSuchPerson(person_id);
  RP_RETURN_IF_ERROR(record.status());
  v1::PathwayView view;
  view.set_person_id(std::string(person_id));
  view.set_version(record->version());
  view.set_last_position(record->last_position());
  PackState(workflow, record->state(), view.mutable_state());
  for (const std::string& key : record->index_keys()) view.add_index_keys(key);
  RP_ASSIGN_OR_RETURN(std::vector<v1::Task> tasks,
                      store.TasksForStream(person_id));
  for (v1::Task& task : tasks) {
    if (task.state() == v1::TASK_STATE_OPEN ||
        task.state() == v1::TASK_STATE_LEASED ||
        task.state() == v1::TASK_STATE_PAUSED) {
      *view.add_open_tasks() = std::move(task);
    }
  }
  RP_ASSIGN_OR_RETURN(std::vector<v1::Timer> timers,
                      store.TimersForStream(person_id));
  for (v1::Timer& timer : timers) *view.add_timers() = std::move(timer);
  return view;
}

}  // namespace returnpath::engine
