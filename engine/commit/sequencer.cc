#include "commit/sequencer.h"

#include <algorithm>
#include <iterator>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_cat.h"
#include "store/verify.h"

namespace returnpath::engine {

Sequencer::Sequencer(StoreBackend* backend, Options options, ChainState start)
    : backend_(backend),
      options_(std::move(options)),
      committed_(std::move(start)),
      listeners_(std::make_shared<const Listeners>()) {
  ABSL_RAW_CHECK(options_.clock != nullptr, "Sequencer needs a clock");
  ABSL_RAW_CHECK(options_.max_group > 0, "max_group must be positive");
  writer_ = std::thread([this] { WriterLoop(); });
  thread_ = std::thread([this] { Loop(); });
}

Sequencer::~Sequencer() { Stop(); }

void Sequencer::Submit(Command command) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      (command.background ? background_ : queue_).push_back(std::move(command));
      return;
    }
  }
  command.done(absl::FailedPreconditionError("the event store is closed"));
}

void Sequencer::Stop() {
  absl::MutexLock stop_lock(&stop_mu_);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  {
    absl::MutexLock lock(&mu_);
    writer_stopping_ = true;
  }
  if (writer_.joinable()) writer_.join();
}

ChainState Sequencer::Committed() const {
  absl::MutexLock lock(&mu_);
  return committed_;
}

size_t Sequencer::Queued() const {
  absl::MutexLock lock(&mu_);
  return queue_.size() + background_.size();
}

void Sequencer::AddCommitListener(std::function<void(uint64_t)> listener) {
  absl::MutexLock lock(&mu_);
  auto next = std::make_shared<Listeners>(*listeners_);
  next->push_back(std::move(listener));
  listeners_ = std::move(next);
}

void Sequencer::TellListeners(uint64_t position) {
  std::shared_ptr<const Listeners> listeners;
  {
    absl::MutexLock lock(&mu_);
    listeners = listeners_;
  }
  for (const auto& listener : *listeners) listener(position);
}

void Sequencer::Loop() {
  std::unique_ptr<RanGroup> in_flight;  // handed to the writer
  for (;;) {
    std::vector<Command> commands;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &Sequencer::SequencerHasWork));
      TakeGroup(&commands);
      // Stopping, and everything is answered.
      if (commands.empty() && in_flight == nullptr && stopping_) return;
    }
    if (backend_->Shared()) {
      if (!commands.empty()) RunShared(std::move(commands));
      continue;
    }
    // The next group runs while the one in flight is written.
    std::unique_ptr<RanGroup> next;
    if (!commands.empty()) {
      next = RunCommands(std::move(commands), in_flight.get(),
                         backend_->Latest());
    }
    if (in_flight != nullptr) {
      const absl::Status write = AwaitWrite();
      Observe(*in_flight, write);
      Answer(*in_flight, write, write.ok());
      if (next != nullptr) next->ctx->BaseWritten();
      in_flight.reset();
      if (!write.ok() && next != nullptr) {
        // It read what was not written: none of it may be written either.
        const absl::Status failed(
            write.code(), absl::StrCat("not written: the group before failed: ",
                                       write.message()));
        for (Command& command : next->commands) command.done(failed);
        next.reset();
      }
    }
    if (next == nullptr) continue;
    next->batch = next->ctx->FinishGroup();
    if (next->batch == nullptr) {
      Answer(*next, absl::OkStatus(), /*wrote=*/false);
      continue;
    }
    if (QueueEmpty()) {
      // Nothing to run meanwhile: writing here spares two thread hand-offs.
      const absl::Status write = Write(*next);
      Observe(*next, write);
      Answer(*next, write, write.ok());
      continue;
    }
    StartWrite(next.get());
    in_flight = std::move(next);
  }
}

void Sequencer::WriterLoop() {
  for (;;) {
    RanGroup* group = nullptr;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &Sequencer::WriterHasWork));
      if (to_write_ == nullptr) return;  // stopping
      group = to_write_;
    }
    absl::Status status = Write(*group);
    absl::MutexLock lock(&mu_);
    to_write_ = nullptr;
    written_ = std::move(status);
  }
}

bool Sequencer::QueueEmpty() {
  absl::MutexLock lock(&mu_);
  return queue_.empty() && background_.empty();
}

void Sequencer::StartWrite(RanGroup* group) {
  absl::MutexLock lock(&mu_);
  ABSL_RAW_CHECK(to_write_ == nullptr && !written_.has_value(),
                 "a write is already in flight");
  to_write_ = group;
}

absl::Status Sequencer::AwaitWrite() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &Sequencer::WriteDone));
  absl::Status status = *std::move(written_);
  written_.reset();
  return status;
}

void Sequencer::TakeGroup(std::vector<Command>* group) {
  const size_t foreground = std::min(options_.max_group, queue_.size());
  for (size_t i = 0; i < foreground; ++i) {
    group->push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  // Never none: a steady flood of foreground work must not starve timers.
  const size_t room =
      foreground == 0 ? options_.max_group : options_.max_background_alongside;
  const size_t background = std::min(room, background_.size());
  for (size_t i = 0; i < background; ++i) {
    group->push_back(std::move(background_.front()));
    background_.pop_front();
  }
}

void Sequencer::RunShared(std::vector<Command> commands) {
  absl::StatusOr<std::unique_ptr<GroupWrite>> write = backend_->BeginGroup();
  absl::Status read = write.status();
  if (read.ok()) {
    std::vector<TableKey> keys = ChainStateKeys();
    for (Command& command : commands) {
      std::move(command.reads.begin(), command.reads.end(),
                std::back_inserter(keys));
    }
    read = (*write)->Prefetch(keys);
    if (read.ok()) read = (*write)->Prefetch(ReadsAfter(**write, keys));
  }
  absl::StatusOr<ChainState> chain =
      read.ok() ? ReadChainState(**write) : read;
  if (!chain.ok()) {
    for (Command& command : commands) command.done(chain.status());
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    committed_ = *chain;
  }
  std::unique_ptr<RanGroup> group =
      RunCommands(std::move(commands), nullptr, **write);
  group->write = *std::move(write);
  group->batch = group->ctx->FinishGroup();
  // With nothing to write, the write is abandoned: the lock goes with it.
  const absl::Status written =
      group->batch == nullptr ? absl::OkStatus() : Write(*group);
  if (group->batch != nullptr) Observe(*group, written);
  Answer(*group, written, group->batch != nullptr && written.ok());
}

std::unique_ptr<Sequencer::RanGroup> Sequencer::RunCommands(
    std::vector<Command> commands, const RanGroup* in_flight,
    const StoreView& reads) {
  auto group = std::make_unique<RanGroup>();
  // Only this thread moves the chain on, so neither start can change while
  // the commands run.
  ChainState start =
      in_flight != nullptr ? in_flight->ctx->group_chain() : Committed();
  group->start_position = start.last_position;
  group->ctx = std::make_unique<CommandContext>(
      &reads, backend_->master_keys().get(), options_.clock, options_.workflow,
      std::move(start),
      in_flight != nullptr ? in_flight->ctx.get() : nullptr,
      options_.on_append ? &options_.on_append : nullptr);
  CommandContext& ctx = *group->ctx;
  group->statuses.reserve(commands.size());
  for (Command& command : commands) {
    ctx.Begin();
    absl::Status s = command.run(ctx);
    if (s.ok()) {
      ctx.Commit();
    } else {
      ctx.Rollback();
    }
    group->statuses.push_back(std::move(s));
  }
  group->commands = std::move(commands);
  return group;
}

void Sequencer::Answer(RanGroup& group, const absl::Status& write, bool wrote) {
  // Durable first, then visible: publish the new end of the log before
  // answering, so a caller that sees its result also sees LastPosition.
  std::shared_ptr<const Listeners> listeners;
  if (wrote) {
    absl::MutexLock lock(&mu_);
    committed_ = group.ctx->group_chain();
    listeners = listeners_;
  }
  // Listeners before callers: once an append returns, every waiter (timer
  // loop, subscriptions) has already been told about it.
  if (wrote) {
    for (const auto& listener : *listeners) {
      listener(group.ctx->group_chain().last_position);
    }
  }
  for (size_t i = 0; i < group.commands.size(); ++i) {
    group.commands[i].done(group.statuses[i].ok() ? write : group.statuses[i]);
  }
}

void Sequencer::Observe(const RanGroup& group,
                        const absl::Status& write) const {
  if (!options_.on_group_written) return;
  GroupWritten written;
  written.commands = group.commands.size();
  written.events =
      group.ctx->group_chain().last_position - group.start_position;
  written.write_time = group.write_time;
  written.ok = write.ok();
  options_.on_group_written(written);
}

absl::Status Sequencer::Write(RanGroup& group) {
  const absl::Time started = absl::Now();
  absl::Status status;
  if (options_.write_fault) status = options_.write_fault();
  if (status.ok() && group.write == nullptr) {
    absl::StatusOr<std::unique_ptr<GroupWrite>> write = backend_->BeginGroup();
    if (write.ok()) {
      group.write = *std::move(write);
    } else {
      status = write.status();
    }
  }
  if (status.ok()) status = group.write->Commit(*group.batch);
  group.write.reset();
  group.write_time = absl::Now() - started;
  return status;
}

}  // namespace returnpath::engine
