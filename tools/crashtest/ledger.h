#ifndef RETURNPATH_TOOLS_CRASHTEST_LEDGER_H_
#define RETURNPATH_TOOLS_CRASHTEST_LEDGER_H_

// What the daemon acknowledged to the crash test's clients, and the check
// that a restarted daemon still has each of it exactly once.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clients/lib/client.h"

namespace returnpath::crashtest {

// One call the daemon answered OK: an event recorded or a task completed.
struct Ack {
  std::string person;
  std::string idempotency_key;  // the call's, unique in the whole run
  std::string type;             // "returnpath.v1.FirstRejection"
  uint64_t position = 0;
  uint64_t version = 0;  // 0: the call does not return it (task completion)
  // When the call (the try that was answered) was sent; InfinitePast if not
  // noted.
  absl::Time started = absl::InfinitePast();
};

// Thread-safe.
class Ledger {
 public:
  void Add(Ack ack);
  // The persons with an acknowledgement added since the last call.
  std::vector<std::string> TakeTouched();
  std::vector<std::string> AllPersons() const;
  std::vector<Ack> AcksOf(const std::string& person) const;
  uint64_t size() const;
  // When the first acknowledgement of a call sent after `t` was added;
  // nullopt if none was yet (how long writes were unavailable after a
  // failure at `t`, as the clients saw it).
  std::optional<absl::Time> FirstAckAfter(absl::Time t) const;

 private:
  mutable absl::Mutex mu_;
  absl::btree_map<std::string, std::vector<Ack>> by_person_
      ABSL_GUARDED_BY(mu_);
  absl::btree_set<std::string> touched_ ABSL_GUARDED_BY(mu_);
  uint64_t size_ ABSL_GUARDED_BY(mu_) = 0;
  // When each acknowledgement was added (in Add order) and its call sent.
  std::vector<std::pair<absl::Time, absl::Time>> added_at_ ABSL_GUARDED_BY(mu_);
};

struct CheckCounts {
  uint64_t checked = 0;               // acknowledgements looked up
  uint64_t lost = 0;                  // not found at their position and version
  uint64_t duplicated = 0;            // a call stored more than once
  std::vector<std::string> problems;  // one line each, for the report
};

// Reads each person's history through `auditor` and adds to `counts`: every
// acknowledgement must be there at its position (and version), with its
// type; no idempotency key may carry two events of one type. An error only
// when a history cannot be read.
absl::Status CheckPersons(client::Client& auditor, const Ledger& ledger,
                          const std::vector<std::string>& persons,
                          CheckCounts& counts);

// The check CheckPersons makes for one person, given their history.
void CheckHistory(const std::string& person, const std::vector<Ack>& acks,
                  const std::vector<v1::EventEnvelope>& history,
                  CheckCounts& counts);

}  // namespace returnpath::crashtest

#endif  // RETURNPATH_TOOLS_CRASHTEST_LEDGER_H_
