// Wrapping stream keys with the master key (engine/stream_keys.h).

#include "engine/stream_keys.h"

#include <utility>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_cat.h"
#include "engine/aead.h"
#include "engine/digest.h"
#include "engine/status_macros.h"

namespace returnpath::engine {
namespace {

constexpr char kWrappedKeyVersion = 1;
constexpr char kCheckText[] = "returnpath master key check v1";

// The associated data of a sealing: what it is for, the master key's id and
// the stream (or check) it belongs to. The id is length-prefixed so the
// boundary between it and the stream id cannot move.
std::string Aad(absl::string_view purpose, absl::string_view master_key_id,
                absl::string_view stream_id) {
  return absl::StrCat(purpose, absl::string_view("\0", 1),
                      std::string(1, static_cast<char>(master_key_id.size())),
                      master_key_id, stream_id);
}

std::string StreamAad(absl::string_view master_key_id,
                      absl::string_view stream_id) {
  return Aad("returnpath stream key v1", master_key_id, stream_id);
}

std::string CheckAad(absl::string_view master_key_id) {
  return Aad("returnpath master key check v1", master_key_id, "");
}

WrappedKey Seal(const MasterKey& master, absl::string_view plaintext,
                const std::string& aad) {
  absl::StatusOr<std::string> sealed = AeadSeal(master.key, plaintext, aad);
  // A MasterKey is only made from 32 bytes.
  ABSL_RAW_CHECK(sealed.ok(), "sealing with a master key failed");
  return {master.id, *std::move(sealed)};
}

}  // namespace

std::string NewStreamKey() { return RandomBytes(kAeadKeySize); }

std::string EncodeWrappedKey(const WrappedKey& wrapped) {
  ABSL_RAW_CHECK(wrapped.master_key_id.size() <= 255,
                 "a master key id is longer than 255 bytes");
  return absl::StrCat(
      std::string(1, kWrappedKeyVersion),
      std::string(1, static_cast<char>(wrapped.master_key_id.size())),
      wrapped.master_key_id, wrapped.sealed);
}

absl::StatusOr<WrappedKey> DecodeWrappedKey(absl::string_view bytes) {
  auto damaged = [](absl::string_view why) {
    return absl::DataLossError(
        absl::StrCat("a wrapped key record is damaged: ", why));
  };
  if (bytes.size() < 2) return damaged("it is shorter than its header");
  if (bytes[0] != kWrappedKeyVersion) {
    return damaged(absl::StrCat("its version is ", static_cast<int>(bytes[0]),
                                ", not ",
                                static_cast<int>(kWrappedKeyVersion)));
  }
  const size_t id_size = static_cast<unsigned char>(bytes[1]);
  if (bytes.size() < 2 + id_size) {
    return damaged("it ends inside the master key id");
  }
  return WrappedKey{std::string(bytes.substr(2, id_size)),
                    std::string(bytes.substr(2 + id_size))};
}

WrappedKey WrapStreamKey(const MasterKey& master, absl::string_view stream_id,
                         absl::string_view key) {
  return Seal(master, key, StreamAad(master.id, stream_id));
}

absl::StatusOr<std::string> UnwrapStreamKey(const MasterKeyring& keys,
                                            absl::string_view stream_id,
                                            const WrappedKey& wrapped) {
  const MasterKey* master = keys.Find(wrapped.master_key_id);
  if (master == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the key of stream ", stream_id, " is wrapped with master key ",
        wrapped.master_key_id, ", which this process was not given"));
  }
  absl::StatusOr<std::string> opened =
      AeadOpen(master->key, wrapped.sealed, StreamAad(master->id, stream_id));
  if (!opened.ok()) {
    return absl::DataLossError(absl::StrCat(
        "the key of stream ", stream_id, " does not unwrap with master key ",
        master->id, ": ", opened.status().message()));
  }
  std::string key = *std::move(opened);
  if (key.size() != kAeadKeySize) {
    return absl::DataLossError(absl::StrCat(
        "the key of stream ", stream_id, " is ", key.size(), " bytes, not 32"));
  }
  return key;
}

absl::StatusOr<WrappedKey> RewrapStreamKey(const MasterKeyring& keys,
                                           absl::string_view stream_id,
                                           const WrappedKey& wrapped) {
  RP_ASSIGN_OR_RETURN(const std::string key,
                      UnwrapStreamKey(keys, stream_id, wrapped));
  return WrapStreamKey(keys.current(), stream_id, key);
}

std::string MasterKeyCheck(const MasterKey& key) {
  return EncodeWrappedKey(Seal(key, kCheckText, CheckAad(key.id)));
}

absl::Status CheckMasterKey(const MasterKeyring& keys,
                            absl::string_view check) {
  absl::StatusOr<WrappedKey> record = DecodeWrappedKey(check);
  if (!record.ok()) {
    return absl::DataLossError(absl::StrCat(
        "the master key check record is damaged: ", record.status().message()));
  }
  const MasterKey* master = keys.Find(record->master_key_id);
  if (master == nullptr) {
    const MasterKey& current = keys.current();
    return absl::FailedPreconditionError(absl::StrCat(
        "the master key ", current.id, " (", current.source,
        ") does not open this store: its keys are wrapped with master key ",
        record->master_key_id,
        "; start with that key, or give it as a previous key while rotating"));
  }
  absl::StatusOr<std::string> text =
      AeadOpen(master->key, record->sealed, CheckAad(master->id));
  if (!text.ok() || *text != kCheckText) {
    return absl::DataLossError(absl::StrCat(
        "the master key check record of master key ", master->id, " (",
        master->source,
        ") does not open although it names that key: the record is damaged"));
  }
  return absl::OkStatus();
}

}  // namespace returnpath::engine
