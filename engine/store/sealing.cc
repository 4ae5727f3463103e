#include "store/sealing.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/aead.h"
#include "engine/erasable_fields.h"
#include "engine/status_macros.h"
#include "engine/stream_keys.h"
#include "store/keys.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::EventEnvelope;

// Stream keys rewrapped per durable write while rotating; the check record,
// written last, makes the rotation complete.
constexpr size_t kRewrapBatch = 1000;

absl::Status SealedWithoutKeys() {
  return absl::FailedPreconditionError(
      "this store's events are sealed: give its master key "
      "(--master_key_file or RETURNPATH_MASTER_KEY)");
}

// Whether the store holds any stream key.
absl::StatusOr<bool> HoldsKeys(const StoreView& view) {
  std::unique_ptr<TableCursor> cursor = view.Cursor(Table::kKeys);
  RP_RETURN_IF_ERROR(cursor->status());
  return cursor->Valid();
}

// Rewraps every stream key not wrapped by the current key, then writes the
// current key's check.
absl::Status Rotate(StoreBackend& backend, const MasterKeyring& keyring) {
  const std::string current = keyring.current().id;
  WriteSet batch;
  std::unique_ptr<TableCursor> it = backend.Latest().Cursor(Table::kKeys);
  for (; it->Valid(); it->Next()) {
    const absl::string_view stream = it->key();
    absl::StatusOr<WrappedKey> wrapped = DecodeWrappedKey(it->value());
    if (!wrapped.ok()) {
      return absl::DataLossError(absl::StrCat(
          "the key of stream \"", stream, "\": ", wrapped.status().message()));
    }
    if (wrapped->master_key_id == current) continue;
    RP_ASSIGN_OR_RETURN(WrappedKey rewrapped,
                        RewrapStreamKey(keyring, stream, *wrapped));
    batch.Put(Table::kKeys, it->key(), EncodeWrappedKey(rewrapped));
    if (batch.Count() >= kRewrapBatch) {
      RP_RETURN_IF_ERROR(backend.WriteNow(batch));
      batch = WriteSet();
    }
  }
  RP_RETURN_IF_ERROR(it->status());
  batch.Put(Table::kMeta, keys::kMetaMasterKeyCheck,
            MasterKeyCheck(keyring.current()));
  return backend.WriteNow(batch);
}

}  // namespace

absl::StatusOr<std::optional<std::string>> UnwrapStoredKey(
    const MasterKeyring* keyring, absl::string_view stream_id,
    absl::StatusOr<std::string> stored) {
  if (absl::IsNotFound(stored.status())) return std::nullopt;
  if (!stored.ok()) return stored.status();
  if (keyring == nullptr) return SealedWithoutKeys();
  absl::StatusOr<WrappedKey> wrapped = DecodeWrappedKey(*stored);
  if (!wrapped.ok()) {
    return absl::DataLossError(absl::StrCat(
        "the key of stream \"", stream_id, "\": ", wrapped.status().message()));
  }
  return UnwrapStreamKey(*keyring, stream_id, *wrapped);
}

StreamKeys::StreamKeys(std::shared_ptr<const MasterKeyring> keyring,
                       Reader read)
    : keyring_(std::move(keyring)), read_(std::move(read)) {}

absl::StatusOr<std::optional<std::string>> StreamKeys::Find(
    absl::string_view stream_id) {
  absl::MutexLock lock(&mu_);
  if (auto it = found_.find(stream_id); it != found_.end()) return it->second;
  RP_ASSIGN_OR_RETURN(
      std::optional<std::string> key,
      UnwrapStoredKey(keyring_.get(), stream_id, read_(stream_id)));
  found_.emplace(std::string(stream_id), key);
  return key;
}

StreamKeys KeysIn(const StoreView& view,
                  std::shared_ptr<const MasterKeyring> keyring) {
  return StreamKeys(std::move(keyring), [&view](absl::string_view s) {
    return view.Get(Table::kKeys, keys::StreamKey(s));
  });
}

namespace {

// A view that opens sealed events with the keys it holds.
class SealingView final : public StoreView {
 public:
  SealingView(std::unique_ptr<StoreView> view,
              std::shared_ptr<const MasterKeyring> keyring)
      : view_(std::move(view)), keys_(KeysIn(*view_, std::move(keyring))) {}
  absl::StatusOr<std::string> Get(Table table,
                                  absl::string_view key) const override {
    return view_->Get(table, key);
  }
  std::unique_ptr<TableCursor> Cursor(Table table, absl::string_view start,
                                      absl::string_view limit) const override {
    return view_->Cursor(table, start, limit);
  }
  absl::Status OpenSealed(EventEnvelope* event) const override {
    return OpenEvent(keys_, event);
  }

 private:
  const std::unique_ptr<StoreView> view_;
  // The keys of this view, found as sealed events are read.
  mutable StreamKeys keys_;
};

}  // namespace

std::unique_ptr<StoreView> WithSealing(
    std::unique_ptr<StoreView> view,
    std::shared_ptr<const MasterKeyring> keyring) {
  return std::make_unique<SealingView>(std::move(view), std::move(keyring));
}

std::string SealedAad(absl::string_view stream_id, uint64_t version) {
  std::string aad(stream_id);
  aad.push_back('\0');
  keys::PutU64(&aad, version);
  return aad;
}

absl::StatusOr<bool> SealEvent(
    absl::FunctionRef<absl::StatusOr<std::string>()> stream_key,
    EventEnvelope* event) {
  std::string part;
  RP_RETURN_IF_ERROR(SplitErasable(event->mutable_payload(), &part));
  if (part.empty()) return false;
  RP_ASSIGN_OR_RETURN(std::string key, stream_key());
  RP_ASSIGN_OR_RETURN(
      std::string sealed,
      AeadSeal(key, part,
               SealedAad(event->stream_id(), event->stream_version())));
  event->set_sealed(std::move(sealed));
  return true;
}

absl::Status OpenEventWith(const std::optional<std::string>& key,
                           EventEnvelope* event) {
  if (event->sealed().empty()) return absl::OkStatus();
  if (!key.has_value()) {
    event->clear_sealed();
    event->set_erased(true);
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> part =
      AeadOpen(*key, event->sealed(),
               SealedAad(event->stream_id(), event->stream_version()));
  absl::Status merged = part.status();
  if (merged.ok()) merged = MergeErasable(event->mutable_payload(), *part);
  if (!merged.ok()) {
    return absl::DataLossError(
        absl::StrCat("the sealed fields of the event at position ",
                     event->position(), " do not open: ", merged.message()));
  }
  event->clear_sealed();
  return absl::OkStatus();
}

absl::Status OpenEvent(StreamKeys& keys, EventEnvelope* event) {
  if (event->sealed().empty()) return absl::OkStatus();
  RP_ASSIGN_OR_RETURN(std::optional<std::string> key,
                      keys.Find(event->stream_id()));
  return OpenEventWith(key, event);
}

absl::Status OpenSealing(StoreBackend* backend,
                         std::shared_ptr<const MasterKeyring> keyring) {
  absl::StatusOr<std::string> check =
      backend->Latest().Get(Table::kMeta, keys::kMetaMasterKeyCheck);
  if (!check.ok() && !absl::IsNotFound(check.status())) return check.status();
  if (keyring == nullptr) {
    RP_ASSIGN_OR_RETURN(bool holds_keys, HoldsKeys(backend->Latest()));
    if (check.ok() || holds_keys) return SealedWithoutKeys();
    return absl::OkStatus();
  }
  if (check.ok()) {
    RP_RETURN_IF_ERROR(CheckMasterKey(*keyring, *check));
    RP_ASSIGN_OR_RETURN(WrappedKey made_by, DecodeWrappedKey(*check));
    if (made_by.master_key_id != keyring->current().id) {
      RP_RETURN_IF_ERROR(Rotate(*backend, *keyring));
    }
  } else {
    WriteSet batch;
    batch.Put(Table::kMeta, keys::kMetaMasterKeyCheck,
              MasterKeyCheck(keyring->current()));
    RP_RETURN_IF_ERROR(backend->WriteNow(batch));
  }
  backend->set_master_keys(std::move(keyring));
  return absl::OkStatus();
}

}  // namespace returnpath::engine
