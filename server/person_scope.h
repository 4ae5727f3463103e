#ifndef RETURNPATH_SERVER_PERSON_SCOPE_H_
#define RETURNPATH_SERVER_PERSON_SCOPE_H_

// One answer for "does not exist" and "not yours": a caller without scope over
// a person (or task) learns nothing about whether it exists.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/event_store.h"
#include "returnpath/v1/engine.pb.h"
#include "server/auth.h"

namespace returnpath::engine {

// NOT_FOUND, worded the same whether the person is missing or out of scope.
absl::Status NoSuchPerson(absl::string_view person_id);
// NOT_FOUND, worded the same whether the task is missing or out of scope.
absl::Status NoSuchTask(absl::string_view person_id, absl::string_view task_id);

// Whether the principal holds the scope over everything ("*").
bool CoversEverything(const Principal& principal);

// Whether some scope of the principal covers one of the person's index keys.
bool CoversPerson(const Principal& principal,
                  const returnpath::v1::StreamRecord& record);

// The person's stream record when it exists and the principal's scope covers
// it; NoSuchPerson otherwise. Other store errors pass through.
absl::StatusOr<returnpath::v1::StreamRecord> ReadablePerson(
    EventStore& store, const Principal& principal, absl::string_view person_id);

// The persons `items` name (events, tasks: anything with a stream_id()),
// each once, in order of first appearance: what one read of them logs.
template <typename Items>
std::vector<std::string> PersonsNamedIn(const Items& items) {
  std::vector<std::string> persons;
  absl::flat_hash_set<absl::string_view> seen;
  for (const auto& item : items) {
    if (seen.insert(item.stream_id()).second)
      persons.push_back(item.stream_id());
  }
  return persons;
}

// Which of the persons a listing meets the principal may see (a missing
// person: no), remembering each answer for the rest of the call. Not
// thread-safe; `store` outlives it.
class ScopeFilter {
 public:
  ScopeFilter(EventStore& store, const Principal& principal)
      : store_(store), principal_(principal) {}

  // Store errors other than NOT_FOUND pass through.
  absl::StatusOr<bool> Covers(const std::string& person_id);

 private:
  EventStore& store_;
  const Principal& principal_;
  absl::flat_hash_map<std::string, bool> seen_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_PERSON_SCOPE_H_
