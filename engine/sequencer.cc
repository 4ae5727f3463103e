#include "engine/sequencer.h"

#include <algorithm>

#include "absl/base/internal/raw_logging.h"

namespace returnpath::engine {

Sequencer::Sequencer(const StoreDb* db, Options options, ChainState start)
    : db_(db),
      options_(std::move(options)),
      committed_(std::move(start)),
      listeners_(std::make_shared<const Listeners>()) {
  ABSL_RAW_CHECK(options_.clock != nullptr, "Sequencer needs a clock");
  ABSL_RAW_CHECK(options_.max_group > 0, "max_group must be positive");
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
}

ChainState Sequencer::Committed() const {
  absl::MutexLock lock(&mu_);
  return committed_;
}

void Sequencer::AddCommitListener(std::function<void(uint64_t)> listener) {
  absl::MutexLock lock(&mu_);
  auto next = std::make_shared<Listeners>(*listeners_);
  next->push_back(std::move(listener));
  listeners_ = std::move(next);
}

void Sequencer::Loop() {
  std::vector<Command> group;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &Sequencer::HasWorkOrStopping));
      // Stopping, and everything is answered.
      if (queue_.empty() && background_.empty()) return;
      TakeGroup(&group);
    }
    RunGroup(group);
    group.clear();
  }
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

void Sequencer::RunGroup(std::vector<Command>& group) {
  // Only this thread changes committed_, so it cannot move between this
  // read and the publication after the write.
  CommandContext ctx(db_, options_.clock, options_.workflow, Committed());
  std::vector<absl::Status> statuses;
  statuses.reserve(group.size());
  for (Command& command : group) {
    ctx.Begin();
    absl::Status s = command.run(ctx);
    if (s.ok()) {
      ctx.Commit();
    } else {
      ctx.Rollback();
    }
    statuses.push_back(std::move(s));
  }

  absl::Status write;
  rocksdb::WriteBatch* batch = ctx.FinishGroup();
  if (batch != nullptr) write = Write(batch);

  // Durable first, then visible: publish the new end of the log before
  // answering, so a caller that sees its result also sees LastPosition.
  std::shared_ptr<const Listeners> listeners;
  const bool wrote = batch != nullptr && write.ok();
  if (wrote) {
    absl::MutexLock lock(&mu_);
    committed_ = ctx.group_chain();
    listeners = listeners_;
  }
  // Listeners before callers: once an append returns, every waiter (timer
  // loop, subscriptions) has already been told about it.
  if (wrote) {
    for (const auto& listener : *listeners) {
      listener(ctx.group_chain().last_position);
    }
  }
  for (size_t i = 0; i < group.size(); ++i) {
    group[i].done(statuses[i].ok() ? write : statuses[i]);
  }
}

absl::Status Sequencer::Write(rocksdb::WriteBatch* batch) {
  if (options_.write_fault) {
    absl::Status fault = options_.write_fault();
    if (!fault.ok()) return fault;
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->db()->Write(wo, batch), "group commit");
}

}  // namespace returnpath::engine
