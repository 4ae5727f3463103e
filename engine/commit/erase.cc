// CommandContext's part in erasure (EventStore::ApproveErasure, Erase): the
// approval kept in `meta`, and the one write that erases a stream. The flush
// and compaction that follow it are EventStoreImpl::Erase's.

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "commit/command_context.h"
#include "commit/event_store_impl.h"
#include "engine/proto_time.h"
#include "engine/status_macros.h"
#include "store/keys.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::ErasedStatistics;
using returnpath::v1::ErasureApproval;
using returnpath::v1::StreamErased;
using returnpath::v1::StreamRecord;

std::string ApprovalKey(absl::string_view stream_id) {
  return absl::StrCat(keys::kMetaErasureApprovalPrefix, stream_id);
}

std::string Day(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
}

// `counted` added into `total` row by row; one more stream.
void AddCounted(const ErasedStatistics& counted, ErasedStatistics* total) {
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> sums;
  for (const ErasedStatistics* part :
       {static_cast<const ErasedStatistics*>(total), &counted}) {
    for (const ErasedStatistics::Row& row : part->rows()) {
      sums[{row.category(), row.month(), row.group()}] += row.count();
    }
  }
  total->clear_rows();
  for (const auto& [key, count] : sums) {
    if (count == 0) continue;
    ErasedStatistics::Row* row = total->add_rows();
    row->set_category(std::get<0>(key));
    row->set_month(std::get<1>(key));
    row->set_group(std::get<2>(key));
    row->set_count(count);
  }
  total->set_streams(total->streams() + 1);
}

absl::StatusOr<StreamRecord> ExistingStream(
    absl::StatusOr<std::optional<StreamRecord>> found,
    absl::string_view stream_id) {
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("stream \"", stream_id, "\" does not exist"));
  }
  StreamRecord record = **std::move(found);
  RP_RETURN_IF_ERROR(RefuseErased(record));
  return record;
}

}  // namespace

absl::Status RefuseErased(const StreamRecord& record) {
  if (record.erased_at_position() == 0) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("stream \"", record.stream_id(),
                   "\" was erased (its StreamErased event is at position ",
                   record.erased_at_position(), "); it takes no more events"));
}

template <typename T>
absl::StatusOr<std::vector<std::string>> CommandContext::ItemIds(
    Table table,
    absl::flat_hash_map<std::string, std::optional<T>> Overlay::*map,
    absl::string_view stream_id) const {
  const std::string prefix = keys::StreamPrefix(stream_id);
  std::set<std::string> ids;
  RP_RETURN_IF_ERROR(Scan(table, prefix, keys::PrefixEnd(prefix),
                          [&](absl::string_view key, absl::string_view) {
                            ids.insert(std::string(key.substr(prefix.size())));
                            return true;
                          }));
  // The overlay's layers from the oldest: a later entry wins.
  std::vector<const Overlay*> layers;
  if (base_ != nullptr) layers.push_back(&base_->layers_.front());
  for (const Overlay& layer : layers_) layers.push_back(&layer);
  for (const Overlay* layer : layers) {
    for (const auto& [key, item] : layer->*map) {
      if (!absl::StartsWith(key, prefix)) continue;
      std::string id = key.substr(prefix.size());
      if (item.has_value()) {
        ids.insert(std::move(id));
      } else {
        ids.erase(id);
      }
    }
  }
  return std::vector<std::string>(ids.begin(), ids.end());
}

absl::Status CommandContext::ApproveErasure(ErasureApproval approval) {
  RP_RETURN_IF_ERROR(
      ExistingStream(GetStream(approval.stream_id()), approval.stream_id())
          .status());
  *approval.mutable_approved_at() = ToTimestamp(now_);
  PutMeta(ApprovalKey(approval.stream_id()), approval.SerializeAsString());
  return absl::OkStatus();
}

absl::StatusOr<EraseResult> CommandContext::Erase(const EraseRequest& request) {
  const std::string& stream = request.stream_id;
  RP_ASSIGN_OR_RETURN(StreamRecord record,
                      ExistingStream(GetStream(stream), stream));
  if (request.reason.empty()) {
    return absl::InvalidArgumentError("reason is required for an erasure");
  }
  RP_RETURN_IF_ERROR(RefuseHeld(stream));
  RP_ASSIGN_OR_RETURN(std::optional<std::string> approval_bytes,
                      GetMeta(ApprovalKey(stream)));
  ErasureApproval approval;
  if (request.approval.has_value()) {
    // The retention policy's rule (engine/retention.h) stands in.
    approval = *request.approval;
  } else if (!approval_bytes.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "stream \"", stream,
        "\" has no approval of its erasure: an erasure needs a second "
        "principal's approval first"));
  } else if (!approval.ParseFromString(*approval_bytes)) {
    return absl::DataLossError(absl::StrCat("the approval of stream \"", stream,
                                            "\"'s erasure does not decode"));
  }
  if (approval.approved_by() == request.principal) {
    return absl::PermissionDeniedError(
        absl::StrCat("an erasure needs two principals: ", request.principal,
                     " approved the erasure of stream \"", stream,
                     "\" and cannot also carry it out"));
  }
  const absl::Time approved_at = FromTimestamp(approval.approved_at());
  if (!request.approval.has_value() &&
      now_ - approved_at > request.approval_valid_for) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the approval of stream \"", stream, "\"'s erasure by ",
        approval.approved_by(), " on ", Day(approved_at), " expired on ",
        Day(approved_at + request.approval_valid_for),
        "; it needs a new approval"));
  }
  if (record.version() != request.counted_at_version) {
    return absl::AbortedError(
        absl::StrCat("stream \"", stream, "\" is at version ", record.version(),
                     ", its statistics were counted at version ",
                     request.counted_at_version));
  }

  // What was derived from the stream goes; its events stay, unreadable in
  // their erasable fields once its key is gone.
  for (const std::string& key : record.index_keys()) {
    Delete(Table::kIndex, keys::IndexEntry(key, stream));
  }
  RP_ASSIGN_OR_RETURN(std::vector<std::string> timer_ids,
                      ItemIds(Table::kTimerIds, &Overlay::timers, stream));
  for (const std::string& id : timer_ids) {
    RP_RETURN_IF_ERROR(DeleteTimer(stream, id));
  }
  RP_ASSIGN_OR_RETURN(std::vector<std::string> task_ids,
                      ItemIds(Table::kTasks, &Overlay::tasks, stream));
  for (const std::string& id : task_ids) {
    RP_ASSIGN_OR_RETURN(std::optional<returnpath::v1::Task> task,
                        GetTask(stream, id));
    if (task.has_value()) RemoveTask(*task);
  }
  Delete(Table::kKeys, keys::StreamKey(stream));
  top().stream_keys.insert_or_assign(stream, std::nullopt);
  DeleteMeta(ApprovalKey(stream));

  ErasedStatistics total;
  RP_ASSIGN_OR_RETURN(std::optional<std::string> total_bytes,
                      GetMeta(keys::kMetaErasedStatistics));
  if (total_bytes.has_value() && !total.ParseFromString(*total_bytes)) {
    return absl::DataLossError("the erased streams' statistics do not decode");
  }
  AddCounted(request.counted, &total);
  PutMeta(keys::kMetaErasedStatistics, total.SerializeAsString());

  StreamErased erased;
  erased.set_reason(request.reason);
  erased.set_approved_by(approval.approved_by());
  *erased.mutable_approved_at() = approval.approved_at();
  erased.set_approval_reason(approval.reason());
  erased.set_events_erased(record.version());
  AppendRequest append;
  append.stream_id = stream;
  append.principal = request.principal;
  append.correlation_id = request.correlation_id;
  google::protobuf::Any payload;
  payload.PackFrom(erased);
  returnpath::v1::EventEnvelope event =
      StampEvent(append, record, now_, payload, now_);
  RP_RETURN_IF_ERROR(WriteEvent(&event, &record, 0, /*inert=*/true).status());
  record.clear_state();
  record.clear_index_keys();
  record.set_erased_at_position(event.position());
  PutStream(record);

  EraseResult result;
  result.position = event.position();
  result.events_erased = erased.events_erased();
  result.approval = std::move(approval);
  return result;
}

absl::Status EventStoreImpl::ApproveErasure(ErasureApproval approval) {
  return RunCommand<bool>(*this,
                          [approval = std::move(approval)](
                              CommandContext& ctx) -> absl::StatusOr<bool> {
                            RP_RETURN_IF_ERROR(ctx.ApproveErasure(approval));
                            return true;
                          })
      .status();
}

absl::StatusOr<EraseResult> EventStoreImpl::Erase(EraseRequest request) {
  RP_ASSIGN_OR_RETURN(
      EraseResult result,
      RunCommand<EraseResult>(*this, [&request](CommandContext& ctx) {
        return ctx.Erase(request);
      }));
  RP_RETURN_IF_ERROR(RewriteWithoutRemoved());
  return result;
}

absl::Status EventStoreImpl::RewriteWithoutRemoved() {
  absl::ReaderMutexLock lock(&mu_);
  RP_RETURN_IF_ERROR(CheckOpen());
  return backend_->RewriteWithoutRemoved();
}

}  // namespace returnpath::engine
