#ifndef RETURNPATH_ENGINE_HISTORY_CHECKER_H_
#define RETURNPATH_ENGINE_HISTORY_CHECKER_H_

// What an application implements to check histories against the rules that
// should have governed them (engine/history_check.h runs it): it reads each
// stream as the store holds it (its events, every task it ever had, its
// stored state) and says which rules were broken. Written apart from the
// Workflow that applied the rules, it can find the workflow's own mistakes;
// it also recounts the statistics from the events alone.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "returnpath/v1/engine.pb.h"
#include "returnpath/v1/event.pb.h"

namespace returnpath::engine {

// One stream as the store holds it, from one snapshot.
struct StreamEvidence {
  std::string stream_id;
  std::vector<returnpath::v1::EventEnvelope> events;  // by stream version
  std::vector<returnpath::v1::Task> tasks;  // every task, any state, by id
  std::string state;  // the stored state bytes (empty: no state record)
};

// One rule a history broke.
struct Finding {
  std::string stream_id;  // empty for a finding about the whole log
  std::string rule;       // the checker's name for it, e.g. "conversation_late"
  std::string policy_version;
  std::vector<uint64_t> positions;  // the events behind it
  std::vector<std::string> dates;   // e.g. "departure deadline 2026-03-02"
  // When it happened (the finding is within a from/to range by this).
  absl::Time at = absl::InfinitePast();
  int64_t days_late = 0;  // for a duty done late or not yet done
  std::string message;    // one sentence an auditor reads
  // The system broke the rule (opened, kept or recorded something it
  // should not have); otherwise the people doing the work did (late).
  bool by_system = false;
};

// A count the checker makes from a stream's events alone, comparable to a
// StatisticsRow.
struct Recounted {
  std::string category;
  std::string group;
  absl::Time effective;  // the month is this time's month
};

class HistoryChecker {
 public:
  virtual ~HistoryChecker() = default;
  // The rules `stream`'s history broke, as of `now`. An error only when the
  // evidence cannot be read at all.
  virtual absl::StatusOr<std::vector<Finding>> Check(
      const StreamEvidence& stream, absl::Time now) const = 0;
  // What the stream's events count towards in the statistics, recounted
  // without the workflow.
  virtual std::vector<Recounted> Recount(
      const StreamEvidence& stream) const = 0;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_HISTORY_CHECKER_H_
