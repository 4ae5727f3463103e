#include "tools/benchmarks/pipeline.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace returnpath::bench {

constexpr size_t kKeptRefusals = 5;

void AppendPipeline::Submit(engine::AppendRequest request) {
  {
    absl::MutexLock lock(&mu_);
    auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return in_flight_ < window_;
    };
    mu_.Await(absl::Condition(&room));
    ++in_flight_;
  }
  std::string stream = request.stream_id;
  store_->AppendAsync(
      std::move(request), [this, stream = std::move(stream)](
                              absl::StatusOr<engine::AppendResult> result) {
        Answer(result.ok()
                   ? absl::OkStatus()
                   : absl::Status(result.status().code(),
                                  absl::StrCat(stream, ": ",
                                               result.status().message())));
      });
}

void AppendPipeline::Answer(const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  --in_flight_;
  if (status.ok()) {
    ++ok_;
    return;
  }
  ++refused_;
  if (refusals_.size() < kKeptRefusals) refusals_.push_back(status.ToString());
}

void AppendPipeline::Drain() {
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return in_flight_ == 0;
  };
  mu_.Await(absl::Condition(&idle));
}

uint64_t AppendPipeline::ok() const {
  absl::MutexLock lock(&mu_);
  return ok_;
}

uint64_t AppendPipeline::refused() const {
  absl::MutexLock lock(&mu_);
  return refused_;
}

std::vector<std::string> AppendPipeline::first_refusals() const {
  absl::MutexLock lock(&mu_);
  return refusals_;
}

}  // namespace returnpath::bench
