#include "engine/timer_loop.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_cat.h"
#include "commit/sequencer.h"
#include "engine/status_macros.h"
#include "google/protobuf/any.pb.h"
#include "store/codec.h"

namespace returnpath::engine {
namespace {

using returnpath::v1::StreamRecord;
using returnpath::v1::Timer;

absl::Time DueOf(const Timer& timer) { return FromTimestamp(timer.due_time()); }

AppendRequest FiredRequest(const Timer& timer) {
  returnpath::v1::TimerFired fired;
  fired.set_timer_id(timer.id());
  fired.set_kind(timer.kind());
  *fired.mutable_due_time() = timer.due_time();
  fired.set_payload(timer.payload());
  AppendRequest request;
  request.stream_id = timer.stream_id();
  request.idempotency_key = TimerFiredKey(timer);
  request.key_owner = KeyOwner::kEngine;  // no caller can claim it first
  request.principal = kTimerPrincipal;
  request.causation_id = absl::StrCat("timer:", timer.id());
  ProposedEvent event;
  event.effective_time = DueOf(timer);
  event.payload.PackFrom(fired);
  request.events.push_back(std::move(event));
  return request;
}

}  // namespace

std::string TimerFiredKey(const Timer& timer) {
  // The stream's length keeps ("a:b", "c") and ("a", "b:c") apart.
  return absl::StrCat("timer:", timer.stream_id().size(), ":",
                      timer.stream_id(), ":", timer.id(), "@",
                      absl::ToUnixMicros(DueOf(timer)), "#",
                      timer.armed_at_position());
}

// Shared by one batch's commands (sequencer thread) and the loop thread.
struct TimerLoop::Firing {
  Timer timer;
  std::unique_ptr<PreparedAppend> prepared;  // may be null
  Outcome outcome = Outcome::kFailed;
  absl::Status error;
  uint64_t stream_version = 0;
};

TimerLoop::TimerLoop(EventStore* store, CommandQueue* commands, Clock* clock,
                     TimerLoopOptions options)
    : store_(store),
      commands_(commands),
      clock_(clock),
      options_(options),
      wakeup_(std::make_shared<Wakeup>()) {}

absl::StatusOr<std::unique_ptr<TimerLoop>> TimerLoop::Start(
    EventStore* store, Clock* clock, TimerLoopOptions options) {
  if (store == nullptr) return absl::InvalidArgumentError("store is null");
  if (clock == nullptr) return absl::InvalidArgumentError("clock is null");
  if (options.batch_size == 0) {
    return absl::InvalidArgumentError("batch_size is 0");
  }
  CommandQueue* commands = CommandQueueOf(*store);
  if (commands == nullptr) {
    return absl::InvalidArgumentError("the store takes no commands");
  }
  auto loop = std::unique_ptr<TimerLoop>(
      new TimerLoop(store, commands, clock, options));
  Wakeup::ListenTo(loop->wakeup_, clock, store);
  loop->thread_ = std::thread([raw = loop.get()] { raw->Run(); });
  return loop;
}

TimerLoop::~TimerLoop() { Stop(); }

void TimerLoop::Stop() {
  absl::MutexLock stop_lock(&stop_mu_);
  wakeup_->Close();
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&mu_);
  stopped_ = true;
}

void TimerLoop::Wake() { wakeup_->Notify(); }

TimerLoop::Stats TimerLoop::stats() const {
  absl::MutexLock lock(&mu_);
  Stats s = stats_;
  s.parked = parked_.size();
  return s;
}

std::vector<TimerLoop::ParkedTimer> TimerLoop::Parked() const {
  absl::MutexLock lock(&mu_);
  std::vector<ParkedTimer> out;
  for (const auto& [key, parked] : parked_) out.push_back(parked);
  return out;
}

absl::Status TimerLoop::WaitIdle(absl::Duration timeout) {
  uint64_t target;
  {
    absl::MutexLock lock(&mu_);
    target = rounds_started_ + 1;
  }
  Wake();
  absl::MutexLock lock(&mu_);
  auto done = [this, target]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return last_idle_round_ >= target || stopped_;
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&done), timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "timers were still due after ", absl::FormatDuration(timeout)));
  }
  if (last_idle_round_ < target) {
    return absl::FailedPreconditionError("the timer loop is stopped");
  }
  return absl::OkStatus();
}

void TimerLoop::Run() {
  absl::Duration wait = absl::ZeroDuration();
  while (wakeup_->Wait(wait)) wait = RunRound();
}

absl::Duration TimerLoop::RunRound() {
  uint64_t round;
  {
    absl::MutexLock lock(&mu_);
    round = ++rounds_started_;
  }
  const absl::Time now = clock_->Now();
  absl::StatusOr<std::vector<Timer>> due = CollectDue(now);
  if (!due.ok()) {
    ABSL_RAW_LOG(WARNING, "timer loop: cannot read due timers: %s",
                 due.status().ToString().c_str());
    return options_.write_error_pause;
  }
  if (due->empty() && cursor_.has_value()) {
    // The backlog is fired; look once from the start for timers armed behind
    // the cursor meanwhile (due in the past) and for parked ones to retry.
    cursor_.reset();
    return absl::ZeroDuration();
  }
  if (due->empty()) {
    absl::Duration wait = WaitForNext(now);
    absl::MutexLock lock(&mu_);
    last_idle_round_ = round;
    return wait;
  }
  if (!FireBatch(*due)) {
    cursor_.reset();
    return options_.write_error_pause;
  }
  cursor_ = due->back();
  return absl::ZeroDuration();  // more may be due: yield, then go on
}

absl::StatusOr<std::vector<Timer>> TimerLoop::CollectDue(absl::Time now) {
  std::map<std::string, ParkedTimer> parked;
  {
    absl::MutexLock lock(&mu_);
    parked = parked_;
  }
  // Parked timers sort among the due ones; read far enough to pass them.
  const size_t max = options_.batch_size + parked.size();
  const absl::Time to = now + absl::Microseconds(1);
  RP_ASSIGN_OR_RETURN(std::vector<Timer> timers,
                      cursor_.has_value()
                          ? store_->TimersDueAfter(*cursor_, to, max)
                          : store_->TimersDue(absl::InfinitePast(), to, max));
  std::vector<Timer> out;
  std::set<std::string> still_parked, retrying;
  // Only a scan from the start sees every parked timer that still exists.
  bool complete = !cursor_.has_value() && timers.size() < max;
  for (Timer& timer : timers) {
    if (DueOf(timer) > now) continue;
    std::string key = TimerFiredKey(timer);
    if (auto it = parked.find(key); it != parked.end()) {
      absl::StatusOr<StreamRecord> record =
          store_->GetStreamRecord(timer.stream_id());
      uint64_t version = record.ok() ? record->version() : 0;
      if (version == it->second.stream_version) {
        still_parked.insert(std::move(key));
        continue;
      }
      retrying.insert(std::move(key));
    }
    if (out.size() == options_.batch_size) {
      complete = false;
      break;
    }
    out.push_back(std::move(timer));
  }
  // Unpark what changed; forget what is gone once the whole list was read.
  absl::MutexLock lock(&mu_);
  for (auto it = parked_.begin(); it != parked_.end();) {
    bool seen = still_parked.count(it->first) > 0;
    if (retrying.count(it->first) > 0 || (complete && !seen)) {
      it = parked_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

bool TimerLoop::FireBatch(const std::vector<Timer>& timers) {
  struct Batch {
    absl::Mutex mu;
    size_t remaining ABSL_GUARDED_BY(mu);
    std::vector<Firing> firings;
  };
  auto batch = std::make_shared<Batch>();
  batch->firings.resize(timers.size());
  {
    absl::MutexLock lock(&batch->mu);
    batch->remaining = timers.size();
  }
  for (size_t i = 0; i < timers.size(); ++i) {
    Firing* firing = &batch->firings[i];
    firing->timer = timers[i];
    // The workflow runs here, off the sequencer, which checks what it did.
    firing->prepared = commands_->Prepare(FiredRequest(firing->timer));
    Command command;
    command.run = [firing](CommandContext& ctx) -> absl::Status {
      const Timer& scanned = firing->timer;
      RP_ASSIGN_OR_RETURN(std::optional<Timer> current,
                          ctx.GetTimer(scanned.stream_id(), scanned.id()));
      // Cancelled, or re-armed, since the scan: a re-armed timer is found
      // again when it is due.
      if (!current.has_value() || DueOf(*current) != DueOf(scanned) ||
          current->armed_at_position() != scanned.armed_at_position()) {
        firing->outcome = Outcome::kSkipped;
        return absl::OkStatus();
      }
      RP_ASSIGN_OR_RETURN(std::optional<StreamRecord> record,
                          ctx.GetStream(scanned.stream_id()));
      firing->stream_version = record.has_value() ? record->version() : 0;
      // Delete first: the workflow may re-arm the same id.
      RP_RETURN_IF_ERROR(ctx.DeleteTimer(scanned.stream_id(), scanned.id()));
      absl::StatusOr<AppendResult> appended =
          ctx.Append(FiredRequest(*current), firing->prepared.get());
      if (!appended.ok()) {
        firing->outcome = absl::IsUnavailable(appended.status())
                              ? Outcome::kFailed
                              : Outcome::kRejected;
        firing->error = appended.status();
        return appended.status();  // rolls the delete back
      }
      firing->outcome =
          appended->deduplicated ? Outcome::kSkipped : Outcome::kFired;
      return absl::OkStatus();
    };
    command.done = [batch, firing](absl::Status status) {
      if (!status.ok() && firing->outcome != Outcome::kRejected) {
        firing->outcome = Outcome::kFailed;
        firing->error = status;
      }
      absl::MutexLock lock(&batch->mu);
      --batch->remaining;
    };
    command.background = true;
    commands_->Submit(std::move(command));
  }
  {
    absl::MutexLock lock(&batch->mu);
    // A named local, not an init-capture: clang's attribute cannot see those.
    const auto* b = batch.get();
    auto answered = [b]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(b->mu) {
      return b->remaining == 0;
    };
    batch->mu.Await(absl::Condition(&answered));
  }

  if (options_.on_fired) {
    const absl::Time now = clock_->Now();
    for (const Firing& f : batch->firings) {
      if (f.outcome == Outcome::kFired) options_.on_fired(now - DueOf(f.timer));
    }
  }
  bool write_failed = false;
  absl::MutexLock lock(&mu_);
  ++stats_.rounds;
  for (const Firing& f : batch->firings) {
    switch (f.outcome) {
      case Outcome::kFired:
        ++stats_.fired;
        break;
      case Outcome::kSkipped:
        ++stats_.skipped;
        break;
      case Outcome::kRejected:
        ++stats_.failed;
        ABSL_RAW_LOG(WARNING,
                     "timer loop: the workflow rejected timer \"%s\" of stream "
                     "\"%s\" (due %s); parked until the stream changes: %s",
                     f.timer.id().c_str(), f.timer.stream_id().c_str(),
                     absl::FormatTime(DueOf(f.timer)).c_str(),
                     f.error.ToString().c_str());
        parked_.insert_or_assign(
            TimerFiredKey(f.timer),
            ParkedTimer{f.timer.stream_id(), f.timer.id(), DueOf(f.timer),
                        f.stream_version, f.error});
        break;
      case Outcome::kFailed:
        write_failed = true;
        // The store logs its refusals (disk full, recovering) once; the
        // timer fires when writes resume.
        if (!absl::IsResourceExhausted(f.error) &&
            !absl::IsUnavailable(f.error)) {
          ABSL_RAW_LOG(WARNING, "timer loop: firing timer \"%s\" failed: %s",
                       f.timer.id().c_str(), f.error.ToString().c_str());
        }
        break;
    }
  }
  return !write_failed;
}

absl::Duration TimerLoop::WaitForNext(absl::Time now) {
  size_t parked;
  {
    absl::MutexLock lock(&mu_);
    parked = parked_.size();
  }
  // Keys hold whole microseconds: start at now's and pass the parked ones.
  const size_t max = parked + 1;
  absl::StatusOr<std::vector<Timer>> next =
      store_->TimersDue(now, absl::InfiniteFuture(), max);
  if (!next.ok()) return options_.write_error_pause;
  for (const Timer& timer : *next) {
    if (DueOf(timer) > now) return clock_->RealWaitFor(DueOf(timer));
  }
  // A full page of timers due by now: something was armed meanwhile.
  return next->size() == max ? absl::ZeroDuration() : absl::InfiniteDuration();
}

}  // namespace returnpath::engine
