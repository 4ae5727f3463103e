#include "clients/lib/export_file.h"

#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/digest.h"
#include "engine/proto_time.h"
#include "engine/signature.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "returnpath/v1/event.pb.h"
#include "returnpath/v1/export.pb.h"

namespace returnpath::client {
namespace {

using engine::NextRecordsDigest;
using engine::Sha256;

using engine::kCheckpointContext;
using engine::kExportContext;
const std::string kGenesis(32, '\0');

absl::Status Bad(absl::string_view part, absl::string_view why) {
  return absl::DataLossError(absl::StrCat(part, ": ", why));
}
std::string AtPosition(uint64_t position) {
  return absl::StrCat("position ", position);
}

// Reads the length-prefixed records after the magic.
class RecordReader {
 public:
  explicit RecordReader(absl::string_view records)
      : size_(static_cast<int>(records.size())),
        input_(reinterpret_cast<const uint8_t*>(records.data()), size_) {}

  bool AtEnd() const { return input_.CurrentPosition() == size_; }
  // The next record; `where` names it in an error.
  absl::StatusOr<std::string> Next(absl::string_view where) {
    uint32_t length = 0;
    std::string bytes;
    if (!input_.ReadVarint32(&length) ||
        !input_.ReadString(&bytes, static_cast<int>(length))) {
      return Bad(where, "the file ends inside a record");
    }
    return bytes;
  }

 private:
  const int size_;
  google::protobuf::io::CodedInputStream input_;
};

// The checks as records arrive: each event's own hash, its place in the
// person's stream or the range's chain, checkpoints against the chain.
class Checker {
 public:
  Checker(std::string public_key_pem, std::string key_id)
      : public_key_pem_(std::move(public_key_pem)),
        key_id_(std::move(key_id)) {}

  absl::Status Header(const v1::ExportRecord& record) {
    if (!record.has_header())
      return Bad("header", "the first record is not a header");
    const v1::ExportHeader& header = record.header();
    if (header.format_version() != 1) {
      return Bad("header",
                 absl::StrCat("format version ", header.format_version(),
                              " is not one this verifier knows"));
    }
    const bool range = header.person_id().empty();
    if (range == (header.from_position() == 0)) {
      return Bad("header", "names neither a person nor a range, or both");
    }
    if (range && header.to_position() < header.from_position()) {
      return Bad("header", "the range ends before it starts");
    }
    out_.person_id = header.person_id();
    out_.from_position = header.from_position();
    out_.to_position = header.to_position();
    out_.exported_by = header.exported_by();
    out_.exported_time = engine::FromTimestamp(header.exported_time());
    return absl::OkStatus();
  }

  absl::Status Event(const v1::ExportedEvent& event) {
    const uint64_t position = event.position();
    const std::string at = AtPosition(position);
    v1::EventEnvelope envelope;
    if (!envelope.ParseFromString(event.stored_bytes()))
      return Bad(at, "the stored bytes do not parse as an event");
    if (envelope.position() != position || !envelope.hash().empty()) {
      return Bad(at, absl::StrCat("the stored bytes are of position ",
                                  envelope.position()));
    }
    if (event.hash() !=
        Sha256(envelope.previous_hash(), event.stored_bytes())) {
      return Bad(at,
                 "the hash is not SHA-256(previous_hash || stored bytes): "
                 "the event or its hash was changed");
    }
    if (out_.person_id.empty()) {
      if (absl::Status s = ChainLink(position, envelope); !s.ok()) return s;
    } else {
      if (absl::Status s = StreamLink(position, envelope); !s.ok()) return s;
    }
    last_position_ = position;
    last_hash_ = event.hash();
    ++out_.events;
    return absl::OkStatus();
  }

  // A stored checkpoint of a range: signed by the key, at the position just
  // before the range or of the event it follows, naming that event's hash.
  absl::Status StoredCheckpoint(const v1::SignedCheckpoint& signed_checkpoint) {
    if (!out_.person_id.empty())
      return Bad("checkpoint", "a person's export carries none");
    absl::StatusOr<v1::ChainCheckpoint> checkpoint =
        Signed(signed_checkpoint, "checkpoint");
    if (!checkpoint.ok()) return checkpoint.status();
    const std::string part =
        absl::StrCat("checkpoint at position ", checkpoint->position());
    if (out_.events == 0 && checkpoint->position() == out_.from_position - 1) {
      before_range_head_ = checkpoint->head();  // checked by the first event
    } else if (out_.events == 0 || checkpoint->position() != last_position_) {
      return Bad(part, "is not at the position of the event it follows");
    } else if (checkpoint->head() != last_hash_) {
      return Bad(part, "names another head than the event's hash");
    }
    out_.linked_checkpoints.push_back(checkpoint->position());
    return absl::OkStatus();
  }

  absl::Status Seal(const v1::ExportSeal& seal, absl::string_view digest) {
    v1::ChainCheckpoint checkpoint;
    if (!checkpoint.ParseFromString(seal.checkpoint()))
      return Bad("checkpoint", "does not parse");
    if (checkpoint.key_id() != key_id_)
      return Bad("checkpoint", "names another key than the one given");
    if (out_.person_id.empty()) {
      if (last_position_ != out_.to_position) {
        return Bad(AtPosition(last_position_ + 1),
                   "missing: the range ends early");
      }
      if (checkpoint.position() != out_.to_position ||
          checkpoint.head() != last_hash_) {
        return Bad("checkpoint", "does not name the range's last event");
      }
    } else if (checkpoint.position() < last_position_ ||
               (checkpoint.position() == last_position_ &&
                checkpoint.head() != last_hash_)) {
      return Bad("checkpoint", "does not cover the last event");
    }
    if (seal.records_digest() != digest) {
      return Bad("seal",
                 "the records digest does not match the records: a record "
                 "was changed, added or removed");
    }
    if (!engine::VerifyEd25519(
             public_key_pem_,
             engine::SigningInput(kExportContext,
                                  absl::StrCat(digest, seal.checkpoint())),
             seal.signature())
             .ok()) {
      return Bad("signature",
                 "the seal is not signed by this key over these records and "
                 "this checkpoint");
    }
    out_.head_position = checkpoint.position();
    out_.head = checkpoint.head();
    out_.head_time = engine::FromTimestamp(checkpoint.time());
    return absl::OkStatus();
  }

  VerifiedExport Take() { return std::move(out_); }

 private:
  absl::Status ChainLink(uint64_t position, const v1::EventEnvelope& envelope) {
    const uint64_t expected =
        out_.events == 0 ? out_.from_position : last_position_ + 1;
    const std::string at = AtPosition(expected);
    if (position != expected) {
      return Bad(at, absl::StrCat("missing (the next event is at position ",
                                  position, ")"));
    }
    if (position > out_.to_position)
      return Bad(at, "is past the range the header names");
    if (out_.events > 0 && envelope.previous_hash() != last_hash_)
      return Bad(at, "previous_hash does not link to the event before");
    if (out_.events == 0) {
      if (position == 1 && envelope.previous_hash() != kGenesis)
        return Bad(at, "previous_hash is not the genesis hash");
      if (before_range_head_.has_value() &&
          *before_range_head_ != envelope.previous_hash()) {
        return Bad(at, "previous_hash does not link to the checkpoint before");
      }
    }
    return absl::OkStatus();
  }

  // A person's events in stream order, none left out in between.
  absl::Status StreamLink(uint64_t position,
                          const v1::EventEnvelope& envelope) {
    const std::string at = AtPosition(position);
    if (envelope.stream_id() != out_.person_id)
      return Bad(at, "the event is of another person");
    if (envelope.stream_version() != out_.events + 1) {
      return Bad(at, absl::StrCat("stream version ", envelope.stream_version(),
                                  " where ", out_.events + 1,
                                  " was due: an event is missing"));
    }
    if (out_.events > 0 && position <= last_position_)
      return Bad(at, "out of position order");
    return absl::OkStatus();
  }

  absl::StatusOr<v1::ChainCheckpoint> Signed(
      const v1::SignedCheckpoint& signed_checkpoint, absl::string_view part) {
    v1::ChainCheckpoint checkpoint;
    if (!checkpoint.ParseFromString(signed_checkpoint.checkpoint()))
      return Bad(part, "does not parse");
    const std::string named =
        absl::StrCat(part, " at position ", checkpoint.position());
    if (checkpoint.key_id() != key_id_)
      return Bad(named, "names another key than the one given");
    if (!engine::VerifyEd25519(
             public_key_pem_,
             engine::SigningInput(kCheckpointContext,
                                  signed_checkpoint.checkpoint()),
             signed_checkpoint.signature())
             .ok()) {
      return Bad(named, "the signature does not match");
    }
    return checkpoint;
  }

  const std::string public_key_pem_;
  const std::string key_id_;
  VerifiedExport out_;
  uint64_t last_position_ = 0;
  std::string last_hash_;
  std::optional<std::string> before_range_head_;
};

}  // namespace

std::string ExportFileRecord(absl::string_view record) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  {
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.WriteVarint32(static_cast<uint32_t>(record.size()));
    coded.WriteRaw(record.data(), static_cast<int>(record.size()));
  }
  return out;
}

absl::StatusOr<VerifiedExport> VerifyExport(absl::string_view file,
                                            absl::string_view public_key_pem) {
  absl::StatusOr<std::string> key_id = engine::PublicKeyId(public_key_pem);
  if (!key_id.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("key: ", key_id.status().message()));
  }
  if (!absl::ConsumePrefix(&file, kExportMagic))
    return Bad("header", "this is not a returnpath export file");
  Checker checker{std::string(public_key_pem), *key_id};
  RecordReader reader(file);
  std::string digest = engine::RecordsDigestStart(kExportContext);
  uint64_t count = 0;
  for (;;) {
    if (reader.AtEnd()) {
      return Bad(count == 0 ? "header" : "seal",
                 "missing: the file ends before it");
    }
    absl::StatusOr<std::string> bytes =
        reader.Next(absl::StrCat("record ", count + 1));
    if (!bytes.ok()) return bytes.status();
    v1::ExportRecord record;
    if (!record.ParseFromString(*bytes)) {
      return Bad(absl::StrCat("record ", count + 1),
                 "does not parse (a byte of its framing was changed)");
    }
    ++count;
    if (count == 1) {
      if (absl::Status s = checker.Header(record); !s.ok()) return s;
    } else if (record.has_event()) {
      if (absl::Status s = checker.Event(record.event()); !s.ok()) return s;
    } else if (record.has_checkpoint()) {
      absl::Status s = checker.StoredCheckpoint(record.checkpoint());
      if (!s.ok()) return s;
    } else if (record.has_seal()) {
      if (absl::Status s = checker.Seal(record.seal(), digest); !s.ok())
        return s;
      if (!reader.AtEnd()) return Bad("seal", "records follow it");
      return checker.Take();
    } else {
      return Bad(absl::StrCat("record ", count), "is of no known kind");
    }
    digest = NextRecordsDigest(digest, *bytes);
  }
}

}  // namespace returnpath::client
