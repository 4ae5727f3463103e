#ifndef RETURNPATH_SERVER_ACCESS_LOG_H_
#define RETURNPATH_SERVER_ACCESS_LOG_H_

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "engine/event_store.h"
#include "returnpath/v1/services.pb.h"
#include "server/auth.h"

namespace returnpath::engine {

// Who read which person's data, when, through which call and why: durable,
// hash-chained records in the store's access log (EventStore::LogAccessAsync),
// written through the sequencer like any other write. Thread-safe; `store`
// outlives it.
class AccessLog {
 public:
  explicit AccessLog(EventStore* store);

  // Records, durably, that `principal` read the persons through `method`
  // (with the purpose the principal's call gave): `done` gets OK once the
  // records are durable, or the error, on the sequencer thread (at once, on
  // the caller's, when there is nothing to log). A read whose access could
  // not be logged must not be answered. `done` must not block.
  void RecordAsync(const Principal& principal, absl::string_view method,
                   std::vector<std::string> person_ids,
                   absl::AnyInvocable<void(absl::Status)> done);

  // Reads whose record was asked for and is not yet durable or failed (a
  // gauge: how many answers wait for the access log).
  int64_t Waiting() const { return waiting_.load(); }
  // Records written durably, and records whose write failed (the read was
  // refused), since start.
  int64_t Written() const { return written_.load(); }
  int64_t Failed() const { return failed_.load(); }

  // Says which persons' records a reader may see; its errors end the read.
  using PersonFilter =
      std::function<absl::StatusOr<bool>(const std::string& person_id)>;

  struct Page {
    std::vector<v1::AccessRecord> records;
    std::string next;  // raw: where the next page starts; empty if none
  };
  // At most `size` records `query` selects (its `after`: a previous page's
  // `next`), newest first, of the persons `include` accepts.
  absl::StatusOr<Page> Read(const AccessQuery& query, size_t size,
                            const PersonFilter& include);

  // What a record written before the log was chained says (a whole
  // AccessRecord): for StoreOptions::read_legacy_access.
  static absl::StatusOr<StoreOptions::LegacyAccess> ReadLegacy(
      absl::string_view record);

 private:
  EventStore* const store_;
  std::atomic<int64_t> waiting_{0};
  std::atomic<int64_t> written_{0};
  std::atomic<int64_t> failed_{0};
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_SERVER_ACCESS_LOG_H_
