#ifndef RETURNPATH_TOOLS_CRASHTEST_LANE_H_
#define RETURNPATH_TOOLS_CRASHTEST_LANE_H_

// One crash-test client: takes persons one after another through the return
// pathway (registration, final rejection, the relocation task completed, an
// IOM application, departure), each call with its own idempotency key, and
// notes every acknowledgement in the ledger. A call whose answer is lost to
// a crash is in doubt: the lane stops and retries it, with the same key,
// against the restarted daemon.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/lib/client.h"
#include "tools/crashtest/ledger.h"

namespace returnpath::crashtest {

// The daemon's manual clock starts here at every start; events without a
// legal date take it as their effective time, so a retry repeats the call.
inline constexpr char kClockStart[] = "2026-03-02T08:00:00Z";

// The lane's callers: reception records and relocates, the adviser records
// the IOM application (the policy's recording grants).
struct Desk {
  client::Client& reception;
  client::Client& adviser;
};

class Lane {
 public:
  // Persons "CT-<index>-<n>" at centre "Crash-<index>", so the lane's
  // reception queue holds only its own tasks.
  explicit Lane(int index);

  // Calls the desk until `stop` is set or a call is in doubt. An error only
  // for an answer that shows a bug (a refusal the script never expects).
  absl::Status Run(const Desk& desk, Ledger& ledger,
                   const std::atomic<bool>& stop);

  uint64_t in_doubt() const { return in_doubt_; }
  // A long poll that comes back empty although the person's relocation task
  // is open: by default a bug (the script stops); with this set, in doubt
  // and retried. The failover soak sets it: a daemon whose store is
  // unavailable for the whole wait answers the poll OK and empty.
  void set_retry_empty_polls(bool retry) { retry_empty_polls_ = retry; }
  uint64_t empty_polls() const { return empty_polls_; }
  // DATA_LOSS answers: by default a bug; with this set, in doubt and
  // retried, counted, the first one's message kept. The failover soak sets
  // it: a daemon that loses its store connection between two reads of the
  // chain's end reports DATA_LOSS for what is an outage.
  void set_retry_data_loss(bool retry) { retry_data_loss_ = retry; }
  uint64_t data_loss_answers() const { return data_loss_answers_; }
  const std::string& first_data_loss() const { return first_data_loss_; }
  // Completions refused because the lane's lease was gone
  // (FAILED_PRECONDITION): expected after a power cut before the lease was
  // synced; a loss when the store promised durability (the HA soak).
  uint64_t leases_lost() const { return leases_lost_; }

 private:
  // True: the step was acknowledged and the lane moved on; false: in doubt.
  absl::StatusOr<bool> Step(const Desk& desk, Ledger& ledger);
  absl::StatusOr<bool> CompleteRelocation(client::Client& reception,
                                          Ledger& ledger);
  // The relocation task of the current person, leased to this lane.
  absl::StatusOr<v1::TaskRef> LeaseRelocation(client::Client& reception);
  // Whether `status` leaves the call in doubt (to be retried with its key).
  bool InDoubt(const absl::Status& status);
  std::string Person() const;
  std::string Key() const;

  const int index_;
  const std::string centre_;
  const std::string worker_;
  absl::Time start_;  // kClockStart
  int person_ = 0;
  int step_ = 0;
  std::optional<v1::TaskRef> task_;  // leased, not yet known completed
  uint64_t in_doubt_ = 0;
  uint64_t leases_lost_ = 0;
  bool retry_empty_polls_ = false;
  uint64_t empty_polls_ = 0;
  bool retry_data_loss_ = false;
  uint64_t data_loss_answers_ = 0;
  std::string first_data_loss_;
};

}  // namespace returnpath::crashtest

#endif  // RETURNPATH_TOOLS_CRASHTEST_LANE_H_
