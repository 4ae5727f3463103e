// audit export | verify-export | checkpoints | signing-key: signed exports an
// auditor checks without the server (docs/signed-export.md).

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "clients/lib/export_file.h"
#include "clients/lib/time_text.h"
#include "clients/returnctl/commands.h"
#include "clients/returnctl/session.h"
#include "engine/read_file.h"
#include "returnpath/v1/export.pb.h"

namespace returnpath::returnctl {
namespace {

using client::TimeText;

// The first bytes of a hash, enough to compare by eye.
std::string Short(absl::string_view hash) {
  return absl::BytesToHexString(hash.substr(0, 8));
}

// Writes `file` whole or not at all: a temporary file beside it, renamed.
class ExportOut {
 public:
  explicit ExportOut(std::string path)
      : path_(std::move(path)),
        temporary_(path_ + ".partial"),
        out_(temporary_, std::ios::binary | std::ios::trunc) {
    out_ << client::kExportMagic;
  }
  ~ExportOut() {
    if (!done_) std::remove(temporary_.c_str());
  }
  void Add(absl::string_view record) {
    out_ << client::ExportFileRecord(record);
  }
  bool Finish() {
    out_.close();
    done_ = out_.good() && std::rename(temporary_.c_str(), path_.c_str()) == 0;
    return done_;
  }
  bool good() const { return out_.good(); }

 private:
  const std::string path_;
  const std::string temporary_;
  std::ofstream out_;
  bool done_ = false;
};

int RunExport(const Args& args, Session& s) {
  int exit = kExitOk;
  v1::ExportRequest request;
  request.set_person_id(args.Get("person"));
  std::optional<uint64_t> from = s.NumberOption(args, "from-position", &exit);
  if (exit != kExitOk) return exit;
  std::optional<uint64_t> to = s.NumberOption(args, "to-position", &exit);
  if (exit != kExitOk) return exit;
  if (request.person_id().empty() == !from.has_value()) {
    return s.Usage("give --person, or --from-position for a range of the log");
  }
  request.set_from_position(from.value_or(0));
  request.set_to_position(to.value_or(0));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  const std::string path = args.Get("out");
  ExportOut out(path);
  if (!out.good()) return s.Usage(absl::StrCat("cannot write ", path));
  uint64_t events = 0;
  v1::ExportSeal seal;
  absl::Status status =
      client->Export(request, [&](const v1::ExportChunk& chunk) {
        out.Add(chunk.record());
        v1::ExportRecord record;
        if (record.ParseFromString(chunk.record())) {
          if (record.has_event()) ++events;
          if (record.has_seal()) seal = record.seal();
        }
        return true;
      });
  if (!status.ok()) return s.Fail(status);
  if (!out.Finish()) return s.Usage(absl::StrCat("cannot write ", path));
  v1::ChainCheckpoint head;
  head.ParseFromString(seal.checkpoint());
  s.out() << "wrote " << path << ": " << events
          << (events == 1 ? " event" : " events") << ", sealed at position "
          << head.position() << " (head " << Short(head.head()) << "..., "
          << TimeText(head.time()) << ")\n"
          << "check it with: returnctl audit verify-export " << path
          << " --key PUBLIC_KEY.pem\n";
  return kExitOk;
}

int RunVerifyExport(const Args& args, Session& s) {
  absl::StatusOr<std::string> file =
      engine::ReadFileText(args.operand(), "export file");
  if (!file.ok()) return s.Usage(file.status().message());
  absl::StatusOr<std::string> key =
      engine::ReadFileText(args.Get("key"), "public key");
  if (!key.ok()) return s.Usage(key.status().message());
  absl::StatusOr<client::VerifiedExport> verified =
      client::VerifyExport(*file, *key);
  if (absl::IsInvalidArgument(verified.status()))
    return s.Usage(verified.status().message());
  if (!verified.ok()) {
    s.out() << "NOT VERIFIED: " << verified.status().message() << "\n";
    return kExitProblemFound;
  }
  const client::VerifiedExport& v = *verified;
  s.out() << "verified: "
          << (v.person_id.empty()
                  ? absl::StrCat("positions ", v.from_position, "..",
                                 v.to_position, " of the log")
                  : absl::StrCat("person ", v.person_id))
          << ", " << v.events << (v.events == 1 ? " event" : " events")
          << ", exported by " << v.exported_by << " at "
          << TimeText(v.exported_time) << "\n"
          << "every hash recomputed from the stored bytes; "
          << (v.person_id.empty() ? "every link of the chain checked"
                                  : "the person's stream versions complete")
          << "; the seal's signature matches the key\n"
          << "the server signed that the log ended at position "
          << v.head_position << " with head " << absl::BytesToHexString(v.head)
          << " at " << TimeText(v.head_time) << "\n";
  for (uint64_t position : v.linked_checkpoints) {
    s.out() << "linked: the signed checkpoint at position " << position
            << " is on this chain\n";
  }
  return kExitOk;
}

int RunCheckpoints(const Args& args, Session& s) {
  int exit = kExitOk;
  v1::CheckpointsRequest request;
  std::optional<uint64_t> from = s.NumberOption(args, "from", &exit);
  if (exit != kExitOk) return exit;
  std::optional<uint64_t> limit = s.NumberOption(args, "limit", &exit);
  if (exit != kExitOk) return exit;
  request.set_from_position(from.value_or(0));
  request.set_limit(static_cast<uint32_t>(limit.value_or(0)));
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::StatusOr<v1::CheckpointsResponse> response =
      client->Checkpoints(request);
  if (!response.ok()) return s.Fail(response.status());
  if (s.json()) return s.Json(*response);
  for (const v1::SignedCheckpoint& signed_checkpoint :
       response->checkpoints()) {
    v1::ChainCheckpoint checkpoint;
    checkpoint.ParseFromString(signed_checkpoint.checkpoint());
    s.out() << "position " << checkpoint.position() << "  head "
            << absl::BytesToHexString(checkpoint.head()) << "  "
            << TimeText(checkpoint.time()) << "\n";
  }
  s.out() << response->checkpoints_size()
          << (response->checkpoints_size() == 1 ? " checkpoint"
                                                : " checkpoints")
          << " (times Europe/Oslo); export a range between two to prove the "
             "log between them\n";
  return kExitOk;
}

int RunSigningKey(const Args& args, Session& s) {
  client::Client* client = s.client();
  if (client == nullptr) return s.exit_code();
  absl::StatusOr<v1::SigningKeyResponse> key = client->SigningKey();
  if (!key.ok()) return s.Fail(key.status());
  if (!args.Has("out")) {
    s.out() << key->public_key_pem();
    return kExitOk;
  }
  std::ofstream out(args.Get("out"), std::ios::trunc);
  out << key->public_key_pem();
  out.close();
  if (!out.good())
    return s.Usage(absl::StrCat("cannot write ", args.Get("out")));
  s.out() << "wrote " << args.Get("out") << " (key id "
          << absl::BytesToHexString(key->key_id()) << ")\n";
  return kExitOk;
}

}  // namespace

void AddAuditExportCommands(CommandTable* table) {
  table->Add({"audit export",
              "write a person's events, or a range of the log, with their "
              "hashes and a checkpoint signed by the server, to a file an "
              "auditor checks without the server",
              {{"person", "ID", "the person (case number)"},
               {"from-position", "N", "a range of the whole log from here"},
               {"to-position", "N", "... to here (default: the end)"},
               {"out", "FILE", "where to write it", true}},
              "Give --person, or --from-position [--to-position]. A range "
              "needs an auditor scoped to everything; every person in it is "
              "written to the access log.",
              "",
              RunExport});
  table->Add({"audit verify-export",
              "check an export offline against the server's public key; exit "
              "4 naming the position or part that does not hold",
              {{"key", "PEM", "the server's public key", true}},
              "",
              "",
              RunVerifyExport,
              "FILE"});
  table->Add({"audit checkpoints",
              "the signed checkpoints of the log's head the server keeps",
              {{"from", "POSITION", "from this position (default 0)"},
               {"limit", "N", "at most N (default 100, at most 1000)"}},
              "",
              "",
              RunCheckpoints});
  table->Add({"audit signing-key",
              "the server's public key, to hand to whoever verifies exports",
              {{"out", "FILE", "write it here (default: print it)"}},
              "",
              "",
              RunSigningKey});
}

}  // namespace returnpath::returnctl
