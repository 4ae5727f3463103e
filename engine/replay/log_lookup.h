#ifndef RETURNPATH_ENGINE_REPLAY_LOG_LOOKUP_H_
#define RETURNPATH_ENGINE_REPLAY_LOG_LOOKUP_H_

// Engine-internal: the EventLookup a fold gives the workflow, over what it
// folds from (a store's snapshot, or the store itself).

#include <cstdint>

#include "absl/status/statusor.h"
#include "engine/event_store.h"
#include "engine/store_view.h"
#include "engine/workflow.h"
#include "returnpath/v1/event.pb.h"

namespace returnpath::engine {

// Events as `view` sees them. Thread-safe; `view` must outlive it.
class ViewEvents final : public EventLookup {
 public:
  explicit ViewEvents(const StoreView& view) : view_(view) {}
  absl::StatusOr<returnpath::v1::EventEnvelope> EventAt(
      uint64_t position) const override;
  absl::StatusOr<uint64_t> PositionOf(absl::string_view stream_id,
                                      uint64_t version) const override;

 private:
  const StoreView& view_;
};

// Events as `store` reads them now. `store` must outlive it.
class StoreEvents final : public EventLookup {
 public:
  explicit StoreEvents(EventStore& store) : store_(store) {}
  absl::StatusOr<returnpath::v1::EventEnvelope> EventAt(
      uint64_t position) const override;
  absl::StatusOr<uint64_t> PositionOf(absl::string_view stream_id,
                                      uint64_t version) const override;

 private:
  EventStore& store_;
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_REPLAY_LOG_LOOKUP_H_
