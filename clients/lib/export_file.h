#ifndef RETURNPATH_CLIENTS_LIB_EXPORT_FILE_H_
#define RETURNPATH_CLIENTS_LIB_EXPORT_FILE_H_

// A signed export file (docs/signed-export.md) and its offline check. The
// file is kExportMagic, then each serialized ExportRecord (export.proto) as
// the server sent it, preceded by its length as a varint: the header, the
// events (a range's with the stored checkpoints among them), the seal.
//
// VerifyExport trusts nothing in the file: every hash is recomputed from the
// stored bytes, every link and signature is checked against the key the
// auditor holds. Stateless; thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace returnpath::client {

inline constexpr absl::string_view kExportMagic = "returnpath export 1\n";

// One record as it goes into the file: its length, then its bytes.
std::string ExportFileRecord(absl::string_view record);

// What a verified export proves.
struct VerifiedExport {
  std::string person_id;       // a person's export; empty for a range
  uint64_t from_position = 0;  // a range's
  uint64_t to_position = 0;
  uint64_t events = 0;
  std::string exported_by;
  absl::Time exported_time;
  // The seal's checkpoint: the log ended at this position with this head.
  uint64_t head_position = 0;
  std::string head;  // 32 raw bytes
  absl::Time head_time;
  // Positions of the stored checkpoints a range links to its seal.
  std::vector<uint64_t> linked_checkpoints;
};

// Checks `file` against `public_key_pem`. INVALID_ARGUMENT naming the key if
// it is not an Ed25519 public key; DATA_LOSS whose message starts with what
// failed: "position N: ...", "header: ...", "checkpoint ...", "seal: ..."
// or "signature: ...".
absl::StatusOr<VerifiedExport> VerifyExport(absl::string_view file,
                                            absl::string_view public_key_pem);

}  // namespace returnpath::client

#endif  // RETURNPATH_CLIENTS_LIB_EXPORT_FILE_H_
