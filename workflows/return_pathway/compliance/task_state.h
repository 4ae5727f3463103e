#ifndef RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_TASK_STATE_H_
#define RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_TASK_STATE_H_

// Internal to the compliance checker: reading a stored task's life.

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "returnpath/v1/engine.pb.h"
#include "workflows/return_pathway/compliance/evidence.h"

namespace returnpath::return_pathway::compliance {

// Open in any way: ready, leased or paused.
inline bool IsOpen(const returnpath::v1::Task& t) {
  return t.state() == returnpath::v1::TASK_STATE_OPEN ||
         t.state() == returnpath::v1::TASK_STATE_LEASED ||
         t.state() == returnpath::v1::TASK_STATE_PAUSED;
}

// Open at the event at `position` (it opened before and closed at or after
// it closed is not open).
inline bool OpenAt(const returnpath::v1::Task& t, uint64_t position) {
  return t.opened_at_position() < position &&
         (t.closed_at_position() == 0 || position < t.closed_at_position());
}

// The workflow held it while the person's whereabouts were unknown: its due
// time moved on by the days away.
inline bool EverPaused(const returnpath::v1::Task& t) {
  if (t.has_paused_time()) return true;
  for (const returnpath::v1::TaskChange& c : t.changes()) {
    if (absl::StrContains(c.what(), "paused")) return true;
  }
  return false;
}

// The duty `t` stood for was done: a worker completed it, or the event that
// does it (a DoneBy, e.g. ReturnConversationHeld) closed it.
template <typename DoneBy>
bool Done(const Evidence& e, const returnpath::v1::Task& t) {
  if (t.state() == returnpath::v1::TASK_STATE_COMPLETED) return true;
  const returnpath::v1::EventEnvelope* closing =
      e.EventAt(t.closed_at_position());
  return t.state() == returnpath::v1::TASK_STATE_CANCELLED &&
         closing != nullptr && closing->payload().Is<DoneBy>();
}

// The task's key: its id without the "~<version>" a reopening adds.
inline absl::string_view KeyOf(const returnpath::v1::Task& t) {
  absl::string_view id = t.id();
  return id.substr(0, id.find('~'));
}

}  // namespace returnpath::return_pathway::compliance

#endif  // RETURNPATH_WORKFLOWS_RETURN_PATHWAY_COMPLIANCE_TASK_STATE_H_
