#ifndef RETURNPATH_ENGINE_STORE_TASK_KEYS_H_
#define RETURNPATH_ENGINE_STORE_TASK_KEYS_H_

// Engine-internal: the task queue's own entries in the `task_ready` column
// family, beside the event store's ready entries (keys.h).
//
// A ready entry starts with a queue name, which is never empty, so keys that
// start with '\0' can never collide with one. The task queue keeps three
// such families:
//
//   key                                           meaning
//   \0 'D' queue \0 time T, stream \0 task_id     "look at this task at T": a
//        LEASED task whose lease expires at T, or an OPEN task waiting out a
//        retry delay until T (its ready entry is withheld until then)
//   \0 'X' queue \0 stream \0 task_id             a DEAD_LETTER task
//   \0 'P' queue \0 stream \0 task_id             a PAUSED task
//
// Entries are hints: a reader checks the task record and drops or skips an
// entry whose task has moved on (closed by the workflow, re-leased, ...).

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "returnpath/v1/engine.pb.h"

namespace returnpath::engine::task_keys {

// The event store's ready entry for `task` (keys::TaskReady).
std::string Ready(const returnpath::v1::Task& task);

std::string DelayedPrefix(absl::string_view queue);
// The start of every queue's delayed entries.
std::string AllDelayedPrefix();
std::string Delayed(absl::string_view queue, absl::Time at,
                    absl::string_view stream, absl::string_view id);
bool DecodeDelayed(absl::string_view key, absl::Time* at, std::string* stream,
                   std::string* id);

// The untimed families: a DEAD_LETTER task, a PAUSED one.
enum class Mark : char { kDead = 'X', kPaused = 'P' };
std::string MarkedPrefix(Mark mark, absl::string_view queue);
bool DecodeMarked(Mark mark, absl::string_view key, std::string* stream,
                  std::string* id);
// The untimed entry a task in its current state needs, or "" if none.
std::string MarkedFor(const returnpath::v1::Task& task);

// Times the task queue writes into keys are whole microseconds, so a key and
// the record it points at name the same instant.
inline absl::Time TruncateToMicros(absl::Time t) {
  return absl::FromUnixMicros(absl::ToUnixMicros(t));
}

// The delayed entry a task in its current state needs, or "" if none: a
// LEASED task at lease_expires; an OPEN task whose visible_time is after
// `now`.
std::string DelayedFor(const returnpath::v1::Task& task, absl::Time now);

// The time in a delayed entry must equal the task's own time to the micro.
bool SameMicros(absl::Time a, absl::Time b);

}  // namespace returnpath::engine::task_keys

#endif  // RETURNPATH_ENGINE_STORE_TASK_KEYS_H_
