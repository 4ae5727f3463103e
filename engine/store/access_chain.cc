#include "store/access_chain.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "engine/proto_time.h"
#include "engine/status_macros.h"
#include "engine/store_view.h"
#include "store/keys.h"
#include "store/verify.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::AccessEntry;

constexpr uint64_t kProgressEvery = 4096;
// Legacy records moved per write while migrating.
constexpr size_t kMigrateBatch = 4096;

absl::Status BadRecord(uint64_t sequence, absl::string_view why) {
  return absl::DataLossError(
      absl::StrCat("access record ", sequence, ": ", why));
}

constexpr char kIndexTags[] = {keys::kAccessByStreamTag,
                               keys::kAccessByActorTag, keys::kAccessByTimeTag};

absl::StatusOr<ChainEnd> ReadAccessMeta(const StoreView& view) {
  return ReadChainEnd(view, keys::kMetaAccessLast, keys::kMetaAccessHead);
}

// The sequence of the last stored record, 0 if none.
absl::StatusOr<uint64_t> LastStoredSequence(const StoreView& view) {
  const std::string records(1, keys::kAccessRecordTag);
  RP_ASSIGN_OR_RETURN(
      std::optional<std::string> key,
      view.LastKey(Table::kAccessLog, records, keys::PrefixEnd(records)));
  uint64_t sequence = 0;
  if (!key.has_value()) return 0;
  if (!keys::DecodeAccessRecord(*key, &sequence)) {
    return absl::DataLossError("the last access record's key is malformed");
  }
  return sequence;
}

// Checks meta's end against the last stored record.
absl::Status CheckAccessHead(const StoreView& view, const ChainEnd& end) {
  RP_ASSIGN_OR_RETURN(uint64_t last, LastStoredSequence(view));
  if (last != end.last) {
    return absl::DataLossError(
        absl::StrCat("meta says the access log ends at record ", end.last,
                     " but the last stored record is ", last));
  }
  if (last == 0) return absl::OkStatus();
  RP_ASSIGN_OR_RETURN(
      std::string value,
      view.Get(Table::kAccessLog, keys::AccessRecord(last)));
  absl::string_view hash;
  RP_RETURN_IF_ERROR(ParseAccessRecord(last, value, &hash).status());
  if (hash != end.head) {
    return BadRecord(last, "its hash is not the access log's head in meta");
  }
  return absl::OkStatus();
}

// Adds the number of entries in one index to `*count`: with every record's
// own entries present, a count of three a record means nothing else is there.
absl::Status CountIndex(const StoreView& view, char tag, uint64_t* count) {
  const std::string prefix(1, tag);
  return view.Scan(Table::kAccessLog, prefix, keys::PrefixEnd(prefix),
                   [&](absl::string_view, absl::string_view) {
                    ++*count;
                    return true;
                  });
}

}  // namespace

std::string AccessIndexKey(char tag, const AccessEntry& entry) {
  // Not a conditional expression: mixing "" with std::string would make a
  // temporary that `name` outlives.
  absl::string_view name;
  if (tag == keys::kAccessByStreamTag) name = entry.stream_id();
  if (tag == keys::kAccessByActorTag) name = entry.actor();
  return keys::AccessIndex(keys::AccessIndexPrefix(tag, name),
                           FromTimestamp(entry.time()), entry.sequence());
}

std::vector<KeyValue> ChainAccessEntry(AccessEntry entry, ChainEnd* end) {
  entry.set_sequence(end->last + 1);
  entry.set_previous_hash(end->head);
  const std::string bytes = entry.SerializeAsString();
  std::string hash = ChainHash(end->head, bytes);
  std::vector<KeyValue> writes;
  writes.push_back({keys::AccessRecord(entry.sequence()), hash + bytes});
  for (char tag : kIndexTags) {
    writes.push_back({AccessIndexKey(tag, entry), std::string()});
  }
  end->last = entry.sequence();
  end->head = std::move(hash);
  return writes;
}

absl::StatusOr<AccessEntry> ParseAccessRecord(uint64_t sequence,
                                              absl::string_view value,
                                              absl::string_view* hash,
                                              absl::string_view* bytes) {
  if (value.size() < kHashSize) return BadRecord(sequence, "it is too short");
  AccessEntry entry;
  absl::string_view rest = value.substr(kHashSize);
  if (!entry.ParseFromArray(rest.data(), static_cast<int>(rest.size()))) {
    return BadRecord(sequence, "it does not parse");
  }
  if (entry.sequence() != sequence) {
    return BadRecord(sequence,
                     absl::StrCat("it says it is record ", entry.sequence()));
  }
  if (hash != nullptr) *hash = value.substr(0, kHashSize);
  if (bytes != nullptr) *bytes = rest;
  return entry;
}

absl::StatusOr<ChainEnd> RecoverAccessChain(const StoreView& view) {
  RP_ASSIGN_OR_RETURN(ChainEnd end, ReadAccessMeta(view));
  RP_RETURN_IF_ERROR(CheckAccessHead(view, end));
  return end;
}

absl::StatusOr<uint64_t> VerifyAccessChain(const StoreView& view,
                                           const VerifyProgress& progress) {
  RP_ASSIGN_OR_RETURN(ChainEnd end, ReadAccessMeta(view));
  std::string previous = GenesisHash();
  uint64_t expected = 1;
  absl::Status bad;
  const std::string records(1, keys::kAccessRecordTag);
  RP_RETURN_IF_ERROR(view.Scan(
      Table::kAccessLog, records, keys::PrefixEnd(records),
      [&](absl::string_view key, absl::string_view value) {
        uint64_t sequence = 0;
        if (!keys::DecodeAccessRecord(key, &sequence)) {
          bad = BadRecord(expected, "a key among the records is malformed");
          return false;
        }
        if (sequence != expected) {
          bad = BadRecord(expected, absl::StrCat("missing; the next stored "
                                                 "record is ",
                                                 sequence));
          return false;
        }
        absl::string_view hash, bytes;
        absl::StatusOr<AccessEntry> entry =
            ParseAccessRecord(sequence, value, &hash, &bytes);
        if (!entry.ok()) {
          bad = entry.status();
          return false;
        }
        if (entry->previous_hash() != previous) {
          bad = BadRecord(sequence,
                          "previous_hash is not the hash of the prior record");
          return false;
        }
        if (ChainHash(previous, bytes) != hash) {
          bad = BadRecord(sequence,
                          "the stored hash does not match the stored bytes");
          return false;
        }
        for (char tag : kIndexTags) {
          absl::StatusOr<std::string> found =
              view.Get(Table::kAccessLog, AccessIndexKey(tag, *entry));
          if (!found.ok()) {
            bad = absl::IsNotFound(found.status())
                      ? BadRecord(sequence, "an index entry of it is missing")
                      : found.status();
            return false;
          }
        }
        previous.assign(hash.data(), hash.size());
        if (progress && sequence % kProgressEvery == 0) {
          progress(sequence, end.last);
        }
        ++expected;
        return true;
      }));
  RP_RETURN_IF_ERROR(bad);
  const uint64_t stored = expected - 1;
  if (stored != end.last || previous != end.head) {
    return absl::DataLossError(
        absl::StrCat("the access log's head in meta (record ", end.last,
                     ") is not its last stored record (", stored, ")"));
  }
  uint64_t indexed = 0;
  for (char tag : kIndexTags) {
    RP_RETURN_IF_ERROR(CountIndex(view, tag, &indexed));
  }
  if (indexed != 3 * stored) {
    return absl::DataLossError(absl::StrCat("the access log's indexes hold ",
                                            indexed, " entries for ", stored,
                                            " records (3 each expected)"));
  }
  const std::string legacy = keys::kAccessLegacyStart;
  bool unchained = false;
  RP_RETURN_IF_ERROR(
      view.Scan(Table::kAccessLog, legacy, "",
                [&](absl::string_view, absl::string_view) {
                 unchained = true;
                 return false;
               }));
  if (unchained) {
    return absl::DataLossError(
        "the access log holds records outside its chain");
  }
  if (progress) progress(end.last, end.last);
  return stored;
}

absl::Status MigrateLegacyAccess(StoreBackend& backend,
                                 const StoreOptions::LegacyAccessReader& read,
                                 ChainEnd* end) {
  // Each batch starts after the last key the one before moved, so no batch
  // walks over what earlier ones deleted.
  std::string start = keys::kAccessLegacyStart;
  for (;;) {
    WriteSet batch;
    size_t moved = 0;
    absl::Status failed;
    RP_RETURN_IF_ERROR(backend.Latest().Scan(
        Table::kAccessLog, start, "",
        [&](absl::string_view key, absl::string_view value) {
          if (!read) {
            failed = absl::FailedPreconditionError(
                "the access log holds records an earlier release wrote "
                "before it was chained; open the store with returnpathd, "
                "which chains them");
            return false;
          }
          AccessEntry entry;
          absl::Time time;
          if (!keys::DecodeLegacyAccess(key, entry.mutable_stream_id(),
                                        &time)) {
            failed = absl::DataLossError(
                "an access_log key is neither chained nor an earlier "
                "release's");
            return false;
          }
          absl::StatusOr<StoreOptions::LegacyAccess> legacy = read(value);
          if (!legacy.ok()) {
            failed = legacy.status();
            return false;
          }
          *entry.mutable_time() = ToTimestamp(time);
          entry.set_actor(std::move(legacy->actor));
          entry.set_detail(std::move(legacy->detail));
          for (const KeyValue& write :
               ChainAccessEntry(std::move(entry), end)) {
            batch.Put(Table::kAccessLog, write.key, write.value);
          }
          batch.Delete(Table::kAccessLog, key);
          start = std::string(key) + std::string(1, '\0');
          return ++moved < kMigrateBatch;
        }));
    RP_RETURN_IF_ERROR(failed);
    if (moved == 0) return absl::OkStatus();
    batch.Put(Table::kMeta, keys::kMetaAccessLast, keys::U64(end->last));
    batch.Put(Table::kMeta, keys::kMetaAccessHead, end->head);
    RP_RETURN_IF_ERROR(backend.WriteNow(batch));
  }
}

}  // namespace returnpath::engine
