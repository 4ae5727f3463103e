// AuditService's signed exports, checkpoints and public key
// (docs/signed-export.md). An export streams serialized ExportRecords: the
// header, the events as stored (with, for a range, the stored checkpoints it
// covers), then a seal: a checkpoint of the head the export proves, signed
// together with a digest of every record before it.

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/proto_time.h"
#include "engine/signature.h"
#include "engine/status_macros.h"
#include "server/audit_service.h"
#include "server/auditor_calls.h"
#include "server/chain_checkpoints.h"
#include "server/input_bounds.h"
#include "server/person_scope.h"

namespace returnpath::engine {
namespace {

constexpr size_t kExportPage = 256;
constexpr uint32_t kDefaultCheckpoints = 100;
constexpr uint32_t kMaxCheckpoints = 1000;

absl::Status RequireKey(const SigningKey* key) {
  if (key != nullptr) return absl::OkStatus();
  return absl::FailedPreconditionError("this server has no signing key");
}

// The range [from, to] a request names, checked against the log's end.
struct PositionRange {
  uint64_t from = 0;
  uint64_t to = 0;
};

absl::StatusOr<PositionRange> CheckRange(const v1::ExportRequest& request,
                                         uint64_t last) {
  PositionRange range{
      std::max<uint64_t>(1, request.from_position()),
      request.to_position() == 0 ? last : request.to_position()};
  if (range.to > last) {
    return absl::InvalidArgumentError(
        absl::StrCat("to_position ", range.to,
                     " is past the end of the log (last position ", last, ")"));
  }
  if (range.from > range.to) {
    return absl::InvalidArgumentError(
        last == 0 ? std::string("the log is empty: there is nothing to export")
                  : absl::StrCat("from_position ", range.from,
                                 " is after to_position ", range.to));
  }
  return range;
}

// Pulls one export: the header, pages of events, the seal. Every record it
// emits is folded into the digest the seal signs.
class ExportSource {
 public:
  ExportSource(const ServiceDeps& deps, const engine::SigningKey* key,
               Principal principal, v1::ExportRequest request,
               std::optional<PositionRange> range)
      : deps_(deps),
        key_(key),
        principal_(std::move(principal)),
        request_(std::move(request)),
        range_(range),
        digest_(RecordsDigestStart(kExportContext)) {}

  absl::StatusOr<Pulled> operator()(std::vector<v1::ExportChunk>* out,
                                    Gate* gate) {
    out_ = out;
    if (!started_) {
      started_ = true;
      RP_RETURN_IF_ERROR(Start(gate));
    }
    bool more = false;
    if (range_.has_value()) {
      RP_ASSIGN_OR_RETURN(more, RangePage(gate));
    } else {
      RP_ASSIGN_OR_RETURN(more, PersonPage());
    }
    if (more) return Pulled::kMore;
    RP_RETURN_IF_ERROR(Seal());
    return Pulled::kDone;
  }

 private:
  // The header; a person's export checks scope, logs its one person and
  // fixes the head it proves: the log's end now.
  absl::Status Start(Gate* gate) {
    v1::ExportRecord record;
    v1::ExportHeader* header = record.mutable_header();
    header->set_format_version(1);
    *header->mutable_exported_time() = ToTimestamp(deps_.clock->Now());
    header->set_exported_by(principal_.name);
    if (range_.has_value()) {
      header->set_from_position(range_->from);
      header->set_to_position(range_->to);
      head_ = range_->to;
      next_position_ = range_->from;
      // A checkpoint at the position before the range proves its first link.
      next_checkpoint_ = range_->from - 1;
    } else {
      const std::string& person = request_.person_id();
      RP_RETURN_IF_ERROR(
          ReadablePerson(*deps_.store, principal_, person).status());
      *gate =
          LogBeforeServing(deps_.access_log, principal_, "Export", {person});
      header->set_person_id(person);
      head_ = deps_.store->LastPosition();
    }
    Emit(record);
    return absl::OkStatus();
  }

  // The next page of the person's events up to the head.
  absl::StatusOr<bool> PersonPage() {
    absl::StatusOr<std::vector<v1::EventEnvelope>> events =
        deps_.store->ReadStream(request_.person_id(), next_version_,
                                kExportPage);
    if (absl::IsNotFound(events.status()))
      return NoSuchPerson(request_.person_id());
    RP_RETURN_IF_ERROR(events.status());
    std::vector<uint64_t> positions;
    for (const v1::EventEnvelope& event : *events) {
      if (event.position() > head_) break;  // written after the export began
      positions.push_back(event.position());
    }
    next_version_ += events->size();
    RP_RETURN_IF_ERROR(EmitEvents(positions));
    return positions.size() == kExportPage;
  }

  // The next page of the range, logged for every person it names before it
  // is served, with the stored checkpoints among its positions.
  absl::StatusOr<bool> RangePage(Gate* gate) {
    const uint64_t last =
        std::min<uint64_t>(range_->to, next_position_ + kExportPage - 1);
    RP_ASSIGN_OR_RETURN(
        std::vector<Checkpoint> checkpoints,
        deps_.store->ReadCheckpoints(next_checkpoint_, kMaxCheckpoints));
    std::vector<uint64_t> positions;
    for (uint64_t p = next_position_; p <= last; ++p) positions.push_back(p);
    RP_ASSIGN_OR_RETURN(std::vector<StoredEvent> stored,
                        deps_.store->ReadStoredEvents(positions));
    std::vector<v1::EventEnvelope> envelopes(stored.size());
    for (size_t i = 0; i < stored.size(); ++i) {
      if (!envelopes[i].ParseFromString(stored[i].envelope_bytes)) {
        return absl::DataLossError(absl::StrCat(
            "the event at position ", stored[i].position, " does not parse"));
      }
    }
    *gate = LogBeforeServing(deps_.access_log, principal_, "Export",
                             PersonsNamedIn(envelopes));
    size_t c = 0;
    auto emit_checkpoints_through = [&](uint64_t position) {
      for (; c < checkpoints.size() && checkpoints[c].position <= position;
           ++c) {
        v1::ExportRecord record;
        if (!record.mutable_checkpoint()->ParseFromString(
                checkpoints[c].record)) {
          return absl::DataLossError(absl::StrCat("the checkpoint at position ",
                                                  checkpoints[c].position,
                                                  " does not parse"));
        }
        Emit(record);
      }
      return absl::OkStatus();
    };
    RP_RETURN_IF_ERROR(emit_checkpoints_through(next_position_ - 1));
    for (StoredEvent& event : stored) {
      const uint64_t position = event.position;
      EmitEvent(std::move(event));
      RP_RETURN_IF_ERROR(emit_checkpoints_through(position));
    }
    next_position_ = last + 1;
    next_checkpoint_ = next_position_;
    return last < range_->to;
  }

  absl::Status EmitEvents(const std::vector<uint64_t>& positions) {
    if (positions.empty()) return absl::OkStatus();
    RP_ASSIGN_OR_RETURN(std::vector<StoredEvent> stored,
                        deps_.store->ReadStoredEvents(positions));
    for (StoredEvent& event : stored) EmitEvent(std::move(event));
    return absl::OkStatus();
  }

  void EmitEvent(StoredEvent event) {
    v1::ExportRecord record;
    v1::ExportedEvent* exported = record.mutable_event();
    exported->set_position(event.position);
    exported->set_hash(std::move(event.hash));
    exported->set_stored_bytes(std::move(event.envelope_bytes));
    Emit(record);
  }

  absl::Status Seal() {
    RP_ASSIGN_OR_RETURN(
        std::string checkpoint,
        CheckpointAt(*deps_.store, *key_, head_, deps_.clock->Now()));
    v1::ExportRecord record;
    v1::ExportSeal* seal = record.mutable_seal();
    seal->set_signature(key_->Sign(
        SigningInput(kExportContext, absl::StrCat(digest_, checkpoint))));
    seal->set_records_digest(digest_);
    seal->set_checkpoint(std::move(checkpoint));
    out_->emplace_back().set_record(record.SerializeAsString());
    return absl::OkStatus();
  }

  void Emit(const v1::ExportRecord& record) {
    std::string bytes = record.SerializeAsString();
    digest_ = NextRecordsDigest(digest_, bytes);
    out_->emplace_back().set_record(std::move(bytes));
  }

  const ServiceDeps deps_;
  const SigningKey* const key_;
  const Principal principal_;
  const v1::ExportRequest request_;
  const std::optional<PositionRange> range_;
  std::string digest_;
  std::vector<v1::ExportChunk>* out_ = nullptr;
  bool started_ = false;
  uint64_t head_ = 0;           // the position the seal's checkpoint names
  uint64_t next_version_ = 1;   // a person's export
  uint64_t next_position_ = 0;  // a range's
  uint64_t next_checkpoint_ = 0;
};

}  // namespace

grpc::ServerWriteReactor<v1::ExportChunk>* AuditService::Export(
    grpc::CallbackServerContext* ctx, const v1::ExportRequest* request) {
  using Source = PullWriter<v1::ExportChunk>::Source;
  const bool whole_log = request->person_id().empty();
  const engine::SigningKey* key = signing_key_;
  const ServiceDeps deps = deps_;
  return AuditorStream<v1::ExportChunk>(
      deps_, ctx, nullptr,
      whole_log ? Reach::kWholeLog : Reach::kPersonsInScope,
      whole_log ? "export a range of the event log"
                : "export a person's events",
      [deps, key, request,
       whole_log](const Principal& principal) -> absl::StatusOr<Source> {
        RP_RETURN_IF_ERROR(RequireKey(key));
        std::optional<PositionRange> range;
        if (whole_log) {
          RP_ASSIGN_OR_RETURN(range,
                              CheckRange(*request, deps.store->LastPosition()));
        } else {
          if (request->from_position() != 0 || request->to_position() != 0) {
            return absl::InvalidArgumentError(
                "from_position and to_position: give a person_id or a "
                "position range, not both");
          }
          RP_RETURN_IF_ERROR(CheckBounds(*request));
        }
        return Source(ExportSource(deps, key, principal, *request, range));
      });
}

grpc::ServerUnaryReactor* AuditService::Checkpoints(
    grpc::CallbackServerContext* ctx, const v1::CheckpointsRequest* request,
    v1::CheckpointsResponse* response) {
  return RunUnarySync(
      deps_, ctx, [this, request, response](const Principal& principal) {
        // Checkpoints name no person: any auditor may read them.
        RP_RETURN_IF_ERROR(RequireAuditor(principal, "read checkpoints"));
        if (request->limit() > kMaxCheckpoints) {
          return absl::InvalidArgumentError(absl::StrCat(
              "limit: at most ", kMaxCheckpoints, " checkpoints a call"));
        }
        const uint32_t limit =
            request->limit() == 0 ? kDefaultCheckpoints : request->limit();
        RP_ASSIGN_OR_RETURN(
            std::vector<Checkpoint> stored,
            deps_.store->ReadCheckpoints(request->from_position(), limit));
        for (const Checkpoint& checkpoint : stored) {
          if (!response->add_checkpoints()->ParseFromString(
                  checkpoint.record)) {
            return absl::DataLossError(
                absl::StrCat("the checkpoint at position ", checkpoint.position,
                             " does not parse"));
          }
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AuditService::SigningKey(
    grpc::CallbackServerContext* ctx, const v1::SigningKeyRequest*,
    v1::SigningKeyResponse* response) {
  return RunUnarySync(deps_, ctx, [this, response](const Principal& principal) {
    RP_RETURN_IF_ERROR(
        RequireAuditor(principal, "read the server's public key"));
    RP_RETURN_IF_ERROR(RequireKey(signing_key_));
    response->set_public_key_pem(signing_key_->public_key_pem());
    response->set_key_id(signing_key_->key_id());
    return absl::OkStatus();
  });
}

}  // namespace returnpath::engine
