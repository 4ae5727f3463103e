// Erasing a person (issue 16): an auditor approves, an administrator erases.
// The personal fields of their events become unreadable for good (their key
// is destroyed), their pathway, index entries, timers and tasks go, the chain
// still verifies, ReplayCheck is clean, statistics keep their numbers, and no
// file of the data directory, nor a backup made after, holds any of it.

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "absl/strings/match.h"
#include "clients/lib/event_text.h"
#include "engine/testing/test_store.h"
#include "tests/integration/fixture.h"

namespace returnpath::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// In every personal field the test can fill (docs/privacy.md's table);
// the nationality is a real code, which statistics keep as a group label.
constexpr char kCanary[] = "KANARIFUGL";

// The files under `dir` whose bytes contain the canary.
std::vector<std::string> FilesWithCanary(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    if (bytes.find(kCanary) != std::string::npos) {
      found.push_back(entry.path().string());
    }
  }
  return found;
}

std::string Canary(const std::string& field) {
  return absl::StrCat(kCanary, "-", field);
}

class ErasureTest : public IntegrationTest {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dir = MakeTempDir("rp_erasure_backups_");
    ASSERT_TRUE(dir.ok()) << dir.status();
    backups_ = *dir;
    IntegrationTest::SetUp();
  }
  void TearDown() override {
    IntegrationTest::TearDown();
    std::filesystem::remove_all(backups_);
  }
  DaemonOptions Options() const override {
    DaemonOptions options = NationalTeam();
    if (!engine::testing::TestStoreIsPostgres()) {  // backed up by PostgreSQL
      options.extra_flags.push_back("--backup_dir=" + backups_);
      options.extra_flags.push_back("--backup_every=1000h");
    }
    return options;
  }

  // A person with the canary in every personal field the desk records, and
  // an open return conversation task in their centre's queue.
  void RecordCanaryPerson(const std::string& id) {
    RP_ASSERT_OK(Register({.id = id,
                           .household = Canary("household"),
                           .nationality = "ER",
                           .centre = Canary("centre")}));
    RP_ASSERT_OK(
        Record(id, "first-rejection",
               {{"notified", "2026-03-01"}, {"decision", Canary("decision")}}));
    RP_ASSERT_OK(Record(id, "disappeared", {{"note", Canary("disappeared")}}));
    RP_ASSERT_OK(Record(id, "reappeared", {{"centre", Canary("centre-2")}}));
  }

  absl::Status Approve(const std::string& id) {
    v1::ApproveErasureRequest request;
    request.set_person_id(id);
    request.set_reason("residence permit granted");
    return As("auditor").ApproveErasure(request).status();
  }
  absl::StatusOr<v1::EraseResponse> Erase(const std::string& id) {
    v1::EraseRequest request;
    request.set_person_id(id);
    request.set_reason("residence permit granted");
    return As("admin").Erase(request);
  }

  void ExpectVerifiedAndReplayClean() {
    bool verified = false;
    RP_EXPECT_OK(As("auditor").Verify(
        v1::VerifyRequest(), [&](const v1::VerifyResponse& response) {
          if (response.has_outcome()) {
            verified = response.outcome().ok();
            EXPECT_TRUE(verified) << response.outcome().message();
          }
          return true;
        }));
    EXPECT_TRUE(verified);
    std::vector<std::string> differences;
    bool replayed = false;
    RP_EXPECT_OK(As("auditor").ReplayCheck(
        v1::ReplayCheckRequest(), [&](const v1::ReplayCheckResponse& r) {
          if (r.has_difference()) differences.push_back(r.DebugString());
          if (r.has_outcome()) replayed = true;
          return true;
        }));
    EXPECT_TRUE(replayed);
    EXPECT_THAT(differences, IsEmpty());
  }

  std::string StatisticsText() {
    absl::StatusOr<v1::StatisticsResponse> stats =
        As("auditor").Statistics(v1::StatisticsRequest());
    EXPECT_TRUE(stats.ok()) << stats.status();
    return stats.ok() ? stats->DebugString() : "";
  }

  std::string backups_;
};

TEST_F(ErasureTest, NoFileKeepsTheErasedPersonsDataAndTheChainStillVerifies) {
  RP_SKIP_ON_POSTGRES("the test scans RocksDB's files and backups");
  RecordCanaryPerson("P-C");
  RP_ASSERT_OK(Register({.id = "P-2"}));
  // The scan finds the canary while the person is there: in the log the
  // store writes first, and in the state, index and task records.
  EXPECT_THAT(FilesWithCanary(daemon().data_dir()), Not(IsEmpty()));
  const std::string statistics = StatisticsText();
  const size_t history_before = History("P-C")->size();

  // Four eyes: no erasure before an auditor approved it.
  EXPECT_CODE(Erase("P-C"), kFailedPrecondition, "approval");
  RP_ASSERT_OK(Approve("P-C"));
  absl::StatusOr<v1::EraseResponse> erased = Erase("P-C");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->approved_by(), "auditor");
  EXPECT_EQ(erased->events_erased(), history_before);

  // No file of the data directory holds any of it, nor a backup made now.
  EXPECT_THAT(FilesWithCanary(daemon().data_dir()), IsEmpty());
  v1::BackupRequest backup;
  backup.set_to("after-erasure");
  RP_ASSERT_OK(As("admin").Backup(backup));
  EXPECT_THAT(FilesWithCanary(backups_), IsEmpty());

  // The history keeps its facts and says what was erased; the erasure is
  // its last event, naming both principals.
  absl::StatusOr<std::vector<v1::EventEnvelope>> history = History("P-C");
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), history_before + 1);
  for (size_t i = 0; i < history_before; ++i) {
    const v1::EventEnvelope& e = (*history)[i];
    EXPECT_TRUE(e.erased()) << e.DebugString();
    EXPECT_THAT(e.DebugString(), Not(HasSubstr(kCanary)));
    EXPECT_TRUE(e.has_effective_time());
  }
  v1::StreamErased record;
  ASSERT_TRUE(history->back().payload().UnpackTo(&record));
  EXPECT_EQ(history->back().principal(), "admin");
  EXPECT_EQ(record.approved_by(), "auditor");
  EXPECT_EQ(record.reason(), "residence permit granted");
  EXPECT_EQ(client::EventName(history->back().payload()), "erased");

  // The pathway and tasks are gone; nothing more is recorded for them.
  EXPECT_CODE(View("P-C"), kFailedPrecondition, "was erased");
  EXPECT_CODE(Record("P-C", "disappeared", {}), kFailedPrecondition, "erased");
  for (const char* centre : {"centre", "centre-2"}) {
    absl::StatusOr<std::vector<v1::Task>> tasks =
        QueueTasks("adviser", "advisers/" + Canary(centre));
    ASSERT_TRUE(tasks.ok()) << tasks.status();
    EXPECT_THAT(*tasks, IsEmpty()) << centre;
  }
  EXPECT_CODE(Erase("P-C"), kFailedPrecondition, "erased");

  // Statistics keep what they counted; the rest of the store is whole.
  EXPECT_EQ(StatisticsText(), statistics);
  ExpectVerifiedAndReplayClean();
  RP_EXPECT_OK(View("P-2"));

  // Reading what is left of them is logged like any other read.
  v1::AccessLogRequest access;
  access.set_person_id("P-C");
  absl::StatusOr<v1::AccessLogResponse> log = As("auditor").AccessLog(access);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_FALSE(log->records().empty());
  EXPECT_EQ(log->records(0).principal(), "auditor");
}

// What an auditor and an administrator type, and what the history says
// after.
TEST_F(ErasureTest, ReturnctlApprovesErasesAndShowsWhatIsLeft) {
  RecordCanaryPerson("P-C");
  ProcessResult approved =
      Ctl({"--as", "auditor", "audit", "approve-erasure", "--person", "P-C",
           "--reason", "residence permit granted"});
  ASSERT_EQ(approved.exit_code, 0) << approved.err;
  EXPECT_THAT(approved.out, HasSubstr("approved the erasure of P-C"));
  ProcessResult erased = Ctl({"--as", "admin", "admin", "erase", "--person",
                              "P-C", "--reason", "residence permit granted"});
  ASSERT_EQ(erased.exit_code, 0) << erased.err;
  EXPECT_THAT(erased.out, HasSubstr("approved by auditor"));
  ProcessResult history =
      Ctl({"--as", "auditor", "audit", "history", "--person", "P-C"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_THAT(history.out, HasSubstr("[personal fields erased]"));
  EXPECT_THAT(history.out,
              HasSubstr("erased: reason residence permit granted"));
  EXPECT_THAT(history.out, Not(HasSubstr(kCanary)));
}

TEST_F(ErasureTest, ThePersonWhoApprovedCannotErase) {
  RP_ASSERT_OK(Register({.id = "P-1"}));
  // An administrator may not approve (auditors do), nor erase what nobody
  // approved; the approval alone changes nothing.
  v1::ApproveErasureRequest request;
  request.set_person_id("P-1");
  request.set_reason("residence permit granted");
  EXPECT_CODE(As("admin").ApproveErasure(request), kPermissionDenied, "");
  EXPECT_CODE(Erase("P-1"), kFailedPrecondition, "approval");
  RP_ASSERT_OK(Approve("P-1"));
  RP_EXPECT_OK(View("P-1"));
  request.set_reason("");
  EXPECT_CODE(As("auditor").ApproveErasure(request), kInvalidArgument,
              "reason");
  // An approval runs out after 7 days.
  RP_ASSERT_OK(AdvanceBy(absl::Hours(24 * 8)));
  EXPECT_CODE(Erase("P-1"), kFailedPrecondition, "expired");
  RP_EXPECT_OK(View("P-1"));
}

TEST_F(ErasureTest, APersonErasedWhileTheirTaskIsLeased) {
  RP_ASSERT_OK(Register({.id = "P-1"}));
  RP_ASSERT_OK(Record("P-1", "first-rejection", {{"notified", "2026-03-01"}}));
  absl::StatusOr<std::vector<v1::Task>> queued =
      QueueTasks("adviser", "advisers/Oslo-1");
  ASSERT_TRUE(queued.ok()) << queued.status();
  ASSERT_FALSE(queued->empty());
  v1::ClaimTaskRequest claim;
  claim.mutable_task()->set_person_id("P-1");
  claim.mutable_task()->set_task_id(queued->front().id());
  claim.mutable_task()->set_worker("adviser");
  absl::StatusOr<v1::Task> leased = As("adviser").Claim(claim);
  ASSERT_TRUE(leased.ok()) << leased.status();

  RP_ASSERT_OK(Approve("P-1"));
  RP_ASSERT_OK(Erase("P-1"));

  // The holder's lease went with the task: completing it finds nothing,
  // and their list no longer shows it.
  v1::CompleteTaskRequest complete;
  *complete.mutable_task() = claim.task();
  complete.set_outcome("held");
  const absl::Status completed = As("adviser").Complete(complete).status();
  EXPECT_EQ(completed.code(), absl::StatusCode::kNotFound) << completed;
  absl::StatusOr<v1::ListMineResponse> mine =
      As("adviser").ListMine(v1::ListMineRequest());
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_THAT(mine->tasks(), IsEmpty());
  ExpectVerifiedAndReplayClean();
}

TEST_F(ErasureTest, AnErasureAmidConcurrentWritesLosesNoOtherWrite) {
  RecordCanaryPerson("P-C");
  RP_ASSERT_OK(Approve("P-C"));
  client::Client& reception = As("reception");  // made before the threads
  std::atomic<bool> stop = false;
  std::vector<std::vector<std::string>> acknowledged(3);
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load() || i < 5; ++i) {
        const std::string id = absl::StrCat("P-W", w, "-", i);
        absl::StatusOr<client::BuiltEvent> event =
            RegistrationEvent({.id = id});
        if (!event.ok()) return;
        if (reception.Record(id, *event).ok()) {
          acknowledged[w].push_back(id);
        }
      }
    });
  }
  absl::StatusOr<v1::EraseResponse> erased = Erase("P-C");
  stop = true;
  for (std::thread& writer : writers) writer.join();
  ASSERT_TRUE(erased.ok()) << erased.status();

  for (const std::vector<std::string>& ids : acknowledged) {
    EXPECT_GE(ids.size(), 5u);
    for (const std::string& id : ids) RP_EXPECT_OK(View(id));
  }
  EXPECT_THAT(FilesWithCanary(daemon().data_dir()), IsEmpty());
  ExpectVerifiedAndReplayClean();
}

}  // namespace
}  // namespace returnpath::integration
