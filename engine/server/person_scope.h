#ifndef RETURNPATH_ENGINE_SERVER_PERSON_SCOPE_H_
#define RETURNPATH_ENGINE_SERVER_PERSON_SCOPE_H_

// One answer for "does not exist" and "not yours": a caller without scope over
// a person (or task) learns nothing about whether it exists.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/event_store.h"
#include "engine/server/auth.h"
#include "returnpath/v1/engine.pb.h"

namespace returnpath::engine {

// NOT_FOUND, worded the same whether the person is missing or out of scope.
absl::Status NoSuchPerson(absl::string_view person_id);
// NOT_FOUND, worded the same whether the task is missing or out of scope.
absl::Status NoSuchTask(absl::string_view person_id, absl::string_view task_id);

// Whether some scope of the principal covers one of the person's index keys.
bool CoversPerson(const Principal& principal,
                  const returnpath::v1::StreamRecord& record);

// The person's stream record when it exists and the principal's scope covers
// it; NoSuchPerson otherwise. Other store errors pass through.
absl::StatusOr<returnpath::v1::StreamRecord> ReadablePerson(
    EventStore& store, const Principal& principal, absl::string_view person_id);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_SERVER_PERSON_SCOPE_H_
