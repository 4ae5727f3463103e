// Reads of the exact stored bytes of events, and the application's
// checkpoints kept in meta (EventStore::ReadStoredEvents, PutCheckpointAsync,
// ReadCheckpoints).

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "commit/event_store_impl.h"
#include "engine/status_macros.h"
#include "store/codec.h"
#include "store/keys.h"
#include "store/rocks_view.h"

namespace returnpath::engine {
namespace {

std::string CheckpointKey(uint64_t position) {
  return absl::StrCat(keys::kMetaCheckpointPrefix, keys::U64(position));
}

}  // namespace

absl::StatusOr<std::vector<StoredEvent>> EventStoreImpl::ReadStoredEvents(
    const std::vector<uint64_t>& positions) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  RP_ASSIGN_OR_RETURN(const std::unique_ptr<StoreView> view, OpenView());
  std::vector<StoredEvent> events;
  events.reserve(positions.size());
  for (uint64_t position : positions) {
    absl::StatusOr<std::string> value =
        view->Get(Table::kEvents, keys::Event(position));
    if (absl::IsNotFound(value.status())) {
      return absl::NotFoundError(
          absl::StrCat("no event at position ", position));
    }
    RP_RETURN_IF_ERROR(value.status());
    absl::string_view hash, bytes;
    RP_RETURN_IF_ERROR(SplitEventValue(position, *value, &hash, &bytes));
    events.push_back({position, std::string(hash), std::string(bytes)});
  }
  return events;
}

void EventStoreImpl::PutCheckpointAsync(
    uint64_t position, std::string record,
    absl::AnyInvocable<void(absl::Status)> done) {
  Submit(MakeCommand<bool>(
      [position, record = std::move(record)](
          CommandContext& ctx) -> absl::StatusOr<bool> {
        ctx.PutRecord(Table::kMeta, CheckpointKey(position), record);
        return true;
      },
      [done = std::move(done)](absl::StatusOr<bool> written) mutable {
        done(written.status());
      }));
}

absl::StatusOr<std::vector<Checkpoint>> EventStoreImpl::ReadCheckpoints(
    uint64_t from_position, size_t max) {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  RP_ASSIGN_OR_RETURN(const std::unique_ptr<StoreView> view, OpenView());
  std::vector<Checkpoint> checkpoints;
  absl::Status bad;
  RP_RETURN_IF_ERROR(view->Scan(
      Table::kMeta, CheckpointKey(from_position),
      keys::PrefixEnd(keys::kMetaCheckpointPrefix),
      [&](absl::string_view key, absl::string_view value) {
        if (checkpoints.size() >= max) return false;
        key.remove_prefix(sizeof(keys::kMetaCheckpointPrefix) - 1);
        uint64_t position = 0;
        if (!keys::GetU64(&key, &position) || !key.empty()) {
          bad = absl::DataLossError("a checkpoint key in meta is malformed");
          return false;
        }
        checkpoints.push_back({position, std::string(value)});
        return true;
      }));
  RP_RETURN_IF_ERROR(bad);
  return checkpoints;
}

}  // namespace returnpath::engine
