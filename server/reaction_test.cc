// No reaction blocks an executor thread while it waits for a write: with
// every write held back, more task completions (or audited history streams,
// or replay check differences, waiting for their access-log record) than
// executor threads are in flight, and a read that writes nothing is still
// answered.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "commit/sequencer.h"
#include "engine/rpc/executor.h"
#include "engine/rpc/wake_signal.h"
#include "engine/task_queue.h"
#include "engine/testing/runtime_test_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/access_log.h"
#include "server/audit_service.h"
#include "server/auth.h"
#include "server/task_service.h"

namespace returnpath::engine {
namespace {

constexpr int kExecutorThreads = 2;
constexpr int kCompletions = 4 * kExecutorThreads;

class ReactionTest : public testing::RuntimeTest {
 protected:
  ReactionTest() {
    v1::PrincipalFile file;
    for (auto [name, role] : {std::pair{"adviser", v1::ROLE_ADVISER},
                              std::pair{"auditor", v1::ROLE_AUDITOR}}) {
      v1::PrincipalEntry* entry = file.add_principal();
      entry->set_name(name);
      entry->set_role(role);
      entry->set_token_sha256(Sha256Hex(std::string(name) + "-token"));
      entry->add_scopes("*");
    }
    auth_ = *Authenticator::FromProto(file, &clock_);
    tasks_ = *TaskQueue::Create(store_.get(), &clock_);
    executor_ = std::make_unique<Executor>(kExecutorThreads);
    commits_ = std::make_unique<WakeSignal>(executor_.get());
    access_log_ = std::make_unique<AccessLog>(store_.get());
    const ServiceDeps deps{store_.get(),    &workflow_, auth_.get(),
                           executor_.get(), &clock_,    access_log_.get()};
    task_service_ = std::make_unique<TaskService>(deps, tasks_.get());
    audit_service_ = std::make_unique<AuditService>(deps, commits_.get());
    grpc::ServerBuilder builder;
    builder.RegisterService(task_service_.get());
    builder.RegisterService(audit_service_.get());
    server_ = builder.BuildAndStart();
    channel_ = server_->InProcessChannel(grpc::ChannelArguments());
  }

  ~ReactionTest() override {
    server_->Shutdown();
    tasks_->Stop();
    commits_->Close();
    executor_.reset();
  }

  static void Authorize(grpc::ClientContext& ctx, const std::string& who) {
    ctx.AddMetadata("authorization", "Bearer " + who + "-token");
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
  }

  // Holds the sequencer until `release` is notified: no write is answered
  // meanwhile, as when every sync is slow.
  void HoldWrites(absl::Notification* release) {
    CommandQueueOf(*store_)->Submit(Command{[release](CommandContext&) {
                                              release->WaitForNotification();
                                              return absl::OkStatus();
                                            },
                                            [](absl::Status) {}});
  }

  // Makes the stored state of `stream` differ from what its history gives.
  void TamperState(const std::string& stream) {
    absl::StatusOr<v1::StreamRecord> record = store_->GetStreamRecord(stream);
    ASSERT_TRUE(record.ok()) << record.status();
    record->set_state(record->state() + "|tampered");
    absl::StatusOr<bool> written = RunCommand<bool>(
        *CommandQueueOf(*store_),
        [&](CommandContext& ctx) -> absl::StatusOr<bool> {
          ctx.PutRecord(Table::kState, stream, record->SerializeAsString());
          return true;
        });
    ASSERT_TRUE(written.ok()) << written.status();
  }

  // Waits (at most 10 s) until `n` answers wait for the access log.
  void ExpectWaitingForTheAccessLog(int n) {
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (access_log_->Waiting() < n && absl::Now() < give_up)
      std::this_thread::yield();
    EXPECT_EQ(access_log_->Waiting(), n);
  }

  // A read that writes nothing (statistics) is answered within 10 s.
  void ExpectAReadIsAnswered() {
    grpc::ClientContext ctx;
    Authorize(ctx, "auditor");
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    v1::StatisticsResponse statistics;
    grpc::Status read = v1::AuditService::NewStub(channel_)->Statistics(
        &ctx, v1::StatisticsRequest(), &statistics);
    EXPECT_TRUE(read.ok()) << read.error_code() << ": " << read.error_message();
  }

  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<TaskQueue> tasks_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<WakeSignal> commits_;
  std::unique_ptr<AccessLog> access_log_;
  std::unique_ptr<TaskService> task_service_;
  std::unique_ptr<AuditService> audit_service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

struct PendingCompletion {
  grpc::ClientContext ctx;
  v1::CompleteTaskRequest request;
  v1::CompleteTaskResponse response;
  grpc::Status status;
  absl::Notification answered;
};

TEST_F(ReactionTest, AReadIsAnsweredWhileCompletionsWaitForTheirWrites) {
  Append("P1", "open:t1:q:1:1");
  absl::StatusOr<std::optional<v1::Task>> leased =
      tasks_->Lease("q", "adviser", absl::Minutes(30));
  ASSERT_TRUE(leased.ok() && leased->has_value()) << leased.status();

  absl::Notification release;
  HoldWrites(&release);
  auto task_stub = v1::TaskService::NewStub(channel_);
  std::vector<std::unique_ptr<PendingCompletion>> completions;
  for (int i = 0; i < kCompletions; ++i) {
    auto call = std::make_unique<PendingCompletion>();
    Authorize(call->ctx, "adviser");
    call->request.mutable_task()->set_person_id("P1");
    call->request.mutable_task()->set_task_id("t1");
    call->request.set_outcome("done");
    PendingCompletion* raw = call.get();
    task_stub->async()->Complete(&raw->ctx, &raw->request, &raw->response,
                                 [raw](grpc::Status status) {
                                   raw->status = std::move(status);
                                   raw->answered.Notify();
                                 });
    completions.push_back(std::move(call));
  }

  // Writes nothing: answered while every completion still waits (with the
  // old blocking path it ran out of time behind them).
  ExpectAReadIsAnswered();
  for (const auto& call : completions)
    EXPECT_FALSE(call->answered.HasBeenNotified());

  release.Notify();
  int appended = 0;
  for (const auto& call : completions) {
    call->answered.WaitForNotification();
    EXPECT_TRUE(call->status.ok()) << call->status.error_message();
    if (!call->response.deduplicated()) ++appended;
  }
  EXPECT_EQ(appended, 1);  // the others found it completed
}

TEST_F(ReactionTest, HistoryStreamsWaitForTheirAccessRecordWithoutAThread) {
  Append("P1", "open:t1:q:1:1");
  absl::Notification release;
  HoldWrites(&release);
  auto audit_stub = v1::AuditService::NewStub(channel_);
  std::atomic<int> served_early{0};
  std::atomic<bool> released{false};
  std::vector<grpc::Status> statuses(kCompletions);
  std::vector<std::thread> readers;
  for (int i = 0; i < kCompletions; ++i) {
    readers.emplace_back([&, i] {
      grpc::ClientContext ctx;
      Authorize(ctx, "auditor");
      v1::HistoryRequest request;
      request.set_person_id("P1");
      auto reader = audit_stub->History(&ctx, request);
      v1::EventEnvelope event;
      while (reader->Read(&event)) {
        if (!released) ++served_early;
      }
      statuses[i] = reader->Finish();
    });
  }

  // Each stream's first pull has read the history and waits for its record:
  // with blocking records this read would wait behind them for a thread.
  // (Blocking records would hold both threads: only two would ever wait.)
  ExpectWaitingForTheAccessLog(kCompletions);
  ExpectAReadIsAnswered();

  released = true;
  release.Notify();
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(served_early, 0)
      << "an event was served before its read was logged";
  for (const grpc::Status& status : statuses)
    EXPECT_TRUE(status.ok()) << status.error_message();
  AccessQuery query;
  query.stream_id = "P1";
  absl::StatusOr<AccessLog::Page> page = access_log_->Read(
      query, 1000,
      [](const std::string&) -> absl::StatusOr<bool> { return true; });
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->records.size(), static_cast<size_t>(kCompletions));
}

TEST_F(ReactionTest, ReplayCheckDifferencesWaitForTheirAccessRecordWithoutAThread) {
  for (int i = 0; i < kCompletions; ++i) {
    const std::string person = absl::StrCat("P", i);
    Append(person, absl::StrCat("open:t", i, ":q:1:1"));
    TamperState(person);
  }
  absl::Notification release;
  HoldWrites(&release);
  std::atomic<bool> released{false};
  int served_early = 0;
  std::vector<v1::ReplayCheckResponse> messages;
  grpc::Status status;
  std::thread checker([&] {
    grpc::ClientContext ctx;
    Authorize(ctx, "auditor");
    auto reader = v1::AuditService::NewStub(channel_)->ReplayCheck(
        &ctx, v1::ReplayCheckRequest());
    v1::ReplayCheckResponse message;
    while (reader->Read(&message)) {
      if (message.has_difference() && !released) ++served_early;
      messages.push_back(message);
    }
    status = reader->Finish();
  });

  // The check has found every difference and each waits for its record; the
  // job has given its thread back (a blocking record would hold it at the
  // first difference, with one record waiting).
  ExpectWaitingForTheAccessLog(kCompletions);
  ExpectAReadIsAnswered();

  released = true;
  release.Notify();
  checker.join();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(served_early, 0)
      << "a difference was sent before its read was logged";
  int differences = 0;
  for (const v1::ReplayCheckResponse& message : messages)
    differences += message.has_difference();
  EXPECT_EQ(differences, kCompletions);
  ASSERT_FALSE(messages.empty());
  ASSERT_TRUE(messages.back().has_outcome()) << "the outcome comes last";
  EXPECT_EQ(messages.back().outcome().differences(),
            static_cast<uint64_t>(kCompletions));
  absl::StatusOr<AccessLog::Page> page = access_log_->Read(
      AccessQuery(), 1000,
      [](const std::string&) -> absl::StatusOr<bool> { return true; });
  ASSERT_TRUE(page.ok()) << page.status();
  int logged = 0;
  for (const v1::AccessRecord& record : page->records)
    logged += record.method() == "ReplayCheck";
  EXPECT_EQ(logged, kCompletions);
}

}  // namespace
}  // namespace returnpath::engine
