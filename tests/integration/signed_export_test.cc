// Signed exports end to end: a person's export and a range of the log verify
// offline against the key the daemon wrote; a changed byte anywhere fails
// naming the position or part; checkpoints are written as the clock moves and
// a range between two links them; only auditors in scope export, and every
// person exported is in the access log before anything is served.

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "clients/lib/export_file.h"
#include "clients/lib/time_text.h"
#include "engine/read_file.h"
#include "engine/signature.h"
#include "gmock/gmock.h"
#include "google/protobuf/io/coded_stream.h"
#include "returnpath/v1/export.pb.h"
#include "server/auth.h"
#include "tests/integration/scoped_fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// An export file's records, raw, to change one and frame them again.
std::vector<std::string> Records(absl::string_view file) {
  file.remove_prefix(client::kExportMagic.size());
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t*>(file.data()),
      static_cast<int>(file.size()));
  std::vector<std::string> records;
  uint32_t length = 0;
  while (in.ReadVarint32(&length)) {
    std::string record;
    in.ReadString(&record, static_cast<int>(length));
    records.push_back(std::move(record));
  }
  return records;
}

std::string FileOf(const std::vector<std::string>& records) {
  std::string file(client::kExportMagic);
  for (const std::string& record : records)
    file += client::ExportFileRecord(record);
  return file;
}

v1::ExportRecord Parsed(const std::string& record) {
  v1::ExportRecord parsed;
  EXPECT_TRUE(parsed.ParseFromString(record));
  return parsed;
}

// `file` with record `index` changed by `change`.
std::string Changed(const std::string& file, size_t index,
                    const std::function<void(v1::ExportRecord&)>& change) {
  std::vector<std::string> records = Records(file);
  v1::ExportRecord record = Parsed(records.at(index));
  change(record);
  records[index] = record.SerializeAsString();
  return FileOf(records);
}

void FlipLastByte(std::string* bytes) { bytes->back() ^= 0x01; }

class SignedExportTest : public ScopedTest {
 protected:
  DaemonOptions Options() const override {
    DaemonOptions options = ScopedTest::Options();
    options.extra_flags.push_back("--checkpoint_every=1h");
    return options;
  }

  absl::Status MoveClock(absl::Duration by) { return AdvanceBy(by).status(); }

  absl::StatusOr<std::string> Export(const std::string& principal,
                                     const v1::ExportRequest& request) {
    std::string file(client::kExportMagic);
    absl::Status status =
        Client(principal).Export(request, [&](const v1::ExportChunk& chunk) {
          file += client::ExportFileRecord(chunk.record());
          return true;
        });
    if (!status.ok()) return status;
    return file;
  }
  absl::StatusOr<std::string> ExportPerson(const std::string& principal,
                                           const std::string& person) {
    v1::ExportRequest request;
    request.set_person_id(person);
    return Export(principal, request);
  }
  absl::StatusOr<std::string> ExportRange(uint64_t from, uint64_t to) {
    v1::ExportRequest request;
    request.set_from_position(from);
    request.set_to_position(to);
    return Export("auditor-all", request);
  }

  // The public key the daemon wrote beside its private one.
  std::string PublicKey() {
    return engine::ReadFileText(daemon().data_dir() + "/signing_key.pem.pub",
                                "public key")
        .value_or("");
  }
  absl::Status Verify(const std::string& file) {
    return client::VerifyExport(file, PublicKey()).status();
  }

  // Waits until the daemon logs a checkpoint at a position after `after`,
  // and returns that position.
  uint64_t NextCheckpoint(uint64_t after) {
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    for (;;) {
      absl::StatusOr<v1::CheckpointsResponse> stored =
          Client("auditor-oslo").Checkpoints(v1::CheckpointsRequest());
      EXPECT_TRUE(stored.ok()) << stored.status();
      for (const v1::SignedCheckpoint& signed_checkpoint :
           stored.ok()
               ? stored->checkpoints()
               : google::protobuf::RepeatedPtrField<v1::SignedCheckpoint>()) {
        v1::ChainCheckpoint checkpoint;
        checkpoint.ParseFromString(signed_checkpoint.checkpoint());
        if (checkpoint.position() > after) return checkpoint.position();
      }
      if (absl::Now() > give_up) {
        ADD_FAILURE() << "no checkpoint after " << after << ":\n"
                      << daemon().LogTail();
        return 0;
      }
      absl::SleepFor(absl::Milliseconds(20));  // polls the daemon, not a clock
    }
  }

  uint64_t LastPosition() {
    std::vector<v1::EventEnvelope> log = WholeLog();
    return log.empty() ? 0 : log.back().position();
  }
};

TEST_F(SignedExportTest, APersonsExportVerifiesOfflineAgainstTheServersKey) {
  absl::StatusOr<std::string> file = ExportPerson("auditor-oslo", "P-O1");
  RP_ASSERT_OK(file);
  absl::StatusOr<client::VerifiedExport> verified =
      client::VerifyExport(*file, PublicKey());
  RP_ASSERT_OK(verified);
  EXPECT_EQ(verified->person_id, "P-O1");
  size_t events = 0;
  for (const v1::EventEnvelope& event : WholeLog())
    events += event.stream_id() == "P-O1" ? 1 : 0;
  EXPECT_EQ(verified->events, events);
  EXPECT_EQ(verified->exported_by, "auditor-oslo");
  EXPECT_EQ(verified->head_position, LastPosition());
  // returnctl fetches the same key the daemon wrote for the operator.
  absl::StatusOr<v1::SigningKeyResponse> key =
      Client("auditor-oslo").SigningKey();
  RP_ASSERT_OK(key);
  EXPECT_EQ(key->public_key_pem(), PublicKey());
}

TEST_F(SignedExportTest, ARangeOfTheLogVerifiesLinkByLink) {
  const uint64_t last = LastPosition();
  absl::StatusOr<std::string> file = ExportRange(2, last);
  RP_ASSERT_OK(file);
  absl::StatusOr<client::VerifiedExport> verified =
      client::VerifyExport(*file, PublicKey());
  RP_ASSERT_OK(verified);
  EXPECT_EQ(verified->events, last - 1);
  EXPECT_EQ(verified->head_position, last);
  EXPECT_EQ(verified->head, WholeLog().back().hash());
}

TEST_F(SignedExportTest, AChangedByteAnywhereFailsNamingWhere) {
  absl::StatusOr<std::string> person = ExportPerson("auditor-all", "P-O1");
  RP_ASSERT_OK(person);
  RP_ASSERT_OK(Verify(*person));
  const std::vector<std::string> records = Records(*person);
  ASSERT_GE(records.size(), 4u);  // header, two events or more, seal
  const uint64_t second = Parsed(records[2]).event().position();
  const size_t seal = records.size() - 1;

  auto failure = [&](const std::string& file) {
    return std::string(Verify(file).message());
  };
  EXPECT_THAT(
      failure(Changed(*person, 2,
                      [](v1::ExportRecord& r) {
                        FlipLastByte(r.mutable_event()->mutable_stored_bytes());
                      })),
      StartsWith(absl::StrCat("position ", second, ": ")));
  EXPECT_THAT(failure(Changed(*person, 2,
                              [](v1::ExportRecord& r) {
                                FlipLastByte(r.mutable_event()->mutable_hash());
                              })),
              StartsWith(absl::StrCat("position ", second,
                                      ": the hash is not SHA-256")));
  EXPECT_THAT(
      failure(Changed(*person, seal,
                      [](v1::ExportRecord& r) {
                        v1::ChainCheckpoint c;
                        c.ParseFromString(r.seal().checkpoint());
                        c.mutable_time()->set_seconds(c.time().seconds() + 1);
                        r.mutable_seal()->set_checkpoint(c.SerializeAsString());
                      })),
      StartsWith("signature: "));
  auto change_head = [](v1::ExportRecord& r) {
    v1::ChainCheckpoint c;
    c.ParseFromString(r.seal().checkpoint());
    FlipLastByte(c.mutable_head());
    r.mutable_seal()->set_checkpoint(c.SerializeAsString());
  };
  // A person's export cannot check the head against its events (other
  // persons' events lie between): only the signature covers it.
  EXPECT_THAT(failure(Changed(*person, seal, change_head)),
              StartsWith("signature: "));
  EXPECT_THAT(
      failure(Changed(*person, seal,
                      [](v1::ExportRecord& r) {
                        FlipLastByte(r.mutable_seal()->mutable_signature());
                      })),
      StartsWith("signature: "));
  EXPECT_THAT(failure(Changed(*person, 0,
                              [](v1::ExportRecord& r) {
                                r.mutable_header()->set_exported_by("someone");
                              })),
              StartsWith("seal: the records digest does not match"));
  // A removed event: the person's stream versions show the gap.
  std::vector<std::string> without = records;
  without.erase(without.begin() + 1);
  EXPECT_THAT(failure(FileOf(without)),
              StartsWith(absl::StrCat("position ", second,
                                      ": stream version 2 where 1 was due")));
  // Another key.
  EXPECT_THAT(
      std::string(client::VerifyExport(
                      *person, engine::GenerateEd25519Key().public_key_pem)
                      .status()
                      .message()),
      StartsWith("checkpoint: names another key"));
  // A byte changed in the file itself, whatever it hits, fails.
  for (size_t i = client::kExportMagic.size(); i < person->size(); i += 7) {
    std::string file = *person;
    file[i] ^= 0x20;
    EXPECT_FALSE(Verify(file).ok()) << "byte " << i;
  }

  // In a range, a removed event is a missing position.
  absl::StatusOr<std::string> range = ExportRange(1, LastPosition());
  RP_ASSERT_OK(range);
  std::vector<std::string> gap = Records(*range);
  gap.erase(gap.begin() + 3);  // position 3
  EXPECT_THAT(failure(FileOf(gap)),
              StartsWith("position 3: missing (the next event is at "
                         "position 4)"));
  // In a range the seal's head is the last event's hash.
  EXPECT_THAT(failure(Changed(*range, Records(*range).size() - 1, change_head)),
              StartsWith("checkpoint: does not name the range's last event"));
}

TEST_F(SignedExportTest, CheckpointsComeAtTheIntervalAndARangeLinksTwo) {
  RP_ASSERT_OK(MoveClock(absl::Minutes(61)));
  const uint64_t first = NextCheckpoint(0);
  ASSERT_GT(first, 0u);
  AddPerson("P-O3", "Oslo-1", "oslo");
  RP_ASSERT_OK(MoveClock(absl::Minutes(61)));
  const uint64_t second = NextCheckpoint(first);
  ASSERT_GT(second, first);

  absl::StatusOr<std::string> between = ExportRange(first + 1, second);
  RP_ASSERT_OK(between);
  absl::StatusOr<client::VerifiedExport> verified =
      client::VerifyExport(*between, PublicKey());
  RP_ASSERT_OK(verified);
  EXPECT_THAT(verified->linked_checkpoints, ElementsAre(first, second));

  // A stored checkpoint whose signature was changed fails by its position.
  const std::vector<std::string> records = Records(*between);
  ASSERT_TRUE(Parsed(records[1]).has_checkpoint());
  EXPECT_THAT(
      std::string(
          Verify(Changed(*between, 1,
                         [](v1::ExportRecord& r) {
                           FlipLastByte(
                               r.mutable_checkpoint()->mutable_signature());
                         }))
              .message()),
      StartsWith(absl::StrCat("checkpoint at position ", first,
                              ": the signature does not match")));

  const ProcessResult listed =
      Ctl({"--token=auditor-oslo-token", "audit", "checkpoints"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr(absl::StrCat("position ", first, " ")));
  EXPECT_THAT(listed.out, HasSubstr("2 checkpoints"));
}

TEST_F(SignedExportTest, OnlyAuditorsInScopeExportAndBadInputIsNamed) {
  EXPECT_CODE(ExportPerson("reception-oslo", "P-O1"), kPermissionDenied,
              "export a person's events");
  EXPECT_CODE(ExportPerson("auditor-oslo", "P-B1"), kNotFound, "P-B1");
  EXPECT_CODE(ExportPerson("auditor-oslo", "P-NOBODY"), kNotFound, "P-NOBODY");
  v1::ExportRequest range;
  range.set_from_position(1);
  EXPECT_CODE(Export("auditor-oslo", range), kPermissionDenied,
              "scoped to everything");
  const uint64_t last = LastPosition();
  EXPECT_CODE(ExportRange(1, 900), kInvalidArgument,
              absl::StrCat("to_position 900 is past the end of the log (last "
                           "position ",
                           last, ")"));
  EXPECT_CODE(ExportRange(5, 4), kInvalidArgument,
              "from_position 5 is after to_position 4");
  v1::ExportRequest both;
  both.set_person_id("P-O1");
  both.set_to_position(3);
  EXPECT_CODE(Export("auditor-all", both), kInvalidArgument,
              "give a person_id or a position range, not both");
  EXPECT_CODE(ExportPerson("auditor-all", std::string(200, 'P')),
              kInvalidArgument, "person_id");
  v1::CheckpointsRequest too_many;
  too_many.set_limit(5000);
  EXPECT_CODE(Client("auditor-all").Checkpoints(too_many), kInvalidArgument,
              "limit: at most 1000");
  EXPECT_CODE(Client("reception-oslo").Checkpoints(v1::CheckpointsRequest()),
              kPermissionDenied, "read checkpoints");
}

TEST_F(SignedExportTest, TheReadIsLoggedBeforeAnythingIsServed) {
  bool logged_before_first_chunk = false;
  bool first = true;
  v1::ExportRequest request;
  request.set_person_id("P-O2");
  RP_ASSERT_OK(
      Client("auditor-oslo").Export(request, [&](const v1::ExportChunk&) {
        if (first) {
          for (const v1::AccessRecord& record : AccessRecords("P-O2")) {
            if (record.method() == "Export" &&
                record.principal() == "auditor-oslo") {
              logged_before_first_chunk = true;
            }
          }
          first = false;
        }
        return true;
      }));
  EXPECT_TRUE(logged_before_first_chunk);

  // A range names every person in it.
  RP_ASSERT_OK(ExportRange(1, LastPosition()));
  for (const char* person : {"P-O1", "P-O2", "P-B1", "P-B2"}) {
    bool found = false;
    for (const v1::AccessRecord& record : AccessRecords(person)) {
      found = found || (record.method() == "Export" &&
                        record.principal() == "auditor-all");
    }
    EXPECT_TRUE(found) << person;
  }
}

TEST_F(SignedExportTest, ABadKeyStopsTheDaemonBeforeItOpensTheStore) {
  const std::string dir = daemon().data_dir() + "/../bad-key";
  const std::string key = dir + ".pem";
  std::ofstream(key) << "not a key\n";
  std::filesystem::permissions(key, std::filesystem::perms::owner_read);
  const ProcessResult run =
      RunProcess({ReturnpathdPath(), "--data_dir=" + dir,
                  "--listen=127.0.0.1:0", "--dev_principals", "--clock=manual",
                  "--policy_dir=" + PolicyDir(), "--signing_key=" + key});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("cannot load the signing key"));
  EXPECT_THAT(run.err, HasSubstr(absl::StrCat("signing key ", key,
                                              ": not a PEM private key")));
  EXPECT_FALSE(std::filesystem::exists(dir + "/store"));
}

TEST_F(SignedExportTest, ReturnctlExportsAndVerifiesOffline) {
  const std::string file = daemon().data_dir() + "/../p-o1.export";
  const std::string key = daemon().data_dir() + "/../server.pub";
  const ProcessResult fetched =
      Ctl({"--token=auditor-oslo-token", "audit", "signing-key", "--out", key});
  ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
  const ProcessResult exported =
      Ctl({"--token=auditor-oslo-token", "audit", "export", "--person", "P-O1",
           "--out", file});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_THAT(exported.out, HasSubstr("wrote "));
  const ProcessResult verified =
      Ctl({"audit", "verify-export", file, "--key", key});
  EXPECT_EQ(verified.exit_code, 0) << verified.err << verified.out;
  EXPECT_THAT(verified.out, HasSubstr("verified: person P-O1"));
  std::cout << exported.out << verified.out;

  // A changed byte: exit 4, naming where.
  std::string bytes = engine::ReadFileText(file, "export").value_or("");
  bytes[bytes.size() / 2] ^= 0x01;
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  const ProcessResult tampered =
      Ctl({"audit", "verify-export", file, "--key", key});
  EXPECT_EQ(tampered.exit_code, 4) << tampered.err;
  EXPECT_THAT(tampered.out, HasSubstr("NOT VERIFIED: "));
  std::cout << tampered.out;
}

}  // namespace
}  // namespace returnpath::integration
