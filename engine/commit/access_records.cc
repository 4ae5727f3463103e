// The access log's writes and reads (EventStore::LogAccessAsync,
// ReadAccessLog): records keyed stream \0 time, sequence.

#include "commit/event_store_impl.h"
#include "engine/status_macros.h"
#include "store/keys.h"

namespace returnpath::engine {

void EventStoreImpl::LogAccessAsync(
    std::vector<std::string> stream_ids, AccessRecordMaker make_record,
    absl::AnyInvocable<void(absl::Status)> done) {
  if (stream_ids.empty()) return done(absl::OkStatus());
  Submit(MakeCommand<bool>(
      [this, stream_ids = std::move(stream_ids),
       make_record = std::move(make_record)](
          CommandContext& ctx) mutable -> absl::StatusOr<bool> {
        for (const std::string& stream_id : stream_ids) {
          std::string key = stream_id;
          key.push_back('\0');
          keys::PutTime(&key, ctx.now());
          keys::PutU64(&key, access_sequence_.fetch_add(1));
          ctx.PutRecord(Table::kAccessLog, key,
                        make_record(stream_id, ctx.now()));
        }
        return true;
      },
      [done = std::move(done)](absl::StatusOr<bool> written) mutable {
        done(written.status());
      }));
}

absl::Status EventStoreImpl::ReadAccessLog(
    absl::string_view stream_id,
    absl::FunctionRef<bool(absl::string_view record)> visit) {
  RP_ASSIGN_OR_RETURN(std::unique_ptr<StoreView> view, Snapshot());
  std::string start;
  std::string limit;
  if (!stream_id.empty()) {
    start = std::string(stream_id);
    start.push_back('\0');
    limit = keys::PrefixEnd(start);
  }
  return view->Scan(
      Table::kAccessLog, start, limit,
      [&](absl::string_view, absl::string_view value) { return visit(value); });
}

}  // namespace returnpath::engine
