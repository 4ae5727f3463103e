// EventStoreImpl::Gauges: what an operator's metrics scrape asks of the store.

#include "commit/event_store_impl.h"

namespace returnpath::engine {

StoreGauges EventStoreImpl::Gauges() {
  StoreGauges gauges;
  absl::ReaderMutexLock lock(&mu_);
  if (closed_) return gauges;
  gauges.last_position = LastPositionLocked();
  gauges.queued_commands = sequencer_->Queued();
  backend_->FillGauges(&gauges);
  return gauges;
}

}  // namespace returnpath::engine
