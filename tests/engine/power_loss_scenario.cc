#include "tests/engine/power_loss_scenario.h"

#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/replay.h"
#include "engine/task_queue.h"
#include "engine/timer_loop.h"
#include "google/protobuf/wrappers.pb.h"

namespace returnpath::engine::testing {
namespace {

constexpr int kStreamsPerWriter = 32;
// Writes and syncs before a power loss: from within the first group commit
// to a few hundred commits in.
constexpr uint64_t kMaxOpsBeforeLoss = 300;
// One round in five loses power while the store opens (recovery, flush of
// the recovered log, a new manifest).
constexpr int kCrashDuringOpenOneIn = 5;
constexpr absl::Duration kLease = absl::Hours(1);

std::string ReadableText(const returnpath::v1::EventEnvelope& event) {
  returnpath::v1::TaskCompleted completed;
  if (event.payload().UnpackTo(&completed)) {
    return absl::StrCat("completed ", completed.task_id());
  }
  return TextOf(event);
}

}  // namespace

// One writing thread's streams and its request still unanswered at the last
// crash, which it sends again (same idempotency key) after the reopen.
struct PowerLossScenario::Writer {
  int id = 0;
  uint64_t next = 0;
  std::optional<AppendRequest> unanswered;
};

PowerLossScenario::PowerLossScenario(PowerLossOptions options)
    : options_(options),
      rng_(options.seed),
      fs_(std::make_shared<FaultFileSystem>()),
      clock_(std::make_unique<ManualClock>(Day(1))) {
  for (int i = 0; i < options_.writers; ++i) {
    writers_.push_back(std::make_unique<Writer>());
    writers_.back()->id = i;
  }
}

PowerLossScenario::~PowerLossScenario() = default;

absl::StatusOr<std::unique_ptr<EventStore>> PowerLossScenario::OpenStore() {
  StoreOptions store;
  store.path = dir_.path();
  store.clock = clock_.get();
  store.workflow = &workflow_;
  store.sync = options_.sync;
  store.file_system = testing::ForStore(fs_);
  return EventStore::Open(store);
}

bool PowerLossScenario::HasProblems() {
  absl::MutexLock lock(&mu_);
  return !report_.problems.empty();
}

void PowerLossScenario::Problem(std::string sentence) {
  absl::MutexLock lock(&mu_);
  report_.problems.push_back(std::move(sentence));
}

PowerLossReport PowerLossScenario::Run() {
  for (int round = 0; round < options_.crashes; ++round) {
    const bool during_open = rng_() % kCrashDuringOpenOneIn == 0;
    if (during_open) fs_->LosePowerAfter(1 + rng_() % 40);
    absl::StatusOr<std::unique_ptr<EventStore>> store = OpenStore();
    if (store.ok()) {
      if (round > 0) Check(**store);
      if (HasProblems()) break;
      if (!fs_->powered_off()) {
        fs_->LosePowerAfter(1 + rng_() % kMaxOpsBeforeLoss);
        RunUntilPowerLoss(**store);
      }
      (*store)->Close().IgnoreError();  // power is off: it cannot write
      store->reset();
    } else if (!fs_->powered_off()) {
      Problem(absl::StrCat("round ", round, ": the store did not open: ",
                           store.status().ToString()));
      break;
    }
    fs_->LosePower();
    rocksdb::IOStatus dropped = fs_->DropUnsyncedData(&rng_, options_.tear);
    if (!dropped.ok()) {
      Problem(absl::StrCat("dropping unsynced data: ", dropped.ToString()));
      break;
    }
    absl::MutexLock lock(&mu_);
    ++report_.crashes;
    if (!store.ok()) ++report_.crashes_while_opening;
  }
  absl::StatusOr<std::unique_ptr<EventStore>> store = OpenStore();
  if (!store.ok()) {
    Problem(
        absl::StrCat("the store did not open: ", store.status().ToString()));
  } else if (!HasProblems()) {
    Check(**store);
  }
  absl::MutexLock lock(&mu_);
  report_.acknowledged = acks_.size();
  return report_;
}

void PowerLossScenario::RunUntilPowerLoss(EventStore& store) {
  TimerLoopOptions timer_options;
  timer_options.write_error_pause = absl::Milliseconds(1);
  absl::StatusOr<std::unique_ptr<TimerLoop>> timers =
      TimerLoop::Start(&store, clock_.get(), timer_options);
  absl::StatusOr<std::unique_ptr<TaskQueue>> queue =
      TaskQueue::Create(&store, clock_.get());
  if (!timers.ok() || !queue.ok()) {
    // Power may go off while they start (the timer loop fires at once); only
    // a refusal with the power on is a problem.
    if (!fs_->powered_off()) {
      Problem(absl::StrCat("the timer loop or task queue did not start: ",
                           timers.status().ToString(), "; ",
                           queue.status().ToString()));
    }
    fs_->LosePower();
    return;
  }
  std::vector<std::thread> threads;
  for (auto& writer : writers_) {
    threads.emplace_back([&, w = writer.get()] { Write(store, *w); });
  }
  threads.emplace_back([&] { Work(store, **queue); });
  // Time moves on, so timers come due and fire while writers write.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (!fs_->powered_off()) {
    clock_->Advance(absl::Hours(3));
    absl::SleepFor(absl::Milliseconds(1));
    if (absl::Now() > give_up) fs_->LosePower();
  }
  for (std::thread& t : threads) t.join();
  (*timers)->Stop();
  (*queue)->Stop();
}

void PowerLossScenario::Write(EventStore& store, Writer& writer) {
  while (true) {
    AppendRequest request;
    if (writer.unanswered.has_value()) {
      request = *writer.unanswered;
    } else {
      const uint64_t n = writer.next++;
      const int day =
          static_cast<int>((clock_->Now() - Day(1)) / absl::Hours(24) + 1);
      std::string text = absl::StrCat("e:", writer.id, ":", n);
      if (n % 3 == 0) absl::StrAppend(&text, " arm:t", n, ":", day + 1);
      if (n % 5 == 0) absl::StrAppend(&text, " open:k", n, ":q:1:", day + 2);
      const std::string stream =
          absl::StrCat("s", writer.id, "-", n % kStreamsPerWriter);
      request = Req(stream, {text}, std::nullopt, absl::StrCat("key-", text));
      writer.unanswered = request;
    }
    absl::StatusOr<AppendResult> result = store.Append(request);
    if (!result.ok()) return;  // power is off; sent again after the reopen
    writer.unanswered.reset();
    google::protobuf::StringValue text;
    request.events[0].payload.UnpackTo(&text);
    absl::MutexLock lock(&mu_);
    acks_.push_back({request.stream_id, result->stream_version,
                     result->last_position, text.value(), ""});
  }
}

void PowerLossScenario::Work(EventStore& store, TaskQueue& queue) {
  while (!fs_->powered_off()) {
    absl::StatusOr<std::optional<returnpath::v1::Task>> task =
        queue.Lease("q", "worker", kLease);
    if (!task.ok()) return;
    if (!task->has_value()) {
      absl::SleepFor(absl::Milliseconds(1));
      continue;
    }
    CompleteRequest complete;
    complete.task = {(*task)->stream_id(), (*task)->id(), "worker"};
    complete.outcome = "done";
    complete.idempotency_key =
        absl::StrCat("done-", (*task)->stream_id(), "-", (*task)->id());
    absl::StatusOr<CompleteResult> done = queue.Complete(complete);
    if (!done.ok()) return;
    absl::MutexLock lock(&mu_);
    acks_.push_back(
        {(*task)->stream_id(), 0, done->position, "", (*task)->id()});
  }
}

void PowerLossScenario::Check(EventStore& store) {
  absl::Status verified = store.Verify(1, 0, nullptr);
  if (!verified.ok()) Problem(absl::StrCat("Verify: ", verified.ToString()));

  // The whole log, by position.
  std::vector<returnpath::v1::EventEnvelope> log(1);
  for (uint64_t from = 1;;) {
    absl::StatusOr<EventPage> page = store.ReadAll(from, 1000);
    if (!page.ok()) {
      Problem(absl::StrCat("ReadAll: ", page.status().ToString()));
      return;
    }
    if (page->events.empty()) break;
    for (auto& event : page->events) log.push_back(std::move(event));
    from = page->next_position;
  }
  std::map<std::string, int> seen;  // each text and completion, how often
  for (size_t p = 1; p < log.size(); ++p) {
    const std::string text = ReadableText(log[p]);
    if (text.rfind("e:", 0) == 0 || text.rfind("completed ", 0) == 0) {
      const std::string key = absl::StrCat(log[p].stream_id(), " ", text);
      if (++seen[key] == 2) Problem(absl::StrCat("twice in the log: ", key));
    }
  }

  absl::MutexLock lock(&mu_);
  std::set<uint64_t> positions;
  for (const Ack& ack : acks_) {
    if (!positions.insert(ack.position).second) {
      report_.problems.push_back(
          absl::StrCat("position ", ack.position, " acknowledged twice"));
    }
    const std::string want = ack.task_id.empty()
                                 ? ack.text
                                 : absl::StrCat("completed ", ack.task_id);
    const bool found = ack.position < log.size() &&
                       log[ack.position].stream_id() == ack.stream &&
                       (ack.version == 0 ||
                        log[ack.position].stream_version() == ack.version) &&
                       ReadableText(log[ack.position]) == want;
    if (!found) {
      ++report_.lost;
      report_.problems.push_back(absl::StrCat(
          "acknowledged \"", want, "\" in ", ack.stream, " at position ",
          ack.position, " version ", ack.version, " is not there"));
    }
  }
  ReplayCheckOptions replay;
  replay.threads = 1;
  absl::StatusOr<ReplayReport> rebuilt = ReplayCheck(store, workflow_, replay);
  if (!rebuilt.ok()) {
    report_.problems.push_back(
        absl::StrCat("ReplayCheck: ", rebuilt.status().ToString()));
  } else {
    for (const ReplayDifference& d : rebuilt->differences) {
      report_.problems.push_back(absl::StrCat(
          "rebuild differs for ", d.stream_id, " (", d.what, "): ", d.detail));
    }
  }
}

}  // namespace returnpath::engine::testing
