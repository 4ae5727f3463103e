#include "engine/server/audit_service.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/server/pull_writer.h"

namespace returnpath::engine {
namespace {

constexpr size_t kPage = 256;
constexpr uint64_t kVerifyChunk = 10000;

// Authenticates an auditor, then streams from `source`.
template <typename Msg>
grpc::ServerWriteReactor<Msg>* AuditorStream(const ServiceDeps& deps,
                                             grpc::CallbackServerContext* ctx,
                                             WakeSignal* signal, absl::string_view action,
                                             typename PullWriter<Msg>::Source source) {
  absl::StatusOr<Principal> principal = AuthenticateCall(*deps.auth, *ctx);
  absl::Status allowed = principal.status();
  if (allowed.ok()) allowed = RequireRole(*principal, {v1::ROLE_AUDITOR}, action);
  if (!allowed.ok()) return PullWriter<Msg>::Failed(allowed);
  return new PullWriter<Msg>(deps.executor, signal, std::move(source));
}

// The store names the bad position in its DATA_LOSS message ("position N: ...").
uint64_t FirstBadPosition(const absl::Status& status, uint64_t fallback) {
  absl::string_view message = status.message();
  size_t at = message.find("position ");
  if (at == absl::string_view::npos) return fallback;
  uint64_t position = 0;
  for (size_t i = at + 9; i < message.size() && absl::ascii_isdigit(message[i]); ++i) {
    position = position * 10 + (message[i] - '0');
  }
  return position == 0 ? fallback : position;
}

}  // namespace

grpc::ServerWriteReactor<v1::EventEnvelope>* AuditService::History(
    grpc::CallbackServerContext* ctx, const v1::HistoryRequest* request) {
  if (request->person_id().empty()) {
    return PullWriter<v1::EventEnvelope>::Failed(
        absl::InvalidArgumentError("person_id is required"));
  }
  EventStore* store = deps_.store;
  std::string person = request->person_id();
  uint64_t next = std::max<uint64_t>(1, request->from_version());
  return AuditorStream<v1::EventEnvelope>(
      deps_, ctx, nullptr, "read a person's history",
      [store, person, next](std::vector<v1::EventEnvelope>* out) mutable
      -> absl::StatusOr<Pulled> {
        absl::StatusOr<std::vector<v1::EventEnvelope>> events =
            store->ReadStream(person, next, kPage);
        if (absl::IsNotFound(events.status())) {
          return absl::NotFoundError(absl::StrCat("no person with id ", person));
        }
        if (!events.ok()) return events.status();
        next += events->size();
        const bool more = events->size() == kPage;
        *out = *std::move(events);
        return more ? Pulled::kMore : Pulled::kDone;
      });
}

grpc::ServerWriteReactor<v1::EventEnvelope>* AuditService::Log(
    grpc::CallbackServerContext* ctx, const v1::LogRequest* request) {
  EventStore* store = deps_.store;
  uint64_t next = std::max<uint64_t>(1, request->from_position());
  uint64_t left = request->limit() == 0 ? UINT64_MAX : request->limit();
  return AuditorStream<v1::EventEnvelope>(
      deps_, ctx, nullptr, "read the event log",
      [store, next, left](std::vector<v1::EventEnvelope>* out) mutable
      -> absl::StatusOr<Pulled> {
        absl::StatusOr<EventPage> page = store->ReadAll(next, std::min<uint64_t>(kPage, left));
        if (!page.ok()) return page.status();
        next = page->next_position;
        left -= page->events.size();
        const bool more = !page->events.empty() && left > 0;
        *out = std::move(page->events);
        return more ? Pulled::kMore : Pulled::kDone;
      });
}

grpc::ServerWriteReactor<v1::VerifyResponse>* AuditService::Verify(
    grpc::CallbackServerContext* ctx, const v1::VerifyRequest* request) {
  EventStore* store = deps_.store;
  const uint64_t last = store->LastPosition();
  const uint64_t from = std::max<uint64_t>(1, request->from_position());
  const uint64_t to = request->to_position() == 0 ? last : request->to_position();
  if (to > last) {
    return PullWriter<v1::VerifyResponse>::Failed(absl::InvalidArgumentError(absl::StrCat(
        "to_position ", to, " is past the end of the log (last position ", last, ")")));
  }
  if (from > to && last > 0) {
    return PullWriter<v1::VerifyResponse>::Failed(absl::InvalidArgumentError(
        absl::StrCat("from_position ", from, " is after to_position ", to)));
  }
  uint64_t next = from;
  return AuditorStream<v1::VerifyResponse>(
      deps_, ctx, nullptr, "verify the log",
      [store, next, from, to](std::vector<v1::VerifyResponse>* out) mutable
      -> absl::StatusOr<Pulled> {
        v1::VerifyOutcome outcome;
        outcome.set_checked(next - from);
        if (next <= to) {
          const uint64_t chunk_end = std::min(to, next + kVerifyChunk - 1);
          absl::Status status = store->Verify(next, chunk_end, nullptr);
          if (absl::IsDataLoss(status)) {
            outcome.set_ok(false);
            outcome.set_first_bad_position(FirstBadPosition(status, next));
            outcome.set_message(std::string(status.message()));
            *out->emplace_back().mutable_outcome() = outcome;
            return Pulled::kDone;
          }
          if (!status.ok()) return status;
          next = chunk_end + 1;
          v1::Progress* progress = out->emplace_back().mutable_progress();
          progress->set_done(next - from);
          progress->set_total(to - from + 1);
          return Pulled::kMore;
        }
        outcome.set_ok(true);
        outcome.set_message(to == 0 ? "the log is empty"
                                    : absl::StrCat("positions ", from, "..", to,
                                                   " verified: hashes and chain intact"));
        *out->emplace_back().mutable_outcome() = outcome;
        return Pulled::kDone;
      });
}

grpc::ServerWriteReactor<v1::EventEnvelope>* AuditService::SubscribeEvents(
    grpc::CallbackServerContext* ctx, const v1::SubscribeEventsRequest* request) {
  EventStore* store = deps_.store;
  uint64_t next = std::max<uint64_t>(1, request->from_position());
  return AuditorStream<v1::EventEnvelope>(
      deps_, ctx, commits_, "subscribe to the event log",
      [store, next](std::vector<v1::EventEnvelope>* out) mutable -> absl::StatusOr<Pulled> {
        absl::StatusOr<EventPage> page = store->ReadAll(next, kPage);
        if (!page.ok()) return page.status();
        if (page->events.empty()) return Pulled::kWait;  // caught up: go live
        next = page->next_position;
        *out = std::move(page->events);
        return Pulled::kMore;
      });
}

}  // namespace returnpath::engine
