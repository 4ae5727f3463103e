#ifndef RETURNPATH_ENGINE_STORE_SEALING_H_
#define RETURNPATH_ENGINE_STORE_SEALING_H_

// Store-internal: the erasable fields of an event (engine/erasable_fields.h)
// are sealed at rest under its stream's key (engine/stream_keys.h) and opened
// on every read, so readers see the payload as it was appended. A sealed
// event whose stream has no key any more reads as erased. See
// docs/privacy.md, "Sealing at rest".

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "engine/master_key.h"
#include "returnpath/v1/event.pb.h"
#include "engine/store_view.h"
#include "store/store_backend.h"

namespace returnpath::engine {

// The stream's data key from a read of its `keys` record: nullopt if the
// read found none (NOT_FOUND), the unwrapped key otherwise.
// FAILED_PRECONDITION if `keyring` is null (a sealed store opened without its
// master key) or does not hold the key that wrapped it.
absl::StatusOr<std::optional<std::string>> UnwrapStoredKey(
    const MasterKeyring* keyring, absl::string_view stream_id,
    absl::StatusOr<std::string> stored);

// Stream keys read through `read` (a stream's `keys` record; NOT_FOUND if it
// has none) and unwrapped once each. Keep one per snapshot or per command,
// never longer: a key erased after it was made would live on in it.
// Thread-safe.
class StreamKeys {
 public:
  using Reader =
      std::function<absl::StatusOr<std::string>(absl::string_view stream_id)>;
  StreamKeys(std::shared_ptr<const MasterKeyring> keyring, Reader read);

  // The stream's key; nullopt if it has none.
  absl::StatusOr<std::optional<std::string>> Find(absl::string_view stream_id);

 private:
  const std::shared_ptr<const MasterKeyring> keyring_;
  const Reader read_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::optional<std::string>> found_
      ABSL_GUARDED_BY(mu_);
};

// The keys `view` holds, unwrapped with `keyring`. The view must outlive
// them.
StreamKeys KeysIn(const StoreView& view,
                  std::shared_ptr<const MasterKeyring> keyring);

// `view` with OpenSealed opening its sealed events with the keys it holds.
std::unique_ptr<StoreView> WithSealing(
    std::unique_ptr<StoreView> view,
    std::shared_ptr<const MasterKeyring> keyring);

// What a sealed part is bound to: stream_id '\0' big-endian stream_version.
std::string SealedAad(absl::string_view stream_id, uint64_t version);

// Moves the erasable fields of event->payload into event->sealed, sealed
// under the key `stream_key` gives, which is asked only if there is anything
// to seal. Whether it sealed: if not, the event is left as it was. The
// event's stream id and version must be final.
absl::StatusOr<bool> SealEvent(
    absl::FunctionRef<absl::StatusOr<std::string>()> stream_key,
    returnpath::v1::EventEnvelope* event);

// Opens a sealed event with its stream's key: merges the erasable fields back
// and clears `sealed`. A null key (the stream's key is gone) clears `sealed`
// and sets `erased`. An unsealed event is left as it is. DATA_LOSS if the
// sealed part does not open or does not fit the payload.
absl::Status OpenEventWith(const std::optional<std::string>& key,
                           returnpath::v1::EventEnvelope* event);

// OpenEventWith with the key `keys` finds for the event's stream, looked up
// only if the event is sealed.
absl::Status OpenEvent(StreamKeys& keys, returnpath::v1::EventEnvelope* event);

// Brings the store's sealing to `keyring` as Open does (EventStore::Open,
// StoreOptions::master_keys): writes the master key check into a store that
// has none, refuses a store whose check another key made, rewraps every
// stream key under the current key when the check was made by a previous
// one, and refuses a sealed store when `keyring` is null. Then sets
// backend->master_keys().
absl::Status OpenSealing(StoreBackend* backend,
                         std::shared_ptr<const MasterKeyring> keyring);

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_STORE_SEALING_H_
