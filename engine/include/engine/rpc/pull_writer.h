#ifndef RETURNPATH_ENGINE_RPC_PULL_WRITER_H_
#define RETURNPATH_ENGINE_RPC_PULL_WRITER_H_

#include <atomic>
#include <deque>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "engine/rpc/executor.h"
#include "engine/rpc/status.h"
#include "engine/rpc/wake_signal.h"
#include "grpcpp/grpcpp.h"

namespace returnpath::engine {

// What a server stream's source says after a pull.
enum class Pulled { kMore, kDone, kWait };

// Asked to let one pull's messages be written: calls `done` once, from any
// thread, with OK to write them or the error that ends the stream (e.g. the
// durable record of a read in the access log). Never blocks.
using Gate =
    absl::AnyInvocable<void(absl::AnyInvocable<void(absl::Status)> done)>;

// A server-streaming reactor that pulls messages from `source` on the
// executor (RocksDB reads never run in a reaction) and writes them one at a
// time. The source appends to `out` and says whether more may follow, the
// stream is done, or it should wait for `signal` (live subscriptions); it may
// set `*gate`, which must pass before the messages are written. At most one
// pull, gate or write is in flight, so the source needs no lock. Deletes
// itself when the call is done; cancellation ends it with CANCELLED.
template <typename Msg>
class PullWriter final : public grpc::ServerWriteReactor<Msg> {
 public:
  using Source = absl::AnyInvocable<absl::StatusOr<Pulled>(
      std::vector<Msg>* out, Gate* gate)>;

  PullWriter(Executor* executor, WakeSignal* signal, Source source)
      : executor_(executor), signal_(signal), source_(std::move(source)) {
    executor_->Run([this] { Pull(); });
  }

  // Finishes at once with `status` (e.g. authentication failed).
  static PullWriter* Failed(const absl::Status& status) {
    return new PullWriter(ToGrpcStatus(status));
  }

  void OnWriteDone(bool ok) override {
    if (!ok)
      return this->Finish(
          grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
    WriteNextOrPull();
  }
  void OnCancel() override {
    cancelled_ = true;
    if (signal_ != nullptr) signal_->Notify();
  }
  void OnDone() override { delete this; }

 private:
  explicit PullWriter(grpc::Status status)
      : executor_(nullptr), signal_(nullptr) {
    this->Finish(status);
  }

  void Pull() {
    if (cancelled_)
      return this->Finish(
          grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
    if (signal_ != nullptr) seen_ = signal_->generation();
    std::vector<Msg> out;
    Gate gate;
    absl::StatusOr<Pulled> pulled = source_(&out, &gate);
    if (!pulled.ok()) return this->Finish(ToGrpcStatus(pulled.status()));
    if (!gate) return Accept(std::move(out), *pulled);
    gate([this, out = std::move(out),
          pulled = *pulled](absl::Status passed) mutable {
      if (!passed.ok()) return this->Finish(ToGrpcStatus(passed));
      Accept(std::move(out), pulled);
    });
  }

  void Accept(std::vector<Msg> out, Pulled pulled) {
    for (Msg& msg : out) pending_.push_back(std::move(msg));
    next_ = pulled;
    WriteNextOrPull();
  }

  void WriteNextOrPull() {
    if (!pending_.empty()) {
      current_ = std::move(pending_.front());
      pending_.pop_front();
      return this->StartWrite(&current_);
    }
    switch (next_) {
      case Pulled::kDone:
        return this->Finish(grpc::Status::OK);
      case Pulled::kMore:
        return executor_->Run([this] { Pull(); });
      case Pulled::kWait:
        if (signal_->closed()) {
          return this->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                           "the server is shutting down"));
        }
        // A cancel or close between here and Wait bumps the generation, so
        // Wait runs the pull at once and the pull sees it.
        return signal_->Wait(seen_, [this] { Pull(); });
    }
  }

  Executor* const executor_;
  WakeSignal* const signal_;
  Source source_;
  std::deque<Msg> pending_;
  Msg current_;
  Pulled next_ = Pulled::kMore;
  uint64_t seen_ = 0;
  std::atomic<bool> cancelled_{false};
};

}  // namespace returnpath::engine

#endif  // RETURNPATH_ENGINE_RPC_PULL_WRITER_H_
