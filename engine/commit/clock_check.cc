#include "commit/clock_check.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/proto_time.h"
#include "engine/status_macros.h"
#include "store/codec.h"
#include "store/keys.h"

namespace returnpath::engine {
namespace {

constexpr char kTestClock[] = "test";

std::string TimeText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> LastRecorded(const StoreView& view,
                                        uint64_t position) {
  RP_ASSIGN_OR_RETURN(std::string stored,
                      view.Get(Table::kEvents, keys::Event(position)));
  returnpath::v1::EventEnvelope event;
  RP_RETURN_IF_ERROR(DecodeEventValue(position, stored, &event));
  return FromTimestamp(event.recorded_time());
}

absl::Status CheckTestClock(StoreBackend& backend,
                            const StoreOptions& options) {
  absl::StatusOr<std::string> written =
      backend.Latest().Get(Table::kMeta, keys::kMetaClock);
  if (!written.ok() && !absl::IsNotFound(written.status())) {
    return written.status();
  }
  const bool by_test = written.ok() && *written == kTestClock;
  if (options.clock->IsTestClock()) {
    if (by_test) return absl::OkStatus();
    WriteSet mark;
    mark.Put(Table::kMeta, keys::kMetaClock, kTestClock);
    return backend.WriteNow(mark);
  }
  if (!by_test || options.accept_test_clock_store) return absl::OkStatus();
  return absl::FailedPreconditionError(
      "the store was written under a test clock (a daemon with "
      "--clock=manual): its recorded times are a test's, not real ones; "
      "accept_test_clock_store (returnpathd --accept_test_clock_store) opens "
      "it under this clock anyway");
}

}  // namespace

absl::Status CheckClock(StoreBackend& backend, const StoreOptions& options,
                        const ChainState& chain) {
  RP_RETURN_IF_ERROR(CheckTestClock(backend, options));
  if (chain.last_position == 0) return absl::OkStatus();
  RP_ASSIGN_OR_RETURN(const absl::Time last,
                      LastRecorded(backend.Latest(), chain.last_position));
  if (options.clock->Now() < last && options.clock_behind) {
    RP_RETURN_IF_ERROR(options.clock_behind(last));
  }
  const absl::Time now = options.clock->Now();
  if (now >= last) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "the clock reads ", TimeText(now), ", before ", TimeText(last),
      ", when the store's last event (position ", chain.last_position,
      ") was recorded: recorded times must never go backwards; set the "
      "system clock right, or start a manual clock at or after that time"));
}

}  // namespace returnpath::engine
