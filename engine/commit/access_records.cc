// The access log's writes and reads (EventStore::LogAccessAsync,
// ReadAccessLog, VerifyAccessLog); its layout is store/access_chain.h's.

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "commit/event_store_impl.h"
#include "engine/proto_time.h"
#include "engine/status_macros.h"
#include "store/access_chain.h"
#include "store/keys.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::AccessEntry;

// The index a query reads: by stream if it names one, else by actor, else by
// time.
char IndexTag(const AccessQuery& query) {
  if (!query.stream_id.empty()) return keys::kAccessByStreamTag;
  if (!query.actor.empty()) return keys::kAccessByActorTag;
  return keys::kAccessByTimeTag;
}

// The record an index entry names, checked to be the one the entry says.
absl::StatusOr<AccessEntry> RecordOf(const StoreView& view, char tag,
                                     absl::string_view index_key) {
  uint64_t sequence = 0;
  if (!keys::DecodeAccessIndexSequence(index_key, &sequence)) {
    return absl::DataLossError("an access log index key is malformed");
  }
  absl::StatusOr<std::string> value =
      view.Get(Table::kAccessLog, keys::AccessRecord(sequence));
  if (absl::IsNotFound(value.status())) {
    return absl::DataLossError(absl::StrCat(
        "access record ", sequence, ": an index names it but it is missing"));
  }
  RP_RETURN_IF_ERROR(value.status());
  RP_ASSIGN_OR_RETURN(AccessEntry entry, ParseAccessRecord(sequence, *value));
  if (AccessIndexKey(tag, entry) != index_key) {
    return absl::DataLossError(absl::StrCat(
        "access record ", sequence, ": an index entry does not match it"));
  }
  return entry;
}

}  // namespace

void EventStoreImpl::LogAccessAsync(
    std::vector<std::string> stream_ids, std::string actor, std::string detail,
    absl::AnyInvocable<void(absl::Status)> done) {
  if (stream_ids.empty()) return done(absl::OkStatus());
  Submit(MakeCommand<bool>(
      [stream_ids = std::move(stream_ids), actor = std::move(actor),
       detail =
           std::move(detail)](CommandContext& ctx) -> absl::StatusOr<bool> {
        for (const std::string& stream_id : stream_ids) {
          ctx.LogAccess(stream_id, actor, detail);
        }
        return true;
      },
      [done = std::move(done)](absl::StatusOr<bool> written) mutable {
        done(written.status());
      }));
}

absl::StatusOr<std::string> EventStoreImpl::ReadAccessLog(
    const AccessQuery& query,
    absl::FunctionRef<bool(const AccessEntry&)> visit) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreView> view, Snapshot());
  const char tag = IndexTag(query);
  const std::string prefix = keys::AccessIndexPrefix(
      tag, tag == keys::kAccessByStreamTag ? query.stream_id : query.actor);
  std::string start, limit;
  keys::AccessIndexRange(prefix, query.from, query.to, &start, &limit);
  if (!query.after.empty()) {
    if (!absl::StartsWith(query.after, prefix)) {
      return absl::InvalidArgumentError(
          "the access log read goes on after a key of another query");
    }
    // The next key after `after`.
    start = std::max(start, query.after + std::string(1, '\0'));
  }
  bool stopped = false;
  std::string last_key;
  std::string resume;
  absl::Status bad;
  RP_RETURN_IF_ERROR(
      VisitAll(*view->Cursor(Table::kAccessLog, start, limit),
               [&](absl::string_view key, absl::string_view) {
                 absl::StatusOr<AccessEntry> entry = RecordOf(*view, tag, key);
                 if (!entry.ok()) {
                   bad = entry.status();
                   return false;
                 }
                 // The stream index serves a query that names an actor too.
                 if (!query.actor.empty() && entry->actor() != query.actor)
                   return true;
                 if (stopped) {  // one more matches: there is a next page
                   resume = last_key;
                   return false;
                 }
                 last_key = std::string(key);
                 stopped = !visit(*entry);
                 return true;
               }));
  RP_RETURN_IF_ERROR(bad);
  return resume;
}

absl::StatusOr<uint64_t> EventStoreImpl::VerifyAccessLog(
    const VerifyProgress& progress) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  RP_ASSIGN_OR_RETURN(const std::unique_ptr<StoreView> view, OpenView());
  return VerifyAccessChain(*view, progress);
}

}  // namespace returnpath::engine
