#include "store/verify.h"

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "returnpath/v1/event.pb.h"
#include "store/codec.h"
#include "store/hash_chain.h"
#include "store/keys.h"

namespace returnpath::engine {
namespace {

constexpr uint64_t kProgressEvery = 4096;

constexpr char kBadPositionUrl[] = "type.returnpath/engine.BadPosition";

absl::Status Bad(uint64_t position, absl::string_view why) {
  absl::Status bad =
      absl::DataLossError(absl::StrCat("position ", position, ": ", why));
  bad.SetPayload(kBadPositionUrl, absl::Cord(absl::StrCat(position)));
  return bad;
}

// The meta record's last position and chain head; {0, genesis} if absent.
absl::StatusOr<ChainState> ReadMeta(const StoreView& view) {
  RP_ASSIGN_OR_RETURN(ChainEnd end, ReadChainEnd(view, keys::kMetaLastPosition,
                                                 keys::kMetaChainHead));
  ChainState meta;
  meta.last_position = end.last;
  meta.head = std::move(end.head);
  return meta;
}

// The key of the last stored event, 0 if there is none.
absl::StatusOr<uint64_t> LastStoredPosition(const StoreView& view) {
  RP_ASSIGN_OR_RETURN(std::optional<std::string> key,
                      view.LastKey(Table::kEvents));
  if (!key.has_value()) return 0;
  uint64_t position;
  if (!keys::DecodeEvent(*key, &position)) {
    return absl::DataLossError("the last key in events is not a position");
  }
  return position;
}

// Checks the meta record against the last event `view` holds.
absl::Status CheckHead(const StoreView& view, const ChainState& meta) {
  RP_ASSIGN_OR_RETURN(uint64_t last, LastStoredPosition(view));
  if (last != meta.last_position) {
    return absl::DataLossError(
        absl::StrCat("meta says the last position is ", meta.last_position,
                     " but the last stored event is at ", last));
  }
  if (last == 0) return absl::OkStatus();
  RP_ASSIGN_OR_RETURN(std::string value,
                      view.Get(Table::kEvents, keys::Event(last)));
  absl::string_view hash, bytes;
  RP_RETURN_IF_ERROR(SplitEventValue(last, value, &hash, &bytes));
  if (hash != meta.head) {
    return Bad(last, "its stored hash is not the chain head in meta");
  }
  return absl::OkStatus();
}

// Checks one stored event against the previous hash and the stream index.
absl::Status CheckEvent(const StoreView& view, uint64_t position, absl::string_view value,
                        absl::string_view previous_hash) {
  absl::string_view hash, bytes;
  RP_RETURN_IF_ERROR(SplitEventValue(position, value, &hash, &bytes));
  returnpath::v1::EventEnvelope event;
  if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Bad(position, "the envelope does not parse");
  }
  if (event.position() != position) {
    return Bad(position,
               absl::StrCat("the envelope says position ", event.position()));
  }
  if (!event.hash().empty()) return Bad(position, "the envelope holds a hash");
  if (event.previous_hash() != previous_hash) {
    return Bad(position, "previous_hash is not the hash of the prior event");
  }
  if (ChainHash(previous_hash, bytes) != hash) {
    return Bad(position, "the stored hash does not match the stored bytes");
  }
  absl::StatusOr<std::string> indexed = view.Get(
      Table::kStreams,
      keys::StreamVersion(event.stream_id(), event.stream_version()));
  if (!indexed.ok() || *indexed != keys::U64(position)) {
    return Bad(position,
               absl::StrCat("the stream index for \"", event.stream_id(),
                            "\" version ", event.stream_version(),
                            " does not point here"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ChainEnd> ReadChainEnd(const StoreView& view,
                                      absl::string_view last_key,
                                      absl::string_view head_key) {
  ChainEnd end;
  absl::StatusOr<std::string> last = view.Get(Table::kMeta, last_key);
  if (absl::IsNotFound(last.status())) return end;
  if (!last.ok()) return last.status();
  absl::string_view in = *last;
  if (!keys::GetU64(&in, &end.last) || !in.empty()) {
    return absl::DataLossError(
        absl::StrCat("meta ", last_key, " is malformed"));
  }
  absl::StatusOr<std::string> head = view.Get(Table::kMeta, head_key);
  // An unreachable store is an outage, not a damaged one.
  if (!head.ok() && !absl::IsNotFound(head.status())) return head.status();
  if (!head.ok() || head->size() != kHashSize) {
    return absl::DataLossError(
        absl::StrCat("meta ", head_key, " is missing or malformed"));
  }
  end.head = *std::move(head);
  return end;
}

std::optional<uint64_t> BadPositionOf(const absl::Status& status) {
  const absl::optional<absl::Cord> payload = status.GetPayload(kBadPositionUrl);
  uint64_t position = 0;
  if (!payload.has_value() ||
      !absl::SimpleAtoi(std::string(*payload), &position)) {
    return std::nullopt;
  }
  return position;
}

absl::StatusOr<ChainState> ReadChainState(const StoreView& view) {
  RP_ASSIGN_OR_RETURN(ChainState state, ReadMeta(view));
  RP_ASSIGN_OR_RETURN(state.access, ReadChainEnd(view, keys::kMetaAccessLast,
                                                 keys::kMetaAccessHead));
  return state;
}

std::vector<TableKey> ChainStateKeys() {
  std::vector<TableKey> keys;
  for (const char* key : {keys::kMetaLastPosition, keys::kMetaChainHead,
                          keys::kMetaAccessLast, keys::kMetaAccessHead}) {
    keys.push_back(TableKey{Table::kMeta, key});
  }
  return keys;
}

absl::StatusOr<ChainState> RecoverChain(const StoreView& view) {
  RP_ASSIGN_OR_RETURN(ChainState meta, ReadMeta(view));
  RP_RETURN_IF_ERROR(CheckHead(view, meta));
  return meta;
}

absl::Status VerifyChain(const StoreView& view, uint64_t from, uint64_t to,
                         const VerifyProgress& progress) {
  RP_ASSIGN_OR_RETURN(ChainState meta, ReadMeta(view));
  if (from == 0) from = 1;
  const bool to_end = to == 0 || to >= meta.last_position;
  const uint64_t last = to_end ? meta.last_position : to;
  if (from > last) {
    if (meta.last_position == 0 || from == meta.last_position + 1) {
      return to_end ? CheckHead(view, meta) : absl::OkStatus();
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "from ", from, " is past the last position ", meta.last_position));
  }

  std::string previous_hash = GenesisHash();
  if (from > 1) {
    absl::StatusOr<std::string> prior =
        view.Get(Table::kEvents, keys::Event(from - 1));
    if (!prior.ok()) return Bad(from - 1, "missing");
    absl::string_view hash, bytes;
    RP_RETURN_IF_ERROR(SplitEventValue(from - 1, *prior, &hash, &bytes));
    previous_hash.assign(hash.data(), hash.size());
  }

  std::unique_ptr<TableCursor> it = view.Cursor(
      Table::kEvents, keys::Event(from), keys::Event(last + 1));
  uint64_t expected = from;
  for (; it->Valid(); it->Next()) {
    uint64_t position;
    if (!keys::DecodeEvent(it->key(), &position)) {
      return Bad(expected, "a key in events is not a position");
    }
    if (position != expected) {
      return Bad(expected, absl::StrCat("missing; the next stored event is at ",
                                        position));
    }
    absl::string_view value = it->value();
    RP_RETURN_IF_ERROR(CheckEvent(view, position, value, previous_hash));
    previous_hash.assign(value.data(), kHashSize);
    if (progress && position % kProgressEvery == 0) progress(position, last);
    ++expected;
  }
  RP_RETURN_IF_ERROR(it->status());
  if (expected != last + 1) return Bad(expected, "missing");
  if (to_end) RP_RETURN_IF_ERROR(CheckHead(view, meta));
  if (progress) progress(last, last);
  return absl::OkStatus();
}

}  // namespace returnpath::engine
