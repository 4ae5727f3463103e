#include "store/sealing.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/aead.h"
#include "engine/erasable_fields.h"
#include "engine/status_macros.h"
#include "engine/stream_keys.h"
#include "rocksdb/write_batch.h"
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

absl::Status WriteDurably(const StoreDb& db, rocksdb::WriteBatch* batch,
                          absl::string_view what) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db.db()->Write(wo, batch), what);
}

// Whether the store holds any stream key.
absl::StatusOr<bool> HoldsKeys(const StoreDb& db) {
  std::unique_ptr<rocksdb::Iterator> it(
      db.db()->NewIterator(rocksdb::ReadOptions(), db.cf(Table::kKeys)));
  it->SeekToFirst();
  RP_RETURN_IF_ERROR(FromRocks(it->status(), "reading the stream keys"));
  return it->Valid();
}

// Rewraps every stream key not wrapped by the current key, then writes the
// current key's check.
absl::Status Rotate(const StoreDb& db, const MasterKeyring& keyring) {
  const std::string current = keyring.current().id;
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(
      db.db()->NewIterator(rocksdb::ReadOptions(), db.cf(Table::kKeys)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const absl::string_view stream = View(it->key());
    absl::StatusOr<WrappedKey> wrapped = DecodeWrappedKey(View(it->value()));
    if (!wrapped.ok()) {
      return absl::DataLossError(absl::StrCat(
          "the key of stream \"", stream, "\": ", wrapped.status().message()));
    }
    if (wrapped->master_key_id == current) continue;
    RP_ASSIGN_OR_RETURN(WrappedKey rewrapped,
                        RewrapStreamKey(keyring, stream, *wrapped));
    batch.Put(db.cf(Table::kKeys), it->key(), EncodeWrappedKey(rewrapped));
    if (batch.Count() >= kRewrapBatch) {
      RP_RETURN_IF_ERROR(WriteDurably(db, &batch, "rewrapping stream keys"));
      batch.Clear();
    }
  }
  RP_RETURN_IF_ERROR(FromRocks(it->status(), "reading the stream keys"));
  batch.Put(db.cf(Table::kMeta), keys::kMetaMasterKeyCheck,
            MasterKeyCheck(keyring.current()));
  return WriteDurably(db, &batch, "rewrapping stream keys");
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

StreamKeys KeysAt(const StoreDb& db, const rocksdb::Snapshot* snapshot) {
  return StreamKeys(db.master_keys(), [&db, snapshot](absl::string_view s) {
    return db.Get(Table::kKeys, keys::StreamKey(s), snapshot);
  });
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

absl::Status OpenSealing(StoreDb* db,
                         std::shared_ptr<const MasterKeyring> keyring) {
  absl::StatusOr<std::string> check =
      db->Get(Table::kMeta, keys::kMetaMasterKeyCheck, nullptr);
  if (!check.ok() && !absl::IsNotFound(check.status())) return check.status();
  if (keyring == nullptr) {
    RP_ASSIGN_OR_RETURN(bool holds_keys, HoldsKeys(*db));
    if (check.ok() || holds_keys) return SealedWithoutKeys();
    return absl::OkStatus();
  }
  if (check.ok()) {
    RP_RETURN_IF_ERROR(CheckMasterKey(*keyring, *check));
    RP_ASSIGN_OR_RETURN(WrappedKey made_by, DecodeWrappedKey(*check));
    if (made_by.master_key_id != keyring->current().id) {
      RP_RETURN_IF_ERROR(Rotate(*db, *keyring));
    }
  } else {
    rocksdb::WriteBatch batch;
    batch.Put(db->cf(Table::kMeta), keys::kMetaMasterKeyCheck,
              MasterKeyCheck(keyring->current()));
    RP_RETURN_IF_ERROR(
        WriteDurably(*db, &batch, "writing the master key check"));
  }
  db->set_master_keys(std::move(keyring));
  return absl::OkStatus();
}

}  // namespace returnpath::engine
