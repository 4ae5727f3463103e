// Legal holds (EventStore::PlaceLegalHold, LiftLegalHold): an auditor's
// hold on a stream, kept in `meta`, that every erasure checks.

#include <utility>

#include "absl/strings/str_cat.h"
#include "commit/command_context.h"
#include "commit/event_store_impl.h"
#include "engine/proto_time.h"
#include "engine/status_macros.h"
#include "store/keys.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::LegalHold;

std::string HoldKey(absl::string_view stream_id) {
  return absl::StrCat(keys::kMetaLegalHoldPrefix, stream_id);
}

}  // namespace

absl::StatusOr<std::optional<LegalHold>> CommandContext::GetLegalHold(
    absl::string_view stream_id) {
  RP_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                      GetMeta(HoldKey(stream_id)));
  if (!bytes.has_value()) return std::nullopt;
  LegalHold hold;
  if (!hold.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat(
        "the legal hold on stream \"", stream_id, "\" does not decode"));
  }
  return hold;
}

absl::Status CommandContext::RefuseHeld(absl::string_view stream_id) {
  RP_ASSIGN_OR_RETURN(std::optional<LegalHold> hold, GetLegalHold(stream_id));
  if (!hold.has_value()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "stream \"", stream_id, "\" is under a legal hold placed by ",
      hold->placed_by(), " on ",
      absl::FormatTime("%Y-%m-%d", FromTimestamp(hold->placed_at()),
                       absl::UTCTimeZone()),
      " (", hold->reason(), "); it cannot be erased until the hold is lifted"));
}

absl::Status CommandContext::PlaceLegalHold(LegalHold hold) {
  RP_ASSIGN_OR_RETURN(std::optional<returnpath::v1::StreamRecord> record,
                      GetStream(hold.stream_id()));
  if (!record.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("stream \"", hold.stream_id(), "\" does not exist"));
  }
  RP_RETURN_IF_ERROR(RefuseErased(*record));
  *hold.mutable_placed_at() = ToTimestamp(now_);
  PutMeta(HoldKey(hold.stream_id()), hold.SerializeAsString());
  return absl::OkStatus();
}

absl::StatusOr<LegalHold> CommandContext::LiftLegalHold(
    absl::string_view stream_id) {
  RP_ASSIGN_OR_RETURN(std::optional<LegalHold> hold, GetLegalHold(stream_id));
  if (!hold.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("stream \"", stream_id, "\" has no legal hold"));
  }
  DeleteMeta(HoldKey(stream_id));
  return *std::move(hold);
}

absl::Status EventStoreImpl::PlaceLegalHold(LegalHold hold) {
  return RunCommand<bool>(*this,
                          [hold = std::move(hold)](
                              CommandContext& ctx) -> absl::StatusOr<bool> {
                            RP_RETURN_IF_ERROR(ctx.PlaceLegalHold(hold));
                            return true;
                          })
      .status();
}

absl::StatusOr<LegalHold> EventStoreImpl::LiftLegalHold(
    absl::string_view stream_id) {
  return RunCommand<LegalHold>(
      *this, [stream = std::string(stream_id)](CommandContext& ctx) {
        return ctx.LiftLegalHold(stream);
      });
}

}  // namespace returnpath::engine
