#include "server/person_scope.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace returnpath::engine {

absl::Status NoSuchPerson(absl::string_view person_id) {
  return absl::NotFoundError(
      absl::StrCat("no person with id ", person_id, " in your scope"));
}

absl::Status NoSuchTask(absl::string_view person_id,
                        absl::string_view task_id) {
  return absl::NotFoundError(absl::StrCat("no task ", task_id, " for person ",
                                          person_id, " in your scope"));
}

bool CoversEverything(const Principal& principal) {
  for (const std::string& scope : principal.scopes) {
    if (scope == "*") return true;
  }
  return false;
}

bool CoversPerson(const Principal& principal,
                  const returnpath::v1::StreamRecord& record) {
  if (CoversEverything(principal)) return true;
  for (const std::string& key : record.index_keys()) {
    if (ScopeCovers(principal, key)) return true;
    // "scope/<key>" grants what <key> grants, without listing the person
    // under <key> (workflow.h).
    absl::string_view scoped = key;
    if (absl::ConsumePrefix(&scoped, kScopeOnlyKeyPrefix) &&
        ScopeCovers(principal, scoped)) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<returnpath::v1::StreamRecord> ReadablePerson(
    EventStore& store, const Principal& principal,
    absl::string_view person_id) {
  absl::StatusOr<returnpath::v1::StreamRecord> record =
      store.GetStreamRecord(person_id);
  if (absl::IsNotFound(record.status())) return NoSuchPerson(person_id);
  if (!record.ok()) return record.status();
  if (!CoversPerson(principal, *record)) return NoSuchPerson(person_id);
  return record;
}

absl::StatusOr<bool> ScopeFilter::Covers(const std::string& person_id) {
  auto it = seen_.find(person_id);
  if (it != seen_.end()) return it->second;
  absl::StatusOr<returnpath::v1::StreamRecord> record =
      ReadablePerson(store_, principal_, person_id);
  if (!record.ok() && !absl::IsNotFound(record.status())) {
    return record.status();
  }
  seen_.emplace(person_id, record.ok());
  return record.ok();
}

}  // namespace returnpath::engine
